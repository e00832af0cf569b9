/**
 * lost-write: an acknowledged send, at or below the highest offset anyone read of its key, that no
 * ok poll ever returned. Sends that ended `info` count once proven committed (see digest.ts);
 * until then they are indeterminate and never lost. Sends without a known offset cannot be
 * placed and are left to `unseen`.
 */
import { addCase } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { isLost, summarizeReads } from './reads.ts'

export function checkLostWrites(context: CheckContext): Findings {
  const findings: Findings = {}
  const reads = summarizeReads(context.digest)
  for (const send of context.digest.sends) {
    if (!send.committed) continue
    const keyReads = reads.get(send.key)
    if (keyReads === undefined || !isLost(keyReads, send.value, send.offset)) continue
    addCase(findings, 'lost-write', {
      key: send.key,
      values: [send.value],
      offsets: [send.offset],
      ops: [...new Set([send.op, keyReads.offsetMaxOp])].sort((a, b) => a - b),
      process: send.process,
      note: `never read, yet op ${keyReads.offsetMaxOp} read offset ${keyReads.offsetMax} of this key`,
    })
  }
  return findings
}

export const lostWriteChecker: Checker = { name: 'lost-write', check: checkLostWrites }
