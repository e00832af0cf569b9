/**
 * inconsistent-offsets: one key+offset holds two different values. Two clients disagreeing about
 * what a log contains means the log was rewritten (truncation followed by new appends, a stale
 * leader serving reads, an off-by-one in offset assignment).
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { observersAt, opsOf, valuesAt, want } from './version-order.ts'

export function checkInconsistentOffsets(context: CheckContext): Findings {
  const findings: Findings = {}
  const wanted = new Map<string, Set<number>>()
  for (const [key, keyOrder] of context.order) for (const offset of keyOrder.moreValuesAt.keys()) want(wanted, key, offset)
  if (wanted.size === 0) return findings
  const observers = observersAt(context.digest, wanted)
  for (const key of sortedKeys(wanted)) {
    const keyOrder = context.order.get(key)!
    for (const offset of [...wanted.get(key)!].sort((a, b) => a - b)) {
      addCase(findings, 'inconsistent-offsets', {
        key,
        values: valuesAt(keyOrder, offset),
        offsets: [offset],
        ops: opsOf(observers.get(key)?.get(offset)?.values() ?? []),
      })
    }
  }
  return findings
}

export const inconsistentOffsetsChecker: Checker = { name: 'inconsistent-offsets', check: checkInconsistentOffsets }
