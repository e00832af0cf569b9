/**
 * unseen: acknowledged (or proven committed) sends that no ok poll returned by the end of the run. Only decided when the
 * history has final polls (ops with `final: true`), since without them "not read yet" is normal.
 * Values already reported as lost-write are not repeated here, and the input keys of a
 * consume-transform-produce run are left out: their fate is what the exactly-once check decides.
 */
import { addCase } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { isLost, summarizeReads } from './reads.ts'

export function hasFinalPolls(context: CheckContext): boolean {
  return context.digest.stats.pollsFinal > 0
}

export function checkUnseen(context: CheckContext): Findings {
  const findings: Findings = {}
  if (!hasFinalPolls(context)) return findings
  const reads = summarizeReads(context.digest)
  for (const send of context.digest.sends) {
    if (!send.committed || context.digest.transform.has(send.key)) continue
    const keyReads = reads.get(send.key)
    if (keyReads?.values.has(send.value) === true || isLost(keyReads, send.value, send.offset)) continue
    addCase(findings, 'unseen', {
      key: send.key,
      values: [send.value],
      offsets: [send.offset],
      ops: [send.op],
      process: send.process,
    })
  }
  return findings
}

export const unseenChecker: Checker = { name: 'unseen', check: checkUnseen }
