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

export function anomalousValuesByKey(anomalies: Findings): Map<string, Set<number>> {
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

export function orderPlot(context: CheckContext, key: string, anomalous: Set<number>): KeyOrderPlot {
  const keyOrder = context.order.get(key)
  const all: Array<[number, number]> = []
  for (const offset of keyOrder?.offsets ?? []) {
    for (const value of valuesAt(keyOrder!, offset)) all.push([offset, value])
  }
  const stride = Math.ceil(all.length / ORDER_POINTS_MAX)
  const points = all.filter(([, value], i) => i % stride === 0 || anomalous.has(value))
  return { key, points, anomalous: [...anomalous].sort((a, b) => a - b) }
}

/** key -> value -> completion time of the first ok poll that returned it. */
function firstSeenTimes(context: CheckContext): Map<string, Map<number, number>> {
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
  return firstSeenNs
}

function unseenSeries(context: CheckContext): Array<[number, number]> {
  const firstSeenNs = firstSeenTimes(context)
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

/**
 * The unseen series of a bounded check (bounded-check.ts), bucket by bucket: each committed
 * send adds one to the count from the first sample at or after its completion until the first
 * sample at or after its first read. Samples span the run up to `lastNs` (the last completion
 * in the history), so the series is the in-memory one's on a time axis that may reach further.
 */
export class UnseenBins {
  readonly #lastNs: number
  readonly #starts = new Float64Array(UNSEEN_POINTS_MAX + 1)
  readonly #ends = new Float64Array(UNSEEN_POINTS_MAX + 1)
  #sends = 0

  constructor(lastNs: number) { this.#lastNs = lastNs }

  /** The first sample whose time is at or after `ns` (UNSEEN_POINTS_MAX + 1 if none). */
  #sampleOf(ns: number): number {
    const at = (i: number): number => (this.#lastNs * i) / UNSEEN_POINTS_MAX
    let i = Math.max(0, Math.min(UNSEEN_POINTS_MAX + 1, Math.ceil((ns / this.#lastNs) * UNSEEN_POINTS_MAX)))
    while (i > 0 && at(i - 1) >= ns) i--
    while (i <= UNSEEN_POINTS_MAX && at(i) < ns) i++
    return i
  }

  add(context: CheckContext): void {
    const firstSeenNs = firstSeenTimes(context)
    for (const sendOp of context.digest.sendOps) {
      for (const send of sendOp.sends) {
        if (!send.committed) continue
        this.#sends++
        const start = this.#sampleOf(sendOp.completeNs)
        if (start <= UNSEEN_POINTS_MAX) this.#starts[start]!++
        const seenNs = firstSeenNs.get(send.key)?.get(send.value)
        if (seenNs === undefined) continue
        const end = this.#sampleOf(Math.max(sendOp.completeNs, seenNs))
        if (end <= UNSEEN_POINTS_MAX) this.#ends[end]!++
      }
    }
  }

  series(): Array<[number, number]> {
    if (this.#sends === 0) return []
    const series: Array<[number, number]> = []
    let unseen = 0
    for (let i = 0; i <= UNSEEN_POINTS_MAX; i++) {
      unseen += this.#starts[i]! - this.#ends[i]!
      series.push([(this.#lastNs * i) / UNSEEN_POINTS_MAX / 1e9, unseen])
    }
    return series
  }
}

/** The plots of a bounded check: `contextOf` reads back the bucket of an anomalous key. */
export async function boundedPlots(anomalies: Findings, unseen: UnseenBins, contextOf: (key: string) => Promise<CheckContext>): Promise<Plots> {
  const byKey = anomalousValuesByKey(anomalies)
  const keys = [...byKey.keys()].sort(compareKeys).slice(0, ORDER_KEYS_MAX)
  const orders: KeyOrderPlot[] = []
  for (const key of keys) orders.push(orderPlot(await contextOf(key), key, byKey.get(key)!))
  return { orders, unseen: unseen.series() }
}
