// Samples every reference broker's replicas (GET /admin/replicas?checksum=false) at a fixed
// interval during a chaos run, keeps each replica's high watermark over time (a point only
// when something changes, with a cap), and flags as they happen any HW that goes backwards
// and any leader epoch seen with two leaders, for the end-of-run white-box checks of issue 10;
// it also keeps each partition's leader and ISR size over time (partition-timeline.ts) for the
// chaos report's charts. A broker that does not answer (killed,
// paused, cut off) just misses that sample; misses are counted per broker. Ticks never
// overlap: a slow round delays the next one.

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
  /** Per broker URL: rounds it did not answer, and the last error. */
  misses: Array<{ httpUrl: string, count: number, lastError: string }>
}

const REGRESSIONS_MAX = 1000

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
  #points = 0
  #pointsDropped = 0
  #rounds = 0
  #timer: NodeJS.Timeout | null = null
  #running: Promise<void> | null = null
  #stopped = true

  constructor (options: HighWatermarkSamplerOptions) {
    this.#urls = options.httpUrls
    this.#intervalMs = options.intervalMs ?? 250
    this.#timeoutMs = options.requestTimeoutMs ?? 2000
    this.#pointsMax = options.pointsMax ?? 100_000
  }

  start (): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#schedule(0)
  }

  /** Stops sampling (after the round in flight) and returns what was seen. */
  async stop (): Promise<HighWatermarkSamples> {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    await this.#running
    return this.samples()
  }

  /** Regressions seen so far (a chaos run may want to fail early). */
  get regressions (): readonly HighWatermarkRegression[] { return this.#regressions }

  samples (): HighWatermarkSamples {
    return {
      rounds: this.#rounds,
      series: [...this.#series.values()].map(s => ({ ...s, points: [...s.points] })),
      regressions: [...this.#regressions],
      epochLeaderConflicts: this.#epochLeaders.conflicts(),
      partitions: this.#partitions.timelines(),
      pointsDropped: this.#pointsDropped + this.#partitions.pointsDropped,
      misses: [...this.#misses].map(([httpUrl, m]) => ({ httpUrl, ...m })),
    }
  }

  /** One round over every broker; also usable without start() for a single look. */
  async sampleOnce (): Promise<void> {
    this.#rounds++
    const roundAtMs = Date.now()
    const answered: ReplicasReport[] = []
    await Promise.all(this.#urls.map(async httpUrl => {
      try {
        const report = await fetchReplicas(httpUrl, { checksum: false }, { timeoutMs: this.#timeoutMs, attemptsMax: 1 })
        answered.push(report)
        for (const r of report.replicas) {
          this.#record({ atMs: report.nowMs, brokerId: report.brokerId, incarnation: report.incarnation, topic: r.topic, topicId: r.topicId, partition: r.partition, role: r.role, leaderEpoch: r.leaderEpoch, leadingEpoch: r.leadingEpoch, highWatermark: r.highWatermark, logEndOffset: r.logEndOffset })
        }
      } catch (err) {
        const miss = this.#misses.get(httpUrl) ?? { count: 0, lastError: '' }
        miss.count++
        miss.lastError = (err as Error).message
        this.#misses.set(httpUrl, miss)
      }
    }))
    this.#partitions.observeRound(roundAtMs, answered)
  }

  #schedule (delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#running = this.sampleOnce().finally(() => {
        this.#running = null
        if (!this.#stopped) this.#schedule(this.#intervalMs)
      })
    }, delayMs)
    this.#timer.unref()
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
