/**
 * G1a (aborted read): an ok poll returned a value whose send failed, or whose transaction
 * aborted. A `fail` outcome promises the write did not happen, so nobody may ever read it.
 * Sends that ended `info` are indeterminate and never count as failed.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'

interface AbortedRead {
  failOp: number
  offsets: Set<number>
  readOps: Set<number>
}

export function checkAbortedReads(context: CheckContext): Findings {
  const failed = new Map<string, Map<number, AbortedRead>>()
  for (const send of context.digest.sends) {
    if (send.type !== 'fail') continue
    let byValue = failed.get(send.key)
    if (byValue === undefined) {
      byValue = new Map()
      failed.set(send.key, byValue)
    }
    if (!byValue.has(send.value)) byValue.set(send.value, { failOp: send.op, offsets: new Set(), readOps: new Set() })
  }
  for (const poll of context.digest.polls) {
    if (poll.type !== 'ok') continue
    for (const [key, records] of poll.reads) {
      const byValue = failed.get(key)
      if (byValue === undefined) continue
      for (const [offset, value] of records) {
        const aborted = byValue.get(value)
        if (aborted === undefined) continue
        aborted.offsets.add(offset)
        aborted.readOps.add(poll.op)
      }
    }
  }
  const findings: Findings = {}
  for (const key of sortedKeys(failed)) {
    const byValue = failed.get(key)!
    for (const value of [...byValue.keys()].sort((a, b) => a - b)) {
      const aborted = byValue.get(value)!
      if (aborted.readOps.size === 0) continue
      addCase(findings, 'G1a', {
        key,
        values: [value],
        offsets: [...aborted.offsets].sort((a, b) => a - b),
        ops: [aborted.failOp, ...[...aborted.readOps].sort((a, b) => a - b)],
        note: `op ${aborted.failOp} failed, yet the value was read`,
      })
    }
  }
  return findings
}

export const abortedReadChecker: Checker = { name: 'G1a', check: checkAbortedReads }
