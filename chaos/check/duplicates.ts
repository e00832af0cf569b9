/**
 * duplicate: one value at more than one offset of its key. Every value names exactly one send and
 * the harness never retries, so a second copy was written by a client retry the broker failed to
 * deduplicate (idempotence off, or broken). Output keys of a consume-transform-produce run are left
 * to the exactly-once checker, which reports the same fact as a duplicated output.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { observersAt, offsetsOf, opsOf, want } from './version-order.ts'
import type { KeyOrder, Observers } from './version-order.ts'

/** The ops that observed `value` at any of its offsets. */
export function valueObservers(observers: Observers, key: string, offsets: readonly number[], value: number): number[] {
  return opsOf(offsets.map((offset) => observers.get(key)?.get(offset)?.get(value) ?? []))
}

/** Values of a key seen at more than one offset, with the evidence scan they need. */
export function duplicatedValues(context: CheckContext, keys: Iterable<string>): { byKey: Map<string, number[]>, observers: Observers } {
  const byKey = new Map<string, number[]>()
  const wanted = new Map<string, Set<number>>()
  for (const key of keys) {
    const keyOrder: KeyOrder | undefined = context.order.get(key)
    if (keyOrder === undefined || keyOrder.moreOffsetsOf.size === 0) continue
    const values = [...keyOrder.moreOffsetsOf.keys()].sort((a, b) => a - b)
    byKey.set(key, values)
    for (const value of values) for (const offset of offsetsOf(keyOrder, value)) want(wanted, key, offset)
  }
  return { byKey, observers: wanted.size === 0 ? new Map() : observersAt(context.digest, wanted) }
}

export function checkDuplicates(context: CheckContext): Findings {
  const findings: Findings = {}
  const outputKeys = new Set(context.digest.transform.values())
  const { byKey, observers } = duplicatedValues(context, [...context.order.keys()].filter((key) => !outputKeys.has(key)))
  for (const key of sortedKeys(byKey)) {
    const keyOrder = context.order.get(key)!
    for (const value of byKey.get(key)!) {
      const offsets = offsetsOf(keyOrder, value)
      addCase(findings, 'duplicate', { key, values: [value], offsets, ops: valueObservers(observers, key, offsets, value) })
    }
  }
  return findings
}

export const duplicatesChecker: Checker = { name: 'duplicate', check: checkDuplicates }
