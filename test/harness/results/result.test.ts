import { describe, expect, it } from 'vitest'
import { runSummaryFromResult } from '../../../harness/compare/metrics.ts'
import { decodeHistogram } from '../../../harness/measure/histogram.ts'
import { decideMaxRate } from '../../../harness/measure/max-rate.ts'
import { RunRecorder } from '../../../harness/measure/recorder.ts'
import { LATENCY_KINDS } from '../../../harness/measure/worker-stats.ts'
import { ResultError, buildResult, resultToJson } from '../../../harness/results/result.ts'
import type { BenchResult } from '../../../harness/results/result.ts'
import { parseWorkload } from '../../../harness/workload/load.ts'
import { SYNTHETIC_ENVIRONMENT, syntheticResult } from './synthetic.ts'

const MiB = 1024 * 1024
const LEVELS = ['Min', 'P50', 'P75', 'P95', 'P99', 'P999', 'P9999', 'P99999', 'Max'] as const
const OMB_LEVELS = ['50pct', '75pct', '95pct', '99pct', '999pct', '9999pct', '99999pct', 'Max'] as const

const result: BenchResult = syntheticResult({ seed: 7, fault: { startSec: 12, endSec: 16, label: 'broker paused' } })

describe('result.json', () => {
  it('carries OMB identity fields and the Sluice envelope', () => {
    expect(result).toMatchObject({
      format: 'sluice-bench-result', formatVersion: 1, status: 'complete', statusReason: null,
      workload: 'synthetic', driver: 'native', messageSize: 1024, topics: 1, partitions: 4, producersPerTopic: 2, consumersPerTopic: 1,
      startTime: '2025-01-01T00:00:00.000Z', endTime: '2025-01-01T00:00:35.000Z',
      environment: SYNTHETIC_ENVIRONMENT,
      faultBands: [{ startSec: 12, endSec: 16, label: 'broker paused' }],
    })
    expect(result.workloadConfig.name).toBe('synthetic')
    expect(result.cluster?.backend).toBe('process')
  })

  it('keeps warm-up in the series, flagged, and only the measured phase in OMB series', () => {
    expect(result.series).toHaveLength(35)
    expect(result.series.slice(0, 5).every((s) => s.phase === 'warmup' && !s.measured)).toBe(true)
    expect(result.series.slice(5).every((s) => s.phase === 'measure' && s.measured)).toBe(true)
    for (const field of ['publishRate', 'consumeRate', 'backlog', 'publishErrorRate', 'publishLatency99pct', 'endToEndLatency50pct', 'publishDelayLatencyMax'] as const) {
      expect(result[field]).toHaveLength(30)
    }
    expect(result.summary.warmupSec).toBe(5)
    expect(result.summary.durationSec).toBe(30)
  })

  it('has rates equal to counts over the measured duration', () => {
    const s = result.summary
    const measured = result.series.filter((sample) => sample.measured)
    expect(s.messagesProduced).toBe(measured.reduce((sum, sample) => sum + sample.publishedCount, 0))
    expect(s.messagesConsumed).toBe(measured.reduce((sum, sample) => sum + sample.consumedCount, 0))
    expect(s.publishRateMsgPerSec).toBeCloseTo(s.messagesProduced / s.durationSec, 9)
    expect(s.consumeRateMsgPerSec).toBeCloseTo(s.messagesConsumed / s.durationSec, 9)
    expect(s.publishRateMiBPerSec).toBeCloseTo(s.bytesProduced / MiB / s.durationSec, 9)
    expect(s.consumeRateMiBPerSec).toBeCloseTo(s.bytesConsumed / MiB / s.durationSec, 9)
    expect(s.bytesProduced).toBe(s.messagesProduced * 1024)
    result.publishRate.forEach((rate, i) => expect(rate).toBeCloseTo(measured[i].publishedCount / measured[i].durationSec, 9))
    expect(s.publishErrors).toBeGreaterThan(0)
    expect(Object.values(s.errorsByCode).reduce((a, b) => a + b, 0)).toBe(s.publishErrors)
    expect(s.backlogMessagesMax).toBe(Math.max(...result.backlog))
  })

  it('orders every percentile, in the summary, per interval and in the quantile curves', () => {
    for (const kind of LATENCY_KINDS) {
      const values = LEVELS.filter((level) => level !== 'Min').map((level) => result.summary[`${kind}${level}`] as number)
      expect(values.every((value) => typeof value === 'number')).toBe(true)
      expect([...values].sort((a, b) => a - b)).toEqual(values)
      for (const sample of result.series) {
        const q = sample[kind]
        if (q === null) continue
        const ordered = [q.min, q.p50, q.p75, q.p95, q.p99, q.p999, q.p9999, q.p99999, q.max]
        expect([...ordered].sort((a, b) => a - b)).toEqual(ordered)
      }
      const curve = result.quantileCurves[kind].map((point) => point.valueUs)
      expect([...curve].sort((a, b) => a - b)).toEqual(curve)
      expect(result.quantileCurves[kind].at(-1)?.valueUs).toBe(result.summary[`${kind}Max`])
    }
    for (let i = 0; i < result.publishRate.length; i++) {
      const values = OMB_LEVELS.map((level) => result[`publishLatency${level}`][i] as number)
      expect([...values].sort((a, b) => a - b)).toEqual(values)
    }
  })

  it('writes OMB latencies in milliseconds (µs / 1000) and publish delay in µs, as OMB does', () => {
    const s = result.summary
    expect(result.aggregatedPublishLatency50pct).toBe(s.publishLatencyUsP50! / 1000)
    expect(result.aggregatedPublishLatency99pct).toBe(s.publishLatencyUsP99! / 1000)
    expect(result.aggregatedPublishLatency999pct).toBe(s.publishLatencyUsP999! / 1000)
    expect(result.aggregatedPublishLatencyMax).toBe(s.publishLatencyUsMax! / 1000)
    expect(result.aggregatedPublishLatencyAvg).toBeCloseTo(s.publishLatencyUsAvg! / 1000, 9)
    expect(result.aggregatedEndToEndLatency99pct).toBe(s.endToEndLatencyUsP99! / 1000)
    expect(result.aggregatedEndToEndLatency9999pct).toBe(s.endToEndLatencyUsP9999! / 1000)
    expect(result.aggregatedPublishDelayLatency99pct).toBe(s.publishDelayUsP99)
    const measured = result.series.filter((sample) => sample.measured)
    result.publishLatency99pct.forEach((ms, i) => expect(ms).toBe(measured[i].publishLatencyUs!.p99 / 1000))
    result.endToEndLatencyMax.forEach((ms, i) => expect(ms).toBe(measured[i].endToEndLatencyUs!.max / 1000))
    // The quantile map: Java-style keys in increasing order, values in ms.
    const keys = Object.keys(result.aggregatedPublishLatencyQuantiles)
    expect(keys[0]).toBe('0.0')
    expect(keys.at(-1)).toBe('100.0')
    expect(keys).toContain('50.0')
    expect(keys).toContain('99.9')
    expect(keys.map(Number)).toEqual([...keys.map(Number)].sort((a, b) => a - b))
    expect(result.aggregatedPublishLatencyQuantiles['99.0']).toBe(s.publishLatencyUsP99! / 1000)
    expect(result.aggregatedEndToEndLatencyQuantiles['50.0']).toBe(s.endToEndLatencyUsP50! / 1000)
  })

  it('gives sluice compare the summary it reads, not the OMB fallbacks', () => {
    const read = runSummaryFromResult(JSON.parse(resultToJson(result)))
    expect(read.publishRateMsgPerSec).toBe(result.summary.publishRateMsgPerSec)
    expect(read.publishRateMiBPerSec).toBe(result.summary.publishRateMiBPerSec)
    expect(read.consumeRateMsgPerSec).toBe(result.summary.consumeRateMsgPerSec)
    expect(read.publishLatencyUsP99).toBe(result.summary.publishLatencyUsP99)
    expect(read.endToEndLatencyUsP50).toBe(result.summary.endToEndLatencyUsP50)
  })

  it('round-trips through JSON and keeps whole-run histograms that decode to the summary', () => {
    const parsed = JSON.parse(resultToJson(result)) as BenchResult
    expect(parsed).toEqual(result)
    const histogram = decodeHistogram(parsed.histograms.endToEndLatencyUs!)
    expect(histogram.totalCount).toBe(result.summary.endToEndLatencyUsCount)
    expect(histogram.getValueAtPercentile(99)).toBe(result.summary.endToEndLatencyUsP99)
  })

  it('builds a partial result from an empty recording: nulls, never zero latencies', () => {
    const workload = parseWorkload('name: empty\ntopics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nproducersPerTopic: 1\nsubscriptionsPerTopic: 1\nconsumerPerSubscription: 1\nproducerRate: 10\ntestDurationSeconds: 10', 'empty.yaml')
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
    const partial = buildResult({
      runId: 'r', workload, driver: { name: 'kafkajs', settings: {} }, cluster: null, environment: SYNTHETIC_ENVIRONMENT,
      recording: recorder.recording(), status: 'partial', statusReason: 'broker-0 exited with SIGKILL during warm-up',
      startTime: new Date(0), endTime: new Date(1000),
    })
    expect(partial.status).toBe('partial')
    expect(partial.statusReason).toMatch(/broker-0/)
    expect(partial.summary.publishRateMsgPerSec).toBe(0)
    expect(partial.summary.publishLatencyUsP99).toBeNull()
    expect(partial.aggregatedPublishLatency99pct).toBeNull()
    expect(partial.histograms.publishLatencyUs).toBeNull()
    expect(partial.publishRate).toEqual([])
    // sluice compare must see "missing", not 0 µs.
    expect(runSummaryFromResult(JSON.parse(resultToJson(partial))).publishLatencyUsP99).toBeUndefined()
    expect(() => buildResult({ ...(partialInput()), status: 'partial', statusReason: '' })).toThrow(ResultError)

    function partialInput () {
      return {
        runId: 'r', workload, driver: { name: 'kafkajs', settings: {} }, cluster: null, environment: SYNTHETIC_ENVIRONMENT,
        recording: recorder.recording(), startTime: new Date(0), endTime: new Date(1000),
      }
    }
  })

  it('records the max-rate search and uses its answer as the target rate', () => {
    const workload = parseWorkload('name: max\ntopics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nproducersPerTopic: 1\nsubscriptionsPerTopic: 1\nconsumerPerSubscription: 1\nproducerRate: 0\ntestDurationSeconds: 10', 'max.yaml')
    const steps = [1000, 1500].map((ratePerSec) => ({ ratePerSec, intervals: [{ durationSec: 1, publishedCount: ratePerSec, backlogMessages: 0, latencyUsP50: 500, latencyUsP99: ratePerSec > 1200 ? 90_000 : 900 }] }))
    const search = decideMaxRate({ ...workload.maxRate, refineSteps: 0 }, steps)
    const built = buildResult({
      runId: 'r', workload, driver: { name: 'native', settings: {} }, cluster: null, environment: SYNTHETIC_ENVIRONMENT,
      recording: new RunRecorder({ subscriptionsPerTopic: 0 }).recording(), status: 'complete',
      startTime: new Date(0), endTime: new Date(0), maxRateSearch: search,
    })
    expect(built.maxRateSearch).toMatchObject({ ratePerSec: 1000, found: true })
    expect(built.maxRateSearch?.explanation.at(-1)).toMatch(/^Result: 1,000 msg\/s is the highest healthy rate/)
    expect(built.summary.targetRateMsgPerSec).toBe(1000)
  })
})
