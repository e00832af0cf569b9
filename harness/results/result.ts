// result.json: one benchmark run, written by `sluice bench` and read by reports, `sluice
// compare` and OMB's own scripts.
//
// Three layers in one object:
// - OMB's TestResult fields under OMB's names and units (see omb.ts), so OMB tooling works;
// - `summary`: flat Sluice metrics with the unit last in the name (µs, msg/s, MiB/s), the
//   keys `sluice compare` reads;
// - Sluice detail: the full per-second series (warm-up included, flagged by phase), the
//   quantile curves in µs, the whole-run histograms (encoded, so runs can be re-merged),
//   workload, driver, cluster, environment, the max-rate search and fault bands.
// A partial result (a broker died, the run was interrupted) has the same shape, status
// 'partial' and a reason, and covers whatever intervals were closed.

import type { ClusterInfo } from '../cluster/cluster.ts'
import { computeBrokerBreakdown, type BrokerBreakdown, type Samples } from '../measure/broker-breakdown.ts'
import { encodeHistogram, quantileCurve, quantilesOf } from '../measure/histogram.ts'
import type { LatencyQuantiles, QuantilePoint } from '../measure/histogram.ts'
import type { MaxRateOutcome, MeasuredPhaseCheck, StepJudgement } from '../measure/max-rate.ts'
import type { IntervalSample, Recording } from '../measure/recorder.ts'
import { LATENCY_KINDS } from '../measure/worker-stats.ts'
import type { LatencyKind } from '../measure/worker-stats.ts'
import type { Workload } from '../workload/types.ts'
import type { Environment } from './environment.ts'
import type { MeasurementPrecision } from './precision.ts'
import { ombFields } from './omb.ts'
import type { OmbFields } from './omb.ts'

export const RESULT_FORMAT = 'sluice-bench-result'
export const RESULT_FORMAT_VERSION = 1
const MiB = 1024 * 1024

export type RunStatus = 'complete' | 'partial'

/** A shaded time range on the time-series charts, e.g. a fault a nemesis injected. */
export interface FaultBand {
  /** Seconds since the start of the run, as IntervalSample.startSec. */
  startSec: number
  endSec: number
  label: string
}

const LATENCY_LEVELS = [
  ['Avg', 'avg'], ['P50', 'p50'], ['P75', 'p75'], ['P95', 'p95'], ['P99', 'p99'],
  ['P999', 'p999'], ['P9999', 'p9999'], ['P99999', 'p99999'], ['Max', 'max'],
] as const satisfies ReadonlyArray<readonly [string, keyof LatencyQuantiles]>

type LatencySummaryKey = `${LatencyKind}${typeof LATENCY_LEVELS[number][0]}` | `${LatencyKind}Count`

/**
 * Flat metrics of the measured phase. Latency keys read `<kind><level>`: publishLatencyUsP99
 * is ack − actual send, correctedPublishLatencyUsP99 is ack − intended send (corrected for
 * coordinated omission), publishDelayUsP99 is actual − intended send, endToEndLatencyUsP99
 * is consumer receive − producer timestamp. A latency is null when it had no samples.
 */
export interface ResultSummary extends Record<LatencySummaryKey, number | null> {
  durationSec: number
  warmupSec: number
  intervalCount: number
  /** The producer rate of the measured phase: the workload's, or what max-rate found; 0 = unlimited. */
  targetRateMsgPerSec: number | null
  messagesProduced: number
  bytesProduced: number
  messagesConsumed: number
  bytesConsumed: number
  publishErrors: number
  errorsByCode: Record<string, number>
  publishRateMsgPerSec: number
  publishRateMiBPerSec: number
  /** Null when the run had no consumers (subscriptionsPerTopic 0): nothing to measure. */
  consumeRateMsgPerSec: number | null
  consumeRateMiBPerSec: number | null
  publishErrorRatePerSec: number
  /** Null when the run had no consumers: no backlog is tracked. */
  backlogMessagesMax: number | null
  backlogMessagesEnd: number | null
}

