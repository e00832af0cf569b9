// The parent's per-second time series. Workers post StatsSnapshots; the runner calls
// closeInterval once a second, which merges every snapshot received since the previous
// close into one IntervalSample: counts, bytes, backlog, errors by code and the quantiles
// of the four latencies.
//
// Every interval is kept in the series with its phase, warm-up included, so a chart shows
// the whole run; only intervals of the 'measure' phase feed the aggregates (totals and
// whole-run histograms). A snapshot that arrives just after a close lands in the next
// interval: no count is lost or counted twice, it is only attributed a second late.

import type { Histogram } from 'hdr-histogram-js'
import { monotonicUs } from './clock.ts'
import { createLatencyHistogram, mergeHistograms, quantilesOf } from './histogram.ts'
import type { LatencyQuantiles } from './histogram.ts'
import { ERROR_CODES_MAX, LATENCY_KINDS, OTHER_ERROR_CODE } from './worker-stats.ts'
import type { LatencyKind, StatsSnapshot } from './worker-stats.ts'

/**
 * warmup: traffic before measuring (discarded from aggregates, as OMB does); max-rate:
 * steps of the producerRate-0 search; measure: the measured phase; drain: after the
 * measured phase, producers stopped, consumers catching up.
 */
export type Phase = 'warmup' | 'max-rate' | 'measure' | 'drain'
export const PHASES: readonly Phase[] = ['warmup', 'max-rate', 'measure', 'drain']

/** A week of one-second intervals, plus a day of slack for warm-up and search. */
export const INTERVALS_MAX = 8 * 24 * 3600

export type IntervalLatencies = Record<LatencyKind, LatencyQuantiles | null>

export interface IntervalSample extends IntervalLatencies {
  index: number
  /** Start of the interval, seconds since the recorder started. */
  startSec: number
  durationSec: number
  phase: Phase
  /** Whether the interval counts in the aggregates (phase 'measure'). */
  measured: boolean
  /** The rate the producers were asked for, msg/s (0 = unlimited); null when unknown. */
  targetRatePerSec: number | null
  publishedCount: number
  publishedBytes: number
  publishErrorCount: number
  consumedCount: number
  consumedBytes: number
  /** Messages produced (times subscriptions) minus consumed, at the end of the interval. */
  backlogMessages: number
  errorsByCode: Record<string, number>
}

export interface Counts {
  durationSec: number
  publishedCount: number
  publishedBytes: number
  publishErrorCount: number
  consumedCount: number
  consumedBytes: number
  errorsByCode: Record<string, number>
}

/** What a result is built from: the series and the measured phase's aggregates. */
export interface Recording {
  intervals: readonly IntervalSample[]
  /** Sums over measured intervals. */
  measured: Counts & { intervalCount: number, backlogMessagesMax: number, backlogMessagesEnd: number }
  /** Sums over every interval, whatever its phase. */
  total: Counts
  /** Whole measured phase, merged over workers and intervals. */
  histograms: Record<LatencyKind, Histogram>
  subscriptionsPerTopic: number
}

export interface RunRecorderOptions {
  /** Each message is consumed once per subscription; 0 = no consumers, no backlog. */
  subscriptionsPerTopic: number
  nowUs?: () => number
  startUs?: number
}

export class RecorderError extends Error {
  readonly code = 'ERR_RECORDER'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'RecorderError'
  }
}

function emptyCounts (): Counts {
  return { durationSec: 0, publishedCount: 0, publishedBytes: 0, publishErrorCount: 0, consumedCount: 0, consumedBytes: 0, errorsByCode: {} }
}

function addErrors (into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [code, count] of Object.entries(from)) {
    const key = code in into || Object.keys(into).length < ERROR_CODES_MAX ? code : OTHER_ERROR_CODE
    into[key] = (into[key] ?? 0) + count
  }
}

function addCounts (into: Counts, from: Counts): void {
  into.durationSec += from.durationSec
  into.publishedCount += from.publishedCount
  into.publishedBytes += from.publishedBytes
  into.publishErrorCount += from.publishErrorCount
  into.consumedCount += from.consumedCount
  into.consumedBytes += from.consumedBytes
  addErrors(into.errorsByCode, from.errorsByCode)
}

function latencyRecord (make: () => Histogram): Record<LatencyKind, Histogram> {
  return Object.fromEntries(LATENCY_KINDS.map((kind) => [kind, make()])) as Record<LatencyKind, Histogram>
}

export class RunRecorder {
  readonly subscriptionsPerTopic: number
  #nowUs: () => number
  #startUs: number
  #lastCloseUs: number
  #pending: Counts = emptyCounts()
  #pendingHistograms = latencyRecord(() => createLatencyHistogram('aggregate'))
  #aggregate = latencyRecord(() => createLatencyHistogram('aggregate'))
  #intervals: IntervalSample[] = []
  #measured = { ...emptyCounts(), intervalCount: 0, backlogMessagesMax: 0, backlogMessagesEnd: 0 }
  #total = emptyCounts()
  // Since the start of the run, whatever the phase: backlog is a running balance.
  #producedCount = 0
  #consumedCount = 0

