// Was a figure disturbed while it was measured? Each load-generator thread watches its own
// event loop through perf_hooks (garbage-collection pauses from a 'gc' PerformanceObserver,
// the longest event-loop delay from monitorEventLoopDelay) and hands the figures to the
// parent with every StatsSnapshot. The parent keeps, per worker and over the measured phase
// only, the worst of them and the seconds in which a producer fell behind its schedule
// (publish delay p99 over PUBLISH_DELAY_BOUND_US); the report flags each.

import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { decodeHistogram } from './histogram.ts'

/** A GC pause at least this long is flagged. */
export const GC_PAUSE_FLAG_MS = 10
/** An event-loop delay at least this long (the thread could not run its sends) is flagged. */
export const EVENT_LOOP_DELAY_FLAG_MS = 20
/** A second in which a producer worker's publish delay p99 was above this: it fell behind. */
export const PUBLISH_DELAY_BOUND_US = 5000
/** monitorEventLoopDelay sampling resolution. */
const LOOP_RESOLUTION_MS = 10

/** What one worker saw of its own pauses since its previous snapshot. */
export interface WorkerPauses {
  gcPauses: number
  gcPausesOverThreshold: number
  gcPauseMaxMs: number
  eventLoopDelayMaxMs: number
}

/** Runs in a worker thread: observes GC and the event loop from start() on. */
export class PauseMonitor {
  readonly #loop: ReturnType<typeof monitorEventLoopDelay> = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  readonly #observer: PerformanceObserver
  #gcPauses = 0
  #gcOver = 0
  #gcMaxMs = 0

  constructor () {
    this.#observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        this.#gcPauses++
        if (entry.duration >= GC_PAUSE_FLAG_MS) this.#gcOver++
        if (entry.duration > this.#gcMaxMs) this.#gcMaxMs = entry.duration
      }
    })
  }

  start (): void {
    this.#observer.observe({ entryTypes: ['gc'] })
    this.#loop.enable()
  }

  stop (): void {
    this.#observer.disconnect()
    this.#loop.disable()
  }

  /** Everything since the previous call. */
  take (): WorkerPauses {
    const pauses: WorkerPauses = {
      gcPauses: this.#gcPauses,
      gcPausesOverThreshold: this.#gcOver,
      gcPauseMaxMs: this.#gcMaxMs,
      // The histogram's max minus the sampling period: the delay past the expected wake-up.
      eventLoopDelayMaxMs: this.#loop.count > 0 ? Math.max(0, this.#loop.max / 1e6 - LOOP_RESOLUTION_MS) : 0,
    }
    this.#gcPauses = 0
    this.#gcOver = 0
    this.#gcMaxMs = 0
    this.#loop.reset()
    return pauses
  }
}

/** Per worker, over the measured phase. */
export interface WorkerDisturbance {
  source: string
  gcPauses: number
  gcPausesOverThreshold: number
  gcPauseMaxMs: number
  eventLoopDelayMaxMs: number
  /** Measured seconds in which this worker's publish delay p99 exceeded the bound (producers only). */
  secondsBehind: number
  publishDelayMaxUs: number
}

/** Runs in the parent: folds the measured phase's snapshots into per-worker figures. */
export class DisturbanceTracker {
  readonly #byWorker = new Map<string, WorkerDisturbance>()

  add (snapshot: { source: string, pauses?: WorkerPauses, publishDelayUs: string | null }, measured: boolean): void {
    if (!measured) return
    let w = this.#byWorker.get(snapshot.source)
    if (w === undefined) {
      w = { source: snapshot.source, gcPauses: 0, gcPausesOverThreshold: 0, gcPauseMaxMs: 0, eventLoopDelayMaxMs: 0, secondsBehind: 0, publishDelayMaxUs: 0 }
      this.#byWorker.set(snapshot.source, w)
    }
    const p = snapshot.pauses
    if (p !== undefined) {
      w.gcPauses += p.gcPauses
      w.gcPausesOverThreshold += p.gcPausesOverThreshold
      w.gcPauseMaxMs = Math.max(w.gcPauseMaxMs, p.gcPauseMaxMs)
      w.eventLoopDelayMaxMs = Math.max(w.eventLoopDelayMaxMs, p.eventLoopDelayMaxMs)
    }
    if (snapshot.publishDelayUs !== null) {
      try {
        const h = decodeHistogram(snapshot.publishDelayUs)
        if (h.getValueAtPercentile(99) > PUBLISH_DELAY_BOUND_US) w.secondsBehind++
        w.publishDelayMaxUs = Math.max(w.publishDelayMaxUs, h.maxValue)
      } catch {
        // A snapshot that does not decode is the recorder's problem to report, not ours.
      }
    }
  }

  workers (): WorkerDisturbance[] {
    return [...this.#byWorker.values()].sort((a, b) => a.source.localeCompare(b.source))
  }
}

/** One sentence per disturbed figure; empty when nothing was. */
export function disturbanceFlags (workers: readonly WorkerDisturbance[]): string[] {
  const flags: string[] = []
  for (const w of workers) {
    if (w.secondsBehind > 0) flags.push(`${w.source} fell behind its schedule in ${w.secondsBehind} measured second(s) (publish delay p99 over ${PUBLISH_DELAY_BOUND_US / 1000} ms, max ${(w.publishDelayMaxUs / 1000).toFixed(1)} ms): publish delay and corrected latency are inflated by the load generator`)
    if (w.gcPausesOverThreshold > 0) flags.push(`${w.source} had ${w.gcPausesOverThreshold} GC pause(s) of ${GC_PAUSE_FLAG_MS} ms or more (longest ${w.gcPauseMaxMs.toFixed(1)} ms): its latencies include them`)
    if (w.eventLoopDelayMaxMs >= EVENT_LOOP_DELAY_FLAG_MS) flags.push(`${w.source}'s event loop was blocked for up to ${w.eventLoopDelayMaxMs.toFixed(1)} ms: sends or receipts due then were late`)
  }
  return flags
}