export interface DriverConfig {
  name: string
  /** Driver settings as the runner passed them (producer, consumer, client options). */
  settings: Record<string, unknown>
}

export interface MaxRateSearchResult {
  ratePerSec: number
  found: boolean
  explanation: string[]
  steps: StepJudgement[]
  /**
   * The measured phase judged by the search's own rules: did the rate found hold? Null
   * when nothing was found or the run stopped before the measured phase ended.
   */
  measuredPhase?: MeasuredPhaseCheck | null
}

export interface BenchResult extends OmbFields {
  format: typeof RESULT_FORMAT
  formatVersion: typeof RESULT_FORMAT_VERSION
  runId: string
  status: RunStatus
  /** Why the result is partial; null when complete. */
  statusReason: string | null
  /** ISO 8601 times of the start and end (or the moment a partial result was written). */
  startTime: string
  endTime: string
  summary: ResultSummary
  workloadConfig: Workload
  driverConfig: DriverConfig
  cluster: ClusterInfo | null
  environment: Environment
  /** Every interval of the run, warm-up and drain included; `phase` says which is which. */
  series: IntervalSample[]
  /** Measured-phase quantile curves in µs, from p0 out to p99.999 and the maximum. */
  quantileCurves: Record<LatencyKind, QuantilePoint[]>
  /** Measured-phase histograms in HdrHistogram's compressed base64 form; null when empty. */
  histograms: Record<LatencyKind, string | null>
  maxRateSearch: MaxRateSearchResult | null
  faultBands: FaultBand[]
  /**
   * Where a message's time went by the broker's own RequestMetrics, over the measured
   * phase; null (or absent, in older results) when the target does not export them.
   */
  brokerBreakdown?: BrokerBreakdown | null
  /** Clock, histogram resolution, core sharing and disturbed figures; absent in older results. */
  precision?: MeasurementPrecision | null
}

export interface ResultInput {
  runId: string
  workload: Workload
  driver: DriverConfig
  cluster: ClusterInfo | null
  environment: Environment
  recording: Recording
  status: RunStatus
  statusReason?: string | null
  startTime: Date
  endTime: Date
  targetRateMsgPerSec?: number | null
  maxRateSearch?: MaxRateOutcome | null
  /** The max-rate answer judged over the measured phase (phases.ts). */
  maxRateMeasured?: MeasuredPhaseCheck | null
  faultBands?: FaultBand[]
  /** The brokers' /metrics at the start and end of the measured phase (null: not scraped or unreachable). */
  brokerScrapes?: { before: Samples | null, after: Samples | null } | null
  precision?: MeasurementPrecision | null
}

export class ResultError extends Error {
  readonly code: 'ERR_RESULT_INPUT' | 'ERR_RESULT_READ'
  readonly retriable = false
  constructor (code: ResultError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ResultError'
    this.code = code
  }
}

function perSecond (count: number, durationSec: number): number {
  return durationSec > 0 ? count / durationSec : 0
}

