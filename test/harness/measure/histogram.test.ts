import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import {
  IntervalHistogram, LATENCY_US_HIGHEST, createLatencyHistogram, decodeHistogram, encodeHistogram,
  mergeHistograms, quantileCurve, quantilesOf, recordLatencyUs,
} from '../../../harness/measure/histogram.ts'
import { HistogramError } from '../../../harness/measure/histogram.ts'

// Deterministic, heavy-tailed latencies: mostly hundreds of µs, a tail into seconds.
function samples (seed: number, n: number): number[] {
  let state = seed >>> 0
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  return Array.from({ length: n }, () => Math.round(100 + 50 / (next() + 0.0001) ** 1.5))
}

function runWorker (values: number[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/histogram-worker.ts', import.meta.url), { workerData: { values } })
    worker.once('message', (message: { encoded: string }) => resolve(message.encoded))
    worker.once('error', reject)
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)) })
  })
}

describe('latency histograms', () => {
  it('merges encoded histograms from worker threads into exactly the histogram of all samples', async () => {
    const parts = [samples(1, 20_000), samples(2, 5_000), samples(3, 30_000), samples(4, 1)]
    const encoded = await Promise.all(parts.map(runWorker))
    const merged = mergeHistograms(encoded)
    const single = createLatencyHistogram('aggregate')
    for (const part of parts) for (const value of part) recordLatencyUs(single, value)
    expect(merged.totalCount).toBe(55_001)
    expect(quantilesOf(merged)).toEqual(quantilesOf(single))
    expect(quantileCurve(merged)).toEqual(quantileCurve(single))
    // And both agree with the exact order statistics to HdrHistogram's 0.1% precision.
    const sorted = parts.flat().sort((a, b) => a - b)
    for (const percentile of [50, 90, 99, 99.9]) {
      const exact = sorted[Math.ceil((percentile / 100) * sorted.length) - 1]
      expect(Math.abs(merged.getValueAtPercentile(percentile) - exact) / exact).toBeLessThan(0.002)
    }
    const max = sorted.at(-1)!
    expect(quantilesOf(merged)?.max).toBeGreaterThanOrEqual(max)
    expect(quantilesOf(merged)!.max / max - 1).toBeLessThan(0.001)
  })

  it('round-trips through the compressed base64 encoding', () => {
    const histogram = createLatencyHistogram()
    for (const value of samples(9, 1000)) recordLatencyUs(histogram, value)
    expect(quantilesOf(decodeHistogram(encodeHistogram(histogram)))).toEqual(quantilesOf(histogram))
  })

  it('keeps quantiles ordered and never above the maximum', () => {
    const histogram = createLatencyHistogram()
    for (const value of [3, 7, 1234, 99_999]) recordLatencyUs(histogram, value)
    const q = quantilesOf(histogram)!
    const ordered = [q.min, q.p50, q.p75, q.p95, q.p99, q.p999, q.p9999, q.p99999, q.max]
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered)
    expect(q.max).toBeGreaterThanOrEqual(99_999)
    expect(q.max).toBeLessThan(99_999 * 1.001)
  })

  it('clamps out-of-range values instead of throwing, and reports no samples as null', () => {
    const histogram = createLatencyHistogram()
    expect(quantilesOf(histogram)).toBeNull()
    recordLatencyUs(histogram, -40)
    recordLatencyUs(histogram, 10 * LATENCY_US_HIGHEST)
    const q = quantilesOf(histogram)!
    expect(q.count).toBe(2)
    expect(q.min).toBe(0)
    expect(q.max).toBeGreaterThanOrEqual(LATENCY_US_HIGHEST)
    expect(q.max).toBeLessThan(LATENCY_US_HIGHEST * 1.001)
  })

  it('hands out each interval once and skips empty ones', () => {
    const interval = new IntervalHistogram()
    expect(interval.takeEncoded()).toBeNull()
    interval.record(10)
    interval.record(20)
    const first = interval.takeEncoded()
    expect(first).not.toBeNull()
    expect(decodeHistogram(first!).totalCount).toBe(2)
    expect(interval.takeEncoded()).toBeNull()
    interval.record(30)
    expect(decodeHistogram(interval.takeEncoded()!).totalCount).toBe(1)
  })

  it('rejects text that is not an encoded histogram with a typed error', () => {
    expect(() => decodeHistogram('not base64 at all')).toThrow(HistogramError)
    expect(() => decodeHistogram('')).toThrow(HistogramError)
  })

  it('draws the quantile curve out to the nines the sample count supports', () => {
    const histogram = createLatencyHistogram()
    for (let i = 1; i <= 1000; i++) recordLatencyUs(histogram, i)
    const curve = quantileCurve(histogram)
    const percentiles = curve.map((point) => point.percentile)
    expect(percentiles[0]).toBe(0)
    expect(percentiles).toContain(99.9)
    expect(percentiles.some((p) => p > 99.9 && p < 100)).toBe(false)
    expect(percentiles.at(-1)).toBe(100)
    expect(curve.at(-1)?.valueUs).toBe(1000)
    expect(curve.at(-1)?.valueUs).toBe(quantilesOf(histogram)?.max)
    const values = curve.map((point) => point.valueUs)
    expect([...values].sort((a, b) => a - b)).toEqual(values)
  })
})
