// The metrics `sluice compare` knows, and how to read them out of one run's result.
//
// A run is reduced to a flat RunSummary (metric name -> number) before comparing, so the
// statistics never depend on the result file's layout. Names carry their unit last.

export type Direction = 'higher-is-better' | 'lower-is-better'

export interface MetricSpec {
  name: string
  unit: string
  direction: Direction
  // Human name for reports; the metric name is used when absent.
  label?: string
}

// One run's summary: metric name -> value.
export type RunSummary = Record<string, number>

export const PUBLISH_RATE_MSG: MetricSpec = { name: 'publishRateMsgPerSec', unit: 'msg/s', direction: 'higher-is-better', label: 'publish rate' }
export const PUBLISH_RATE_MIB: MetricSpec = { name: 'publishRateMiBPerSec', unit: 'MiB/s', direction: 'higher-is-better', label: 'publish rate (bytes)' }
export const CONSUME_RATE_MSG: MetricSpec = { name: 'consumeRateMsgPerSec', unit: 'msg/s', direction: 'higher-is-better', label: 'consume rate' }
export const PUBLISH_LATENCY_P50: MetricSpec = { name: 'publishLatencyUsP50', unit: 'us', direction: 'lower-is-better', label: 'publish latency p50' }
export const PUBLISH_LATENCY_P99: MetricSpec = { name: 'publishLatencyUsP99', unit: 'us', direction: 'lower-is-better', label: 'publish latency p99' }
export const CORRECTED_PUBLISH_LATENCY_P99: MetricSpec = { name: 'correctedPublishLatencyUsP99', unit: 'us', direction: 'lower-is-better', label: 'publish latency p99 from intended send' }
export const END_TO_END_LATENCY_P50: MetricSpec = { name: 'endToEndLatencyUsP50', unit: 'us', direction: 'lower-is-better', label: 'end-to-end latency p50' }
export const END_TO_END_LATENCY_P99: MetricSpec = { name: 'endToEndLatencyUsP99', unit: 'us', direction: 'lower-is-better', label: 'end-to-end latency p99' }

// Compared by default. The MiB/s rate is left out because with a fixed message size it is
// the msg/s rate times a constant: it would say nothing new and count twice in the
// geometric mean. The publish p99 compared is the one from the intended send time (corrected
// for coordinated omission), the figure reports tell readers to quote: a candidate that
// stalls its producer must not pass because the uncorrected p99 hides the stall.
export const DEFAULT_METRICS: readonly MetricSpec[] = Object.freeze([
  PUBLISH_RATE_MSG,
  CONSUME_RATE_MSG,
  PUBLISH_LATENCY_P50,
  CORRECTED_PUBLISH_LATENCY_P99,
  END_TO_END_LATENCY_P50,
  END_TO_END_LATENCY_P99,
])

// Every metric a RunSummary read from a result may hold.
export const ALL_METRICS: readonly MetricSpec[] = Object.freeze([
  PUBLISH_RATE_MSG,
  PUBLISH_RATE_MIB,
  CONSUME_RATE_MSG,
  PUBLISH_LATENCY_P50,
  PUBLISH_LATENCY_P99,
  CORRECTED_PUBLISH_LATENCY_P99,
  END_TO_END_LATENCY_P50,
  END_TO_END_LATENCY_P99,
])

// OpenMessaging Benchmark result fields that carry the same quantities. OMB keeps rates
// as a per-interval series (averaged here) and latencies in milliseconds.
const OMB_FALLBACKS: ReadonlyArray<{ metric: string, field: string, scale: number }> = [
  { metric: 'publishRateMsgPerSec', field: 'publishRate', scale: 1 },
  { metric: 'consumeRateMsgPerSec', field: 'consumeRate', scale: 1 },
  { metric: 'publishLatencyUsP50', field: 'aggregatedPublishLatency50pct', scale: 1000 },
  { metric: 'publishLatencyUsP99', field: 'aggregatedPublishLatency99pct', scale: 1000 },
  { metric: 'endToEndLatencyUsP50', field: 'aggregatedEndToEndLatency50pct', scale: 1000 },
  { metric: 'endToEndLatencyUsP99', field: 'aggregatedEndToEndLatency99pct', scale: 1000 },
]

// A series longer than this is not a per-second rate list from any sane run.
const SERIES_LENGTH_MAX = 10_000_000

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function finiteNumber (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function seriesMean (value: unknown): number | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > SERIES_LENGTH_MAX) return undefined
  let sum = 0
  for (const item of value) {
    if (typeof item !== 'number' || !Number.isFinite(item)) return undefined
    sum += item
  }
  return sum / value.length
}

// Reads the known metrics from a parsed result object. Lookup order per metric: a
// top-level field with the metric's own name, the same name inside a `summary` object,
// then the OMB field (ms converted to µs, rate series averaged). Metrics found nowhere
// are simply absent, and compareRuns says so in its notes.
export function runSummaryFromResult (result: unknown, metrics: readonly MetricSpec[] = ALL_METRICS): RunSummary {
  const summary: RunSummary = {}
  if (!isRecord(result)) return summary
  const nested = isRecord(result.summary) ? result.summary : {}
  for (const metric of metrics) {
    const value = finiteNumber(result[metric.name]) ?? finiteNumber(nested[metric.name])
    if (value !== undefined) summary[metric.name] = value
  }
  for (const fallback of OMB_FALLBACKS) {
    if (summary[fallback.metric] !== undefined) continue
    if (!metrics.some((metric) => metric.name === fallback.metric)) continue
    const raw = result[fallback.field]
    const value = finiteNumber(raw) ?? seriesMean(raw)
    if (value !== undefined) summary[fallback.metric] = value * fallback.scale
  }
  return summary
}

export function metricLabel (metric: MetricSpec): string {
  return metric.label ?? metric.name
}
