/**
 * inconsistent-offsets: one key+offset holds two different values. Two clients disagreeing about
 * what a log contains means the log was rewritten (truncation followed by new appends, a stale
 * leader serving reads, an off-by-one in offset assignment).
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { opsOf } from './version-order.ts'

export function checkInconsistentOffsets(context: CheckContext): Findings {
  const findings: Findings = {}
  for (const key of sortedKeys(context.order)) {
    const keyOrder = context.order.get(key)!
    for (const offset of keyOrder.offsets) {
      const values = keyOrder.byOffset.get(offset)!
      if (values.size < 2) continue
      addCase(findings, 'inconsistent-offsets', {
        key,
        values: [...values.keys()].sort((a, b) => a - b),
        offsets: [offset],
        ops: opsOf(values),
      })
    }
  }
  return findings
}

export const inconsistentOffsetsChecker: Checker = { name: 'inconsistent-offsets', check: checkInconsistentOffsets }
