// Samples every reference broker's replicas (GET /admin/replicas?checksum=false) at a fixed
// interval during a chaos run, keeps each replica's high watermark over time (a point only
// when something changes, with a cap), and flags as they happen any HW that goes backwards
// and any leader epoch seen with two leaders, for the end-of-run white-box checks of issue 10;
// it also keeps each partition's leader and ISR size over time (partition-timeline.ts) for the
// chaos report's charts. Each broker is sampled by its own loop, so a paused or cut-off broker
// (which just misses its turns, counted per broker) does not slow the sampling of the others;
// one broker's requests never overlap.

import { fetchReplicas } from './replica-admin.ts'
import { EpochLeaderTracker, type EpochLeaderConflict } from './epoch-leaders.ts'
import { PartitionTimelineTracker, type PartitionTimeline } from './partition-timeline.ts'
import type { ReplicasReport } from './replica-admin.ts'
import { HighWatermarkTracker, replicaKey, type HighWatermarkObservation, type HighWatermarkPoint, type HighWatermarkRegression } from './hw-regressions.ts'

export interface HighWatermarkSamplerOptions {
  httpUrls: readonly string[]
  /** Default 250 ms. */
  intervalMs?: number
  /** Per request; default 2 s (a paused broker must not stall the sampler for long). */
  requestTimeoutMs?: number
  /** Points kept over all replicas; later changes are counted in `pointsDropped`. Default 100,000. */
  pointsMax?: number
}

export interface HighWatermarkSeries {
  brokerId: number
  topic: string
  topicId: string | null
  partition: number
  points: HighWatermarkPoint[]
}

export interface HighWatermarkSamples {
  rounds: number
  series: HighWatermarkSeries[]
  regressions: HighWatermarkRegression[]
  epochLeaderConflicts: EpochLeaderConflict[]
  /** Each partition's leader, leader epoch and ISR size over time (harness clock, ms). */
  partitions: PartitionTimeline[]
  pointsDropped: number
  /** Per broker URL that missed any: requests it did not answer (of `attempts`), and the last error. */
  misses: Array<{ httpUrl: string, count: number, attempts: number, lastError: string }>
}

const REGRESSIONS_MAX = 1000
/** Another broker's last answer still counts for the partition timeline this long. */
const VIEW_FRESH_MS = 1000

export class HighWatermarkSampler {
  readonly #urls: readonly string[]
  readonly #intervalMs: number
  readonly #timeoutMs: number
  readonly #pointsMax: number
  readonly #tracker = new HighWatermarkTracker()
  readonly #epochLeaders = new EpochLeaderTracker()
  readonly #partitions = new PartitionTimelineTracker()
  readonly #series = new Map<string, HighWatermarkSeries>()
  readonly #regressions: HighWatermarkRegression[] = []
  readonly #misses = new Map<string, { count: number, lastError: string }>()
  readonly #attempts = new Map<string, number>()
  /** Each answering broker's last report, and since when it has answered without a miss. */
  readonly #latest = new Map<string, { report: ReplicasReport, atMs: number, answeringSinceMs: number }>()
  #points = 0
  #pointsDropped = 0
  #stop: AbortController | null = null
  #loops: Array<Promise<void>> = []

  constructor (options: HighWatermarkSamplerOptions) {
    this.#urls = options.httpUrls
    this.#intervalMs = options.intervalMs ?? 250
    this.#timeoutMs = options.requestTimeoutMs ?? 2000
    this.#pointsMax = options.pointsMax ?? 100_000
  }

