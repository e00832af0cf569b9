/**
 * Send order: the log of a key keeps each producer's writes in the order it made them.
 *
 * - order: the broker's acknowledgements to one producer process for a key, taken by value (the
 *   order it sent them, since values increase), must carry strictly increasing offsets.
 * - nonmonotonic-send: a process's later send to a key lands at a lower position of the log,
 *   where positions come from the version order, so sends that ended `info` count too once a
 *   poll placed their value. Pairs where both sends were acknowledged with an offset are the
 *   `order` checker's, so one misordering is reported once.
 *
 * Two values at the same offset are inconsistent-offsets, not a reordering, and are skipped here.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import type { SendEvent } from './digest.ts'
import type { Process } from './history.ts'
import { positionOf } from './version-order.ts'

/** One producer's acknowledged sends to one key: values, offsets and ops side by side. */
interface AckedSends {
  values: number[]
  offsets: number[]
  ops: number[]
}

/** Plain number lists, not an object per send: a long history has millions of them. */
function groupAckedSends(sends: Iterable<SendEvent>): Map<string, Map<Process, AckedSends>> {
  const byKey = new Map<string, Map<Process, AckedSends>>()
  for (const send of sends) {
    if (!send.committed || send.offset === null) continue
    let byProcess = byKey.get(send.key)
    if (byProcess === undefined) {
      byProcess = new Map()
      byKey.set(send.key, byProcess)
    }
    let list = byProcess.get(send.process)
    if (list === undefined) byProcess.set(send.process, (list = { values: [], offsets: [], ops: [] }))
    list.values.push(send.value)
    list.offsets.push(send.offset)
    list.ops.push(send.op)
  }
  return byKey
}

/** Positions of a list in ascending value order (stable; usually already in order). */
function byValue(values: readonly number[]): number[] {
  const order = values.map((_, i) => i)
  for (let i = 1; i < values.length; i++) {
    if (values[i]! < values[i - 1]!) return order.sort((a, b) => values[a]! - values[b]!)
  }
  return order
}

export function checkOrder(context: CheckContext): Findings {
  const findings: Findings = {}
  const byKey = groupAckedSends(context.digest.sends)
  for (const key of sortedKeys(byKey)) {
    for (const [process, sends] of byKey.get(key)!) {
      const order = byValue(sends.values)
      for (let i = 1; i < order.length; i++) {
        const earlier = order[i - 1]!
        const later = order[i]!
        if (sends.offsets[later]! >= sends.offsets[earlier]!) continue
        const [earlierValue, laterValue] = [sends.values[earlier]!, sends.values[later]!]
        const [earlierOp, laterOp] = [sends.ops[earlier]!, sends.ops[later]!]
        addCase(findings, 'order', {
          key,
          values: [earlierValue, laterValue],
          offsets: [sends.offsets[earlier]!, sends.offsets[later]!],
          ops: earlierOp === laterOp ? [laterOp] : [earlierOp, laterOp],
          process,
          note: `value ${laterValue} was acknowledged at a lower offset than the earlier value ${earlierValue}`,
        })
      }
    }
  }
  return findings
}

interface Placed {
  value: number
  rank: number
  offset: number
  op: number
  acked: boolean
}

export function checkNonmonotonicSend(context: CheckContext): Findings {
  const findings: Findings = {}
  const lastByProcess = new Map<Process, Map<string, Placed>>()
  for (const sendOp of context.digest.sendOps) {
    if (sendOp.type === 'fail') continue
    let lastByKey = lastByProcess.get(sendOp.process)
    if (lastByKey === undefined) {
      lastByKey = new Map()
      lastByProcess.set(sendOp.process, lastByKey)
    }
    for (const send of sendOp.sends) {
      const position = positionOf(context.order.get(send.key), send.value)
      if (position === undefined) continue
      const placed: Placed = { value: send.value, ...position, op: send.op, acked: send.committed && send.offset !== null }
      const last = lastByKey.get(send.key)
      lastByKey.set(send.key, placed)
      if (last === undefined || placed.rank >= last.rank || (placed.acked && last.acked)) continue
      addCase(findings, 'nonmonotonic-send', {
        key: send.key,
        values: [last.value, placed.value],
        offsets: [last.offset, placed.offset],
        ops: last.op === placed.op ? [placed.op] : [last.op, placed.op],
        process: sendOp.process,
        note: `value ${placed.value} sits ${last.rank - placed.rank} position(s) before the earlier send's value ${last.value}`,
      })
    }
  }
  return findings
}

export const orderChecker: Checker = { name: 'order', check: checkOrder }
export const nonmonotonicSendChecker: Checker = { name: 'nonmonotonic-send', check: checkNonmonotonicSend }
