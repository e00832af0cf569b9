// Per-second figures of a chaos run for its reports: how many sends and polls completed each
// second (ok, fail, info), send latency (p50, p99, max) per second, and the fault bands (each
// nemesis start paired with its end). Fed by the interpreter's observer as ops are written,
// so nothing needs the whole history in memory.

import type { Op } from '../check/history.ts'
import { faultLabel } from './fault-label.ts'

export interface SecondSample {
  startSec: number
  sendsOk: number
  sendsFail: number
  sendsInfo: number
  pollsOk: number
  pollsFailed: number
  recordsRead: number
  sendLatencyMsP50: number | null
  sendLatencyMsP99: number | null
  sendLatencyMsMax: number | null
}

export interface FaultBand {
  startSec: number
  endSec: number
  label: string
}

/** Bound on seconds tracked (a week), so a runaway run cannot grow the series forever. */
const SECONDS_MAX = 7 * 24 * 3600
/** Latency samples kept per second; beyond it, samples are thinned by stride. */
const LATENCY_SAMPLES_PER_SECOND_MAX = 10_000

interface Bucket {
  sample: SecondSample
  latenciesMs: number[]
}

function quantile (sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

function countReads (value: unknown): number {
  let count = 0
  if (!Array.isArray(value)) return 0
  for (const micro of value) {
    if (!Array.isArray(micro) || micro[0] !== 'poll' || typeof micro[1] !== 'object' || micro[1] === null) continue
    for (const records of Object.values(micro[1] as Record<string, unknown>)) if (Array.isArray(records)) count += records.length
  }
  return count
}

export class Timeline {
  readonly #buckets: Bucket[] = []
  readonly #openFaults = new Map<number, { startSec: number, label: string }>()
  readonly bands: FaultBand[] = []
  lastSec = 0

  #bucket (sec: number): Bucket | null {
    const index = Math.floor(sec)
    if (index < 0 || index >= SECONDS_MAX) return null
    while (this.#buckets.length <= index) {
      this.#buckets.push({
        sample: {
          startSec: this.#buckets.length, sendsOk: 0, sendsFail: 0, sendsInfo: 0, pollsOk: 0, pollsFailed: 0, recordsRead: 0,
          sendLatencyMsP50: null, sendLatencyMsP99: null, sendLatencyMsMax: null,
        },
        latenciesMs: [],
      })
    }
    return this.#buckets[index]!
  }

  /** The interpreter's observer. */
  readonly observe = (op: Op, latencyNs: number | null): void => {
    const sec = op.timeNs / 1e9
    this.lastSec = Math.max(this.lastSec, sec)
    if (op.f === 'nemesis') {
      this.#nemesis(op, sec)
      return
    }
    if (op.type === 'invoke' || op.final === true) return
    const bucket = this.#bucket(sec)
    if (bucket === null) return
    const s = bucket.sample
    if (op.f === 'send') {
      if (op.type === 'ok') {
        s.sendsOk++
        if (latencyNs !== null && bucket.latenciesMs.length < LATENCY_SAMPLES_PER_SECOND_MAX) bucket.latenciesMs.push(latencyNs / 1e6)
      } else if (op.type === 'fail') s.sendsFail++
      else s.sendsInfo++
    } else if (op.f === 'poll') {
      if (op.type === 'ok') {
        s.pollsOk++
        s.recordsRead += countReads(op.value)
      } else s.pollsFailed++
    }
  }

  #nemesis (op: Op, sec: number): void {
    const value = op.value as { phase?: unknown, id?: unknown, fault?: unknown, targets?: unknown, details?: unknown }
    if (typeof value !== 'object' || value === null || typeof value.id !== 'number') return
    if (value.phase === 'start') {
      this.#openFaults.set(value.id, { startSec: sec, label: faultLabel(value) })
    } else if (value.phase === 'end') {
      const open = this.#openFaults.get(value.id)
      if (open === undefined) return
      this.#openFaults.delete(value.id)
      this.bands.push({ startSec: open.startSec, endSec: sec, label: open.label })
    }
  }

  /** Bands including faults never healed (they end at the last op). */
  allBands (): FaultBand[] {
    const open = [...this.#openFaults.values()].map(f => ({ startSec: f.startSec, endSec: this.lastSec, label: `${f.label} (not healed)` }))
    return [...this.bands, ...open].sort((a, b) => a.startSec - b.startSec)
  }

  samples (): SecondSample[] {
    return this.#buckets.map(({ sample, latenciesMs }) => {
      const sorted = [...latenciesMs].sort((a, b) => a - b)
      return { ...sample, sendLatencyMsP50: quantile(sorted, 0.5), sendLatencyMsP99: quantile(sorted, 0.99), sendLatencyMsMax: sorted.at(-1) ?? null }
    })
  }
}
