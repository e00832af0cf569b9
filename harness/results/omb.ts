// The OpenMessaging Benchmark part of result.json: OMB's TestResult fields with OMB's
// names and units, so OMB's chart and table scripts read a Sluice result unchanged.
//
// OMB's units: rates in msg/s per interval; publish and end-to-end latencies in
// milliseconds (floats here: µs / 1000, nothing rounded away); "publish delay" (actual
// send − intended send) in microseconds. Series hold the measured phase only, one entry per
// interval (OMB's are 10 s long, Sluice's 1 s). Where an interval had no samples the value
// is null, never 0: no sample is not a zero latency.

import type { Histogram } from 'hdr-histogram-js'
import { quantileCurve, quantilesOf } from '../measure/histogram.ts'
import type { LatencyQuantiles } from '../measure/histogram.ts'
import type { IntervalSample, Recording } from '../measure/recorder.ts'
import type { LatencyKind } from '../measure/worker-stats.ts'

/** OMB's percentile suffixes and the LatencyQuantiles field each reads. */
const OMB_LEVELS = [
  ['Avg', 'avg'], ['50pct', 'p50'], ['75pct', 'p75'], ['95pct', 'p95'], ['99pct', 'p99'],
  ['999pct', 'p999'], ['9999pct', 'p9999'], ['99999pct', 'p99999'], ['Max', 'max'],
] as const satisfies ReadonlyArray<readonly [string, keyof LatencyQuantiles]>

type OmbLevel = typeof OMB_LEVELS[number][0]
type OmbLatencyName = 'publishLatency' | 'publishDelayLatency' | 'endToEndLatency'
type OmbAggregatedName = `aggregated${Capitalize<OmbLatencyName>}`

export type OmbSeriesFields = Record<`${OmbLatencyName}${OmbLevel}`, Array<number | null>>
export type OmbAggregatedFields = Record<`${OmbAggregatedName}${OmbLevel}`, number | null>
export type OmbQuantileFields = Record<`${OmbAggregatedName}Quantiles`, Record<string, number>>

export interface OmbFields extends OmbSeriesFields, OmbAggregatedFields, OmbQuantileFields {
  /** The workload's name (OMB keeps only the name here; Sluice's full workload is workloadConfig). */
  workload: string
  /** The driver's name (details in driverConfig). */
  driver: string
  messageSize: number
  topics: number
  partitions: number
  producersPerTopic: number
  consumersPerTopic: number
  publishRate: number[]
  publishErrorRate: number[]
  consumeRate: number[]
  backlog: number[]
}

/** How each OMB latency maps to a Sluice one, and the divisor from µs to OMB's unit. */
const OMB_LATENCIES: ReadonlyArray<{ omb: OmbLatencyName, aggregated: OmbAggregatedName, kind: LatencyKind, divisor: number }> = [
  { omb: 'publishLatency', aggregated: 'aggregatedPublishLatency', kind: 'publishLatencyUs', divisor: 1000 },
  { omb: 'publishDelayLatency', aggregated: 'aggregatedPublishDelayLatency', kind: 'publishDelayUs', divisor: 1 },
  { omb: 'endToEndLatency', aggregated: 'aggregatedEndToEndLatency', kind: 'endToEndLatencyUs', divisor: 1000 },
]

// Division rather than multiplying by 1/1000, so 826 µs is exactly 0.826 ms.
function scaled (quantiles: LatencyQuantiles | null, field: keyof LatencyQuantiles, divisor: number): number | null {
  return quantiles === null ? null : quantiles[field] / divisor
}

function perSecond (count: number, durationSec: number): number {
  return durationSec > 0 ? count / durationSec : 0
}

/** OMB's quantile map: percentile (as text, e.g. "99.9") → latency in OMB's unit. */
export function ombQuantileMap (histogram: Histogram, divisor: number): Record<string, number> {
  const map: Record<string, number> = {}
  // Keys are written as Java writes a Double ("50.0", "99.9"), as OMB's TreeMap<Double,
  // Double> serialises; that also keeps "100.0" from being an integer-like key, which a JS
  // object would move to the front.
  for (const point of quantileCurve(histogram)) {
    const key = Number.isInteger(point.percentile) ? point.percentile.toFixed(1) : String(point.percentile)
    map[key] = point.valueUs / divisor
  }
  return map
}

export interface OmbIdentity {
  workload: string
  driver: string
  messageSize: number
  topics: number
  partitions: number
  producersPerTopic: number
  consumersPerTopic: number
}

export function ombFields (identity: OmbIdentity, recording: Recording): OmbFields {
  const measured: IntervalSample[] = recording.intervals.filter((sample) => sample.measured)
  const fields: Record<string, unknown> = {
    ...identity,
    publishRate: measured.map((s) => perSecond(s.publishedCount, s.durationSec)),
    publishErrorRate: measured.map((s) => perSecond(s.publishErrorCount, s.durationSec)),
    // No consumers (subscriptionsPerTopic 0): no consume rate or backlog to report, so
    // empty series rather than zeros that would read as consumers that never kept up.
    consumeRate: recording.subscriptionsPerTopic > 0 ? measured.map((s) => perSecond(s.consumedCount, s.durationSec)) : [],
    backlog: recording.subscriptionsPerTopic > 0 ? measured.map((s) => s.backlogMessages) : [],
  }
  for (const latency of OMB_LATENCIES) {
    const aggregate = quantilesOf(recording.histograms[latency.kind])
    for (const [suffix, field] of OMB_LEVELS) {
      fields[`${latency.omb}${suffix}`] = measured.map((sample) => scaled(sample[latency.kind], field, latency.divisor))
      fields[`${latency.aggregated}${suffix}`] = scaled(aggregate, field, latency.divisor)
    }
    fields[`${latency.aggregated}Quantiles`] = ombQuantileMap(recording.histograms[latency.kind], latency.divisor)
  }
  return fields as unknown as OmbFields
}
