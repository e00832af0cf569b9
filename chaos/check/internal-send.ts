/**
 * Sends within one transaction, as in Jepsen's Kafka checker:
 *
 * - int-send-skip: two successive sends of one transaction to a key land with other values
 *   between them in the key's log (another writer interleaved: a lack of write isolation);
 * - int-nonmonotonic-send: the later send lands at or before the earlier one.
 *
 * Positions are ranks in the version order, so only observed values count as skipped. Only
 * `txn` ops that did not fail are considered: the sends of a plain `send` op are not promised
 * to be contiguous, and an aborted transaction's sends must not be visible at all (G1a).
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import type { SendOpEvent } from './digest.ts'
import { positionOf } from './version-order.ts'

function sendsByKey(sendOp: SendOpEvent): Map<string, number[]> {
  const byKey = new Map<string, number[]>()
  for (const send of sendOp.sends) {
    const values = byKey.get(send.key)
    if (values === undefined) byKey.set(send.key, [send.value])
    else values.push(send.value)
  }
  return byKey
}

export function checkInternalSends(context: CheckContext): Findings {
  const findings: Findings = {}
  for (const sendOp of context.digest.sendOps) {
    if (sendOp.type === 'fail' || !context.digest.txnOps.has(sendOp.op)) continue
    const byKey = sendsByKey(sendOp)
    for (const key of sortedKeys(byKey)) {
      const keyOrder = context.order.get(key)
      const values = byKey.get(key)!
      for (let i = 1; i < values.length; i++) {
        const earlier = positionOf(keyOrder, values[i - 1]!)
        const later = positionOf(keyOrder, values[i]!)
        if (earlier === undefined || later === undefined) continue
        const delta = later.rank - earlier.rank
        if (delta === 1) continue
        addCase(findings, delta > 1 ? 'int-send-skip' : 'int-nonmonotonic-send', {
          key,
          values: [values[i - 1]!, values[i]!],
          offsets: [earlier.offset, later.offset],
          ops: [sendOp.op],
          process: sendOp.process,
          note: delta > 1
            ? `${delta - 1} other value(s) landed between two sends of one transaction`
            : `the later send landed ${delta === 0 ? 'at the same position as' : `${-delta} position(s) before`} the earlier one`,
        })
      }
    }
  }
  return findings
}

export const internalSendChecker: Checker = { name: 'int-send', check: checkInternalSends }
