// Latency histograms: HdrHistogram in microseconds, from 1 µs to one hour at three
// significant digits (every value is kept to within 0.1%).
//
// Workers record into an IntervalHistogram and hand the parent one encoded histogram per
// second (HdrHistogram's compressed base64 form: a few kilobytes, structured-clone safe);
// the parent decodes and merges them, so the per-second and whole-run quantiles are those
// of all samples together, never an average of per-worker quantiles.

import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'

export type { Histogram }

export const LATENCY_US_LOWEST = 1
export const LATENCY_US_HIGHEST = 3_600_000_000
export const LATENCY_SIGNIFICANT_DIGITS = 3
/** An encoded histogram longer than this is not one of ours (a full one is ~100 KB). */
export const ENCODED_HISTOGRAM_CHARS_MAX = 4 * 1024 * 1024

export class HistogramError extends Error {
  readonly code = 'ERR_HISTOGRAM_DECODE'
  readonly retriable = false
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HistogramError'
  }
}

/**
 * A new empty latency histogram. Per-interval histograms use 32-bit counts (a second never
 * holds 2^31 samples of one value); aggregates over a whole run use 64-bit float counts,
 * exact to 2^53. Auto-resize is off: values are clamped into range by recordLatencyUs.
 */
export function createLatencyHistogram (counts: 'interval' | 'aggregate' = 'interval'): Histogram {
  return build({
    lowestDiscernibleValue: LATENCY_US_LOWEST,
    highestTrackableValue: LATENCY_US_HIGHEST,
    numberOfSignificantValueDigits: LATENCY_SIGNIFICANT_DIGITS,
    bitBucketSize: counts === 'interval' ? 32 : 64,
    autoResize: false,
  })
}

/**
 * Records one latency. Negative values (clocks read out of order across threads, by at
 * most a few µs) count as 0; values past an hour count as an hour, so one wild sample can
 * never throw in the middle of a run.
 */
export function recordLatencyUs (histogram: Histogram, valueUs: number): void {
  const clamped = valueUs > 0 ? (valueUs < LATENCY_US_HIGHEST ? Math.round(valueUs) : LATENCY_US_HIGHEST) : 0
  histogram.recordValue(clamped)
}

export function encodeHistogram (histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram)
}

/** Decodes a histogram from encodeHistogram, with 64-bit counts so merging cannot overflow. */
export function decodeHistogram (encoded: string): Histogram {
  if (typeof encoded !== 'string' || encoded.length === 0 || encoded.length > ENCODED_HISTOGRAM_CHARS_MAX) {
    throw new HistogramError(`an encoded histogram must be a non-empty string of at most ${ENCODED_HISTOGRAM_CHARS_MAX} characters`)
  }
  try {
    return decodeFromCompressedBase64(encoded, 64, false)
  } catch (error) {
    throw new HistogramError(`not an encoded HdrHistogram: ${(error as Error).message}`, { cause: error })
  }
}

/** Adds each histogram (or encoded histogram) into `into`, which is returned. */
export function mergeInto (into: Histogram, parts: Iterable<Histogram | string>): Histogram {
  for (const part of parts) {
    if (typeof part === 'string') {
      const decoded = decodeHistogram(part)
      into.add(decoded)
      decoded.destroy()
    } else {
      into.add(part)
    }
  }
  return into
}

/** A new aggregate histogram holding every sample of `parts`. */
export function mergeHistograms (parts: Iterable<Histogram | string>): Histogram {
  return mergeInto(createLatencyHistogram('aggregate'), parts)
}

/** The quantiles a result reports, in µs. Percentile levels follow OMB's, plus p99.999. */
export interface LatencyQuantiles {
  count: number
  avg: number
  min: number
  p50: number
  p75: number
  p95: number
  p99: number
  p999: number
  p9999: number
  p99999: number
  max: number
}

/** Null for an empty histogram: "no samples" must never read as "0 µs". */
export function quantilesOf (histogram: Histogram): LatencyQuantiles | null {
  const count = histogram.totalCount
  if (count === 0) return null
  const at = (percentile: number): number => histogram.getValueAtPercentile(percentile)
  // Every quantile, the maximum included, is read as the top of its bucket (as Java's
  // HdrHistogram reports getMaxValue): the exact maximum does not survive encoding, and a
  // merged histogram must report the same as one that saw every sample itself.
  const max = at(100)
  return {
    count,
    avg: histogram.mean,
    min: at(0),
    p50: at(50),
    p75: at(75),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    p99999: at(99.999),
    max,
  }
}

export interface QuantilePoint {
  percentile: number
  valueUs: number
}

/** Curve resolution: points per decade of "nines" (90%, 99%, 99.9%, ...). */
const CURVE_POINTS_PER_NINE = 10
const CURVE_NINES_MAX = 5
/** Levels people look for, added to the grid so a reader finds p50 itself, not p49.88. */
const CURVE_NAMED_PERCENTILES = [25, 50, 75, 95]

/**
 * The quantile curve for a log "nines" axis: percentiles 100·(1 − 10^(−k/10)) for k = 0 ..
 * 50 (0%, ... 90%, ... 99%, ... 99.999%) plus p25, p50, p75 and p95, then 100% (the
 * maximum). Levels past what the sample count can resolve are left out (with 1000 samples,
 * p99.99 is just the maximum).
 */
export function quantileCurve (histogram: Histogram): QuantilePoint[] {
  const count = histogram.totalCount
  if (count === 0) return []
  const percentiles = new Set<number>(CURVE_NAMED_PERCENTILES)
  const stepsMax = CURVE_POINTS_PER_NINE * CURVE_NINES_MAX
  for (let step = 0; step <= stepsMax; step++) {
    const tail = 10 ** (-step / CURVE_POINTS_PER_NINE)
    if (step > 0 && tail * count < 1) break
    percentiles.add(Number((100 * (1 - tail)).toFixed(6)))
  }
  const points = [...percentiles].sort((a, b) => a - b)
    .map((percentile) => ({ percentile, valueUs: histogram.getValueAtPercentile(percentile) }))
  points.push({ percentile: 100, valueUs: histogram.getValueAtPercentile(100) })
  return points
}

/**
 * What a worker records into: a histogram for the current interval, swapped out by
 * takeInterval. The hot path is one recordValue on a preallocated histogram.
 */
export class IntervalHistogram {
  #current: Histogram = createLatencyHistogram('interval')
  #spare: Histogram = createLatencyHistogram('interval')

  record (valueUs: number): void {
    recordLatencyUs(this.#current, valueUs)
  }

  get count (): number {
    return this.#current.totalCount
  }

  /**
   * Encodes what was recorded since the last call and starts a new interval. Null when
   * nothing was recorded, which saves encoding and posting empty histograms.
   */
  takeEncoded (): string | null {
    const taken = this.#current
    this.#current = this.#spare
    this.#spare = taken
    if (taken.totalCount === 0) return null
    const encoded = encodeHistogram(taken)
    taken.reset()
    return encoded
  }
}
