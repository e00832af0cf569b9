/**
 * precommitted-read: a transaction read its own write before committing. Under read_committed a
 * transactional consumer must not see records of a transaction still open, including its own.
 * Only ok ops are considered: the reads of a `fail` or `info` op are not facts.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import type { PollEvent } from './digest.ts'

export function checkPrecommittedReads(context: CheckContext): Findings {
  const findings: Findings = {}
  // Only a transaction both sends and polls: its ok polls are all this needs to keep.
  const pollsByOp = new Map<number, PollEvent>()
  for (const poll of context.digest.polls) if (poll.type === 'ok' && poll.f === 'txn') pollsByOp.set(poll.op, poll)
  for (const sendOp of context.digest.sendOps) {
    const poll = pollsByOp.get(sendOp.op)
    if (sendOp.type !== 'ok' || poll === undefined) continue
    const written = new Map<string, Set<number>>()
    for (const send of sendOp.sends) {
      const values = written.get(send.key)
      if (values === undefined) written.set(send.key, new Set([send.value]))
      else values.add(send.value)
    }
    for (const key of sortedKeys(poll.reads)) {
      const values = written.get(key)
      if (values === undefined) continue
      const ownReads = poll.reads.get(key)!.filter(([, value]) => values.has(value))
      if (ownReads.length === 0) continue
      addCase(findings, 'precommitted-read', {
        key,
        values: ownReads.map(([, value]) => value),
        offsets: ownReads.map(([offset]) => offset),
        ops: [sendOp.op],
        process: sendOp.process,
        note: 'the transaction read values it wrote itself',
      })
    }
  }
  return findings
}

export const precommittedReadChecker: Checker = { name: 'precommitted-read', check: checkPrecommittedReads }