  start (): void {
    if (this.#stop !== null) return
    const stop = new AbortController()
    this.#stop = stop
    this.#loops = this.#urls.map(url => this.#loop(url, stop.signal))
  }

  /** Stops sampling (after the requests in flight) and returns what was seen. */
  async stop (): Promise<HighWatermarkSamples> {
    this.#stop?.abort()
    await Promise.all(this.#loops)
    this.#stop = null
    this.#loops = []
    return this.samples()
  }

  /** Regressions seen so far (a chaos run may want to fail early). */
  get regressions (): readonly HighWatermarkRegression[] { return this.#regressions }

  samples (): HighWatermarkSamples {
    return {
      rounds: Math.max(0, ...this.#attempts.values()),
      series: [...this.#series.values()].map(s => ({ ...s, points: [...s.points] })),
      regressions: [...this.#regressions],
      epochLeaderConflicts: this.#epochLeaders.conflicts(),
      partitions: this.#partitions.timelines(),
      pointsDropped: this.#pointsDropped + this.#partitions.pointsDropped,
      misses: [...this.#misses].map(([httpUrl, m]) => ({ httpUrl, ...m, attempts: this.#attempts.get(httpUrl) ?? 0 })),
    }
  }

  /** One request to every broker; also usable without start() for a single look. */
  async sampleOnce (): Promise<void> {
    await Promise.all(this.#urls.map(url => this.#sampleBroker(url)))
  }

  async #loop (httpUrl: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const began = Date.now()
      await this.#sampleBroker(httpUrl)
      const waitMs = began + this.#intervalMs - Date.now()
      if (waitMs > 0 && !signal.aborted) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(done, waitMs)
          timer.unref()
          function done (): void {
            clearTimeout(timer)
            signal.removeEventListener('abort', done)
            resolve()
          }
          signal.addEventListener('abort', done, { once: true })
        })
      }
    }
  }

  async #sampleBroker (httpUrl: string): Promise<void> {
    this.#attempts.set(httpUrl, (this.#attempts.get(httpUrl) ?? 0) + 1)
    const atMs = Date.now()
    try {
      const report = await fetchReplicas(httpUrl, { checksum: false }, { timeoutMs: this.#timeoutMs, attemptsMax: 1 })
      for (const r of report.replicas) {
        this.#record({ atMs: report.nowMs, brokerId: report.brokerId, incarnation: report.incarnation, topic: r.topic, topicId: r.topicId, partition: r.partition, role: r.role, leaderEpoch: r.leaderEpoch, leadingEpoch: r.leadingEpoch, highWatermark: r.highWatermark, logEndOffset: r.logEndOffset })
      }
      this.#latest.set(httpUrl, { report, atMs, answeringSinceMs: this.#latest.get(httpUrl)?.answeringSinceMs ?? atMs })
      // The partitions as every broker that answered lately sees them, the longest-answering
      // first: in an epoch tie the timeline takes the first view, and a broker just back from a
      // pause may still hold a stale one (an ISR it has not yet heard was changed).
      const views = [...this.#latest.values()].filter(v => atMs - v.atMs <= VIEW_FRESH_MS)
        .sort((a, b) => a.answeringSinceMs - b.answeringSinceMs).map(v => v.report)
      this.#partitions.observeRound(atMs, views)
    } catch (err) {
      this.#latest.delete(httpUrl)
      const miss = this.#misses.get(httpUrl) ?? { count: 0, lastError: '' }
      miss.count++
      miss.lastError = (err as Error).message
      this.#misses.set(httpUrl, miss)
    }
  }

  #record (o: HighWatermarkObservation): void {
    this.#epochLeaders.observe(o)
    const regression = this.#tracker.observe(o)
    if (regression !== null && this.#regressions.length < REGRESSIONS_MAX) this.#regressions.push(regression)
    if (o.highWatermark === null) return
    const k = replicaKey(o)
    let series = this.#series.get(k)
    if (series === undefined) {
      series = { brokerId: o.brokerId, topic: o.topic, topicId: o.topicId, partition: o.partition, points: [] }
      this.#series.set(k, series)
    }
    const last = series.points.at(-1)
    if (last !== undefined && last.highWatermark === o.highWatermark && last.role === o.role && last.leaderEpoch === o.leaderEpoch && last.incarnation === o.incarnation) return
    if (this.#points >= this.#pointsMax) {
      this.#pointsDropped++
      return
    }
    this.#points++
    series.points.push({ atMs: o.atMs, incarnation: o.incarnation, role: o.role, leaderEpoch: o.leaderEpoch, highWatermark: o.highWatermark })
  }
}
