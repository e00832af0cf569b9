/**
 * Poll order: a consumer reads a key's log in order, one value after the next.
 *
 * - poll-skip: a process's next poll of a key starts past values that exist in the log;
 * - nonmonotonic-poll: it starts at or before the last value the previous poll returned;
 * - int-poll-skip / int-nonmonotonic-poll: the same between successive reads within one op.
 *
 * Distances are in ranks of the version order (see version-order.ts), so only values someone
 * observed count as skipped. Tracking for a process restarts when it assigns, subscribes,
 * crashes, ends a poll `info`, or is named by a `rebalance` op: after those its position may
 * legally move (a rebalance resumes from the committed offset).
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { AnomalyName, CheckContext, Checker, Findings } from './anomaly.ts'
import type { Process } from './history.ts'
import { rankOf } from './version-order.ts'
import type { KeyOrder } from './version-order.ts'

interface LastRead {
  rank: number
  offset: number
  value: number
  op: number
}

interface Step {
  key: string
  process: Process
  from: LastRead
  to: LastRead
}

function report(findings: Findings, skipName: AnomalyName, backName: AnomalyName, step: Step): void {
  const distance = step.to.rank - step.from.rank
  if (distance === 1) return
  const ops = step.from.op === step.to.op ? [step.to.op] : [step.from.op, step.to.op]
  const note = distance > 1
    ? `skipped ${distance - 1} observed value(s) between offsets ${step.from.offset} and ${step.to.offset}`
    : distance === 0 ? `re-read offset ${step.to.offset}` : `went back ${-distance} position(s)`
  addCase(findings, distance > 1 ? skipName : backName, {
    key: step.key,
    values: [step.from.value, step.to.value],
    offsets: [step.from.offset, step.to.offset],
    ops,
    process: step.process,
    note,
  })
}

function checkOnePoll(
  findings: Findings,
  keyOrder: KeyOrder,
  records: Array<[number, number]>,
  op: number,
  process: Process,
  previous: LastRead | undefined,
): LastRead | undefined {
  let last = previous
  records.forEach(([offset, value], i) => {
    const read: LastRead = { rank: rankOf(keyOrder, offset), offset, value, op }
    if (last !== undefined) {
      const step = { key: keyOrder.key, process, from: last, to: read }
      if (i === 0) report(findings, 'poll-skip', 'nonmonotonic-poll', step)
      else report(findings, 'int-poll-skip', 'int-nonmonotonic-poll', step)
    }
    last = read
  })
  return last
}

export function checkPollOrder(context: CheckContext): Findings {
  const findings: Findings = {}
  const lastByProcess = new Map<Process, Map<string, LastRead>>()
  for (const event of context.digest.consumerTimeline) {
    if (event.kind === 'reset') {
      lastByProcess.delete(event.process)
      continue
    }
    let lastByKey = lastByProcess.get(event.process)
    if (lastByKey === undefined) {
      lastByKey = new Map()
      lastByProcess.set(event.process, lastByKey)
    }
    for (const key of sortedKeys(event.reads)) {
      const records = event.reads.get(key)!
      const keyOrder = context.order.get(key)
      if (keyOrder === undefined || records.length === 0) continue
      const last = checkOnePoll(findings, keyOrder, records, event.op, event.process, lastByKey.get(key))
      if (last !== undefined) lastByKey.set(key, last)
    }
  }
  return findings
}

export const pollOrderChecker: Checker = { name: 'poll-order', check: checkPollOrder }