export function summarize (recording: Recording, targetRateMsgPerSec: number | null): ResultSummary {
  const m = recording.measured
  const warmupSec = recording.intervals.filter((s) => s.phase === 'warmup').reduce((sum, s) => sum + s.durationSec, 0)
  // Without consumers a consume rate or backlog of 0 would read as "consumers stalled";
  // they are absent instead, and readers (reports, sluice compare) say so.
  const consumers = recording.subscriptionsPerTopic > 0
  const summary: Record<string, unknown> = {
    durationSec: m.durationSec,
    warmupSec,
    intervalCount: m.intervalCount,
    targetRateMsgPerSec,
    messagesProduced: m.publishedCount,
    bytesProduced: m.publishedBytes,
    messagesConsumed: m.consumedCount,
    bytesConsumed: m.consumedBytes,
    publishErrors: m.publishErrorCount,
    errorsByCode: { ...m.errorsByCode },
    publishRateMsgPerSec: perSecond(m.publishedCount, m.durationSec),
    publishRateMiBPerSec: perSecond(m.publishedBytes / MiB, m.durationSec),
    consumeRateMsgPerSec: consumers ? perSecond(m.consumedCount, m.durationSec) : null,
    consumeRateMiBPerSec: consumers ? perSecond(m.consumedBytes / MiB, m.durationSec) : null,
    publishErrorRatePerSec: perSecond(m.publishErrorCount, m.durationSec),
    backlogMessagesMax: consumers ? m.backlogMessagesMax : null,
    backlogMessagesEnd: consumers ? m.backlogMessagesEnd : null,
  }
  for (const kind of LATENCY_KINDS) {
    const quantiles = quantilesOf(recording.histograms[kind])
    summary[`${kind}Count`] = quantiles?.count ?? 0
    for (const [suffix, field] of LATENCY_LEVELS) summary[`${kind}${suffix}`] = quantiles === null ? null : quantiles[field]
  }
  return summary as unknown as ResultSummary
}

function latencyRecord<T> (make: (kind: LatencyKind) => T): Record<LatencyKind, T> {
  return Object.fromEntries(LATENCY_KINDS.map((kind) => [kind, make(kind)])) as Record<LatencyKind, T>
}

export function buildResult (input: ResultInput): BenchResult {
  if (!(input.endTime.getTime() >= input.startTime.getTime())) {
    throw new ResultError('ERR_RESULT_INPUT', 'the end time of a run cannot be before its start')
  }
  if (input.status === 'partial' && !input.statusReason) {
    throw new ResultError('ERR_RESULT_INPUT', 'a partial result needs a reason')
  }
  const { workload, recording } = input
  const search = input.maxRateSearch ?? null
  const target = input.targetRateMsgPerSec ??
    (workload.producerRate > 0 ? workload.producerRate : search?.decision.action === 'done' ? search.decision.ratePerSec : null)
  const summary = summarize(recording, target)
  const scrapes = input.brokerScrapes ?? null
  const omb = ombFields({
    workload: workload.name,
    driver: input.driver.name,
    messageSize: workload.messageSize,
    topics: workload.topics,
    partitions: workload.partitionsPerTopic,
    producersPerTopic: workload.producersPerTopic,
    consumersPerTopic: workload.consumerPerSubscription,
  }, recording)
  return {
    format: RESULT_FORMAT,
    formatVersion: RESULT_FORMAT_VERSION,
    runId: input.runId,
    status: input.status,
    statusReason: input.status === 'partial' ? input.statusReason ?? null : null,
    startTime: input.startTime.toISOString(),
    endTime: input.endTime.toISOString(),
    ...omb,
    summary,
    workloadConfig: workload,
    driverConfig: input.driver,
    cluster: input.cluster,
    environment: input.environment,
    series: [...recording.intervals],
    quantileCurves: latencyRecord((kind) => quantileCurve(recording.histograms[kind])),
    histograms: latencyRecord((kind) => recording.histograms[kind].totalCount === 0 ? null : encodeHistogram(recording.histograms[kind])),
    maxRateSearch: search === null
      ? null
      : {
          ratePerSec: search.decision.ratePerSec,
          found: search.decision.action === 'done' && search.decision.found,
          explanation: search.explanation,
          steps: search.judgements,
          measuredPhase: input.maxRateMeasured ?? null,
        },
    faultBands: [...(input.faultBands ?? [])],
    brokerBreakdown: scrapes === null ? null : computeBrokerBreakdown(scrapes.before, scrapes.after, summary.endToEndLatencyUsAvg, summary.publishDelayUsAvg),
    precision: input.precision ?? null,
  }
}

/** Pretty JSON with a trailing newline, as written to result.json. */
export function resultToJson (result: BenchResult): string {
  return JSON.stringify(result, null, 2) + '\n'
}
