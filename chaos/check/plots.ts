/**
 * Data for the report's plots, computed with the verdict and bounded in size whatever the
 * history's length:
 *
 * - orders: for each key with anomalies (a few at most), the observed log: every (offset,
 *   value) seen, with the anomalous values marked. In a correct log the values climb with
 *   the offsets; lost, duplicated or inconsistent values stand out (Jepsen's "orders" plots).
 * - unseen: how many committed values no ok poll had returned yet, over time: it rises with
 *   load and must fall back to zero once the final polls ran.
 */
import { compareKeys } from './anomaly.ts'
import type { CheckContext, Findings } from './anomaly.ts'
import { valuesAt } from './version-order.ts'

export interface KeyOrderPlot {
  key: string
  /** [offset, value], ascending by offset; thinned to at most ORDER_POINTS_MAX. */
  points: Array<[number, number]>
  /** Values named by the key's anomaly cases. */
  anomalous: number[]
}

export interface Plots {
  orders: KeyOrderPlot[]
  /** [seconds since the run began, unseen values]. */
  unseen: Array<[number, number]>
}

export const ORDER_KEYS_MAX = 4
export const ORDER_POINTS_MAX = 2000
export const UNSEEN_POINTS_MAX = 300

function anomalousValuesByKey(anomalies: Findings): Map<string, Set<number>> {
  const byKey = new Map<string, Set<number>>()
  for (const cases of Object.values(anomalies)) {
    for (const found of cases) {
      if (found.key === undefined) continue
      let values = byKey.get(found.key)
      if (values === undefined) byKey.set(found.key, (values = new Set()))
      for (const value of found.values) values.add(value)
    }
  }
  return byKey
}

function orderPlot(context: CheckContext, key: string, anomalous: Set<number>): KeyOrderPlot {
  const keyOrder = context.order.get(key)
  const all: Array<[number, number]> = []
  for (const offset of keyOrder?.offsets ?? []) {
    for (const value of valuesAt(keyOrder!, offset)) all.push([offset, value])
  }
  const stride = Math.ceil(all.length / ORDER_POINTS_MAX)
  const points = all.filter(([, value], i) => i % stride === 0 || anomalous.has(value))
  return { key, points, anomalous: [...anomalous].sort((a, b) => a - b) }
}

function unseenSeries(context: CheckContext): Array<[number, number]> {
  const firstSeenNs = new Map<string, Map<number, number>>()
  for (const poll of context.digest.polls) {
    if (poll.type !== 'ok') continue
    for (const [key, records] of poll.reads) {
      let seen = firstSeenNs.get(key)
      if (seen === undefined) firstSeenNs.set(key, (seen = new Map()))
      for (const [, value] of records) {
        const known = seen.get(value)
        if (known === undefined || poll.completeNs < known) seen.set(value, poll.completeNs)
      }
    }
  }
  const starts: number[] = []
  const ends: number[] = []
  for (const sendOp of context.digest.sendOps) {
    for (const send of sendOp.sends) {
      if (!send.committed) continue
      starts.push(sendOp.completeNs)
      ends.push(Math.max(sendOp.completeNs, firstSeenNs.get(send.key)?.get(send.value) ?? Infinity))
    }
  }
  if (starts.length === 0) return []
  starts.sort((a, b) => a - b)
  ends.sort((a, b) => a - b)
  const lastNs = Math.max(starts.at(-1)!, ...ends.filter(Number.isFinite).slice(-1))
  const series: Array<[number, number]> = []
  let started = 0
  let ended = 0
  for (let i = 0; i <= UNSEEN_POINTS_MAX; i++) {
    const t = (lastNs * i) / UNSEEN_POINTS_MAX
    while (started < starts.length && starts[started]! <= t) started++
    while (ended < ends.length && ends[ended]! <= t) ended++
    series.push([t / 1e9, started - ended])
  }
  return series
}

export function plotsOf(context: CheckContext, anomalies: Findings): Plots {
  const byKey = anomalousValuesByKey(anomalies)
  const keys = [...byKey.keys()].sort(compareKeys).slice(0, ORDER_KEYS_MAX)
  return { orders: keys.map((key) => orderPlot(context, key, byKey.get(key)!)), unseen: unseenSeries(context) }
}
