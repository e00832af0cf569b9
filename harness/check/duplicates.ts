/**
 * duplicate: one value at more than one offset of its key. Every value names exactly one send and
 * the harness never retries, so a second copy was written by a client retry the broker failed to
 * deduplicate (idempotence off, or broken). Output keys of a consume-transform-produce run are left
 * to the exactly-once checker, which reports the same fact as a duplicated output.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { opsOf } from './version-order.ts'

export function checkDuplicates(context: CheckContext): Findings {
  const findings: Findings = {}
  const outputKeys = new Set(context.digest.transform.values())
  for (const key of sortedKeys(context.order)) {
    if (outputKeys.has(key)) continue
    const keyOrder = context.order.get(key)!
    const values = [...keyOrder.byValue.keys()].sort((a, b) => a - b)
    for (const value of values) {
      const offsets = keyOrder.byValue.get(value)!
      if (offsets.size < 2) continue
      addCase(findings, 'duplicate', {
        key,
        values: [value],
        offsets: [...offsets.keys()].sort((a, b) => a - b),
        ops: opsOf(offsets),
      })
    }
  }
  return findings
}

export const duplicatesChecker: Checker = { name: 'duplicate', check: checkDuplicates }