  constructor (options: RunRecorderOptions) {
    if (!(Number.isInteger(options.subscriptionsPerTopic) && options.subscriptionsPerTopic >= 0)) {
      throw new RecorderError(`subscriptionsPerTopic must be an integer >= 0, got ${options.subscriptionsPerTopic}`)
    }
    this.subscriptionsPerTopic = options.subscriptionsPerTopic
    this.#nowUs = options.nowUs ?? monotonicUs
    this.#startUs = options.startUs ?? this.#nowUs()
    this.#lastCloseUs = this.#startUs
  }

  get startUs (): number {
    return this.#startUs
  }

  get intervals (): readonly IntervalSample[] {
    return this.#intervals
  }

  /** Produced (times subscriptions) minus consumed, now, including unclosed snapshots. */
  get backlogMessages (): number {
    const produced = (this.#producedCount + this.#pending.publishedCount) * this.subscriptionsPerTopic
    return Math.max(0, produced - this.#consumedCount - this.#pending.consumedCount)
  }

  /** Adds one worker's snapshot to the open interval. */
  add (snapshot: StatsSnapshot): void {
    // Decode first, so a corrupt snapshot throws before any of it is counted.
    const decoded = LATENCY_KINDS.map((kind) => {
      const encoded = snapshot[kind]
      return encoded === null ? null : mergeHistograms([encoded])
    })
    addCounts(this.#pending, { ...snapshot, durationSec: 0 })
    LATENCY_KINDS.forEach((kind, index) => {
      const histogram = decoded[index]
      if (histogram === null) return
      this.#pendingHistograms[kind].add(histogram)
      histogram.destroy()
    })
  }

  /** Closes the open interval at `nowUs` (default now) and returns its sample. */
  closeInterval (options: { phase: Phase, targetRatePerSec?: number | null, nowUs?: number }): IntervalSample {
    if (this.#intervals.length >= INTERVALS_MAX) throw new RecorderError(`a run may have at most ${INTERVALS_MAX} intervals`)
    if (!PHASES.includes(options.phase)) throw new RecorderError(`unknown phase ${String(options.phase)}`)
    const nowUs = options.nowUs ?? this.#nowUs()
    const durationSec = Math.max(0, nowUs - this.#lastCloseUs) / 1e6
    const startSec = (this.#lastCloseUs - this.#startUs) / 1e6
    this.#lastCloseUs = Math.max(nowUs, this.#lastCloseUs)
    const counts: Counts = { ...this.#pending, durationSec }
    this.#producedCount += counts.publishedCount
    this.#consumedCount += counts.consumedCount
    const backlogMessages = Math.max(0, this.#producedCount * this.subscriptionsPerTopic - this.#consumedCount)
    const measured = options.phase === 'measure'
    const latencies = {} as IntervalLatencies
    for (const kind of LATENCY_KINDS) {
      const histogram = this.#pendingHistograms[kind]
      latencies[kind] = quantilesOf(histogram)
      if (measured) this.#aggregate[kind].add(histogram)
      histogram.reset()
    }
    const sample: IntervalSample = {
      index: this.#intervals.length,
      startSec,
      durationSec,
      phase: options.phase,
      measured,
      targetRatePerSec: options.targetRatePerSec ?? null,
      publishedCount: counts.publishedCount,
      publishedBytes: counts.publishedBytes,
      publishErrorCount: counts.publishErrorCount,
      consumedCount: counts.consumedCount,
      consumedBytes: counts.consumedBytes,
      backlogMessages,
      errorsByCode: counts.errorsByCode,
      ...latencies,
    }
    this.#intervals.push(sample)
    addCounts(this.#total, counts)
    if (measured) {
      addCounts(this.#measured, counts)
      this.#measured.intervalCount++
      this.#measured.backlogMessagesMax = Math.max(this.#measured.backlogMessagesMax, backlogMessages)
      this.#measured.backlogMessagesEnd = backlogMessages
    }
    this.#pending = emptyCounts()
    return sample
  }

  /**
   * The series and aggregates so far, safe to call at any moment (a partial result after a
   * broker died): it reads closed intervals only and changes nothing.
   */
  recording (): Recording {
    const copy = (counts: Counts): Counts => ({ ...counts, errorsByCode: { ...counts.errorsByCode } })
    const histograms = latencyRecord(() => createLatencyHistogram('aggregate'))
    for (const kind of LATENCY_KINDS) histograms[kind].add(this.#aggregate[kind])
    return {
      intervals: [...this.#intervals],
      measured: { ...this.#measured, errorsByCode: { ...this.#measured.errorsByCode } },
      total: copy(this.#total),
      histograms,
      subscriptionsPerTopic: this.subscriptionsPerTopic,
    }
  }
}
