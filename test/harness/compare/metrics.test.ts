import { describe, expect, it } from 'vitest'
import { ALL_METRICS, DEFAULT_METRICS, runSummaryFromResult } from '../../../harness/compare/metrics.ts'

describe('default metric set', () => {
  it('has publish and consume rates (higher is better) and latency p50/p99 (lower is better)', () => {
    const byName = Object.fromEntries(DEFAULT_METRICS.map((metric) => [metric.name, metric]))
    expect(Object.keys(byName).sort()).toEqual([
      'consumeRateMsgPerSec', 'correctedPublishLatencyUsP99', 'endToEndLatencyUsP50', 'endToEndLatencyUsP99',
      'publishLatencyUsP50', 'publishRateMsgPerSec',
    ])
    expect(byName.publishRateMsgPerSec).toMatchObject({ unit: 'msg/s', direction: 'higher-is-better' })
    expect(byName.consumeRateMsgPerSec).toMatchObject({ unit: 'msg/s', direction: 'higher-is-better' })
    expect(byName.endToEndLatencyUsP99).toMatchObject({ unit: 'us', direction: 'lower-is-better' })
    // The gate judges the publish p99 that reports tell readers to quote: from the intended send.
    expect(byName.correctedPublishLatencyUsP99).toMatchObject({ unit: 'us', direction: 'lower-is-better' })
    expect(ALL_METRICS.map((metric) => metric.name)).toContain('publishRateMiBPerSec')
    expect(Object.isFrozen(DEFAULT_METRICS)).toBe(true)
  })
})

describe('runSummaryFromResult', () => {
  it('reads metrics by their own names at the top level or under summary', () => {
    const result = {
      runId: 'r1',
      publishRateMsgPerSec: 51_000,
      publishLatencyUsP99: 2_400,
      summary: { consumeRateMsgPerSec: 50_500, publishRateMsgPerSec: 1 },
    }
    expect(runSummaryFromResult(result)).toEqual({
      publishRateMsgPerSec: 51_000,
      publishLatencyUsP99: 2_400,
      consumeRateMsgPerSec: 50_500,
    })
  })

  it('falls back to OMB fields: rate series averaged, milliseconds turned into microseconds', () => {
    const omb = {
      publishRate: [1000, 1100, 900],
      consumeRate: [990, 1010],
      aggregatedPublishLatency50pct: 1.5,
      aggregatedPublishLatency99pct: 12,
      aggregatedEndToEndLatency50pct: 3,
      aggregatedEndToEndLatency99pct: 25.5,
    }
    expect(runSummaryFromResult(omb)).toEqual({
      publishRateMsgPerSec: 1000,
      consumeRateMsgPerSec: 1000,
      publishLatencyUsP50: 1500,
      publishLatencyUsP99: 12_000,
      endToEndLatencyUsP50: 3000,
      endToEndLatencyUsP99: 25_500,
    })
  })

  it('prefers Sluice names over OMB fields and ignores values that are not finite numbers', () => {
    const result = { publishLatencyUsP99: 800, aggregatedPublishLatency99pct: 99, consumeRateMsgPerSec: 'fast', endToEndLatencyUsP50: Number.NaN, publishRate: [1, 'x'] }
    expect(runSummaryFromResult(result)).toEqual({ publishLatencyUsP99: 800 })
  })

  it('returns an empty summary for things that are not result objects', () => {
    expect(runSummaryFromResult(null)).toEqual({})
    expect(runSummaryFromResult([1, 2])).toEqual({})
    expect(runSummaryFromResult('result')).toEqual({})
  })
})
