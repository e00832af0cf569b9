import { describe, expect, it } from 'vitest'
import { HistogramError } from '../../../harness/measure/histogram.ts'
import { RecorderError, RunRecorder } from '../../../harness/measure/recorder.ts'
import { ERROR_CODES_MAX, OTHER_ERROR_CODE, WorkerStats } from '../../../harness/measure/worker-stats.ts'

const SECOND_US = 1_000_000

describe('RunRecorder', () => {
  it('merges snapshots from several workers into one sample per interval', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 2, startUs: 0 })
    const producer = new WorkerStats('producer')
    const consumer = new WorkerStats('consumer')
    for (let i = 0; i < 100; i++) producer.recordPublishAck(1000, 0, 10, 510)
    producer.recordPublishError('NOT_LEADER_OR_FOLLOWER')
    producer.recordPublishError('REQUEST_TIMED_OUT')
    producer.recordPublishError('NOT_LEADER_OR_FOLLOWER')
    for (let i = 0; i < 150; i++) consumer.recordConsume(1000, 1_000, 3_000)
    consumer.recordConsume(1000, null, 3_000)
    recorder.add(producer.takeSnapshot())
    recorder.add(consumer.takeSnapshot())
    const sample = recorder.closeInterval({ phase: 'measure', nowUs: SECOND_US, targetRatePerSec: 100 })
    expect(sample).toMatchObject({
      index: 0, startSec: 0, durationSec: 1, phase: 'measure', measured: true, targetRatePerSec: 100,
      publishedCount: 100, publishedBytes: 100_000, publishErrorCount: 3,
      consumedCount: 151, consumedBytes: 151_000,
      // Two subscriptions: 200 expected deliveries, 151 made.
      backlogMessages: 49,
      errorsByCode: { NOT_LEADER_OR_FOLLOWER: 2, REQUEST_TIMED_OUT: 1 },
    })
    expect(sample.publishLatencyUs).toMatchObject({ count: 100, p50: 500 })
    expect(sample.correctedPublishLatencyUs).toMatchObject({ count: 100, p50: 510 })
    expect(sample.publishDelayUs).toMatchObject({ count: 100, p50: 10 })
    // The record without a timestamp header is counted but has no latency.
    expect(sample.endToEndLatencyUs).toMatchObject({ count: 150, p50: 2000 })
  })

  it('keeps warm-up intervals in the series but out of the aggregates', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
    const stats = new WorkerStats('w')
    const phases = ['warmup', 'warmup', 'measure', 'measure', 'measure', 'drain'] as const
    for (const [second, phase] of phases.entries()) {
      // Warm-up is slow (50 ms), the measured phase fast (1 ms): aggregates must show 1 ms.
      const latencyUs = phase === 'warmup' ? 50_000 : 1_000
      for (let i = 0; i < 10; i++) stats.recordPublishAck(10, 0, 0, latencyUs)
      for (let i = 0; i < 8; i++) stats.recordConsume(10, 0, latencyUs)
      recorder.add(stats.takeSnapshot())
      recorder.closeInterval({ phase, nowUs: (second + 1) * SECOND_US })
    }
    const recording = recorder.recording()
    expect(recording.intervals.map((sample) => sample.phase)).toEqual(phases)
    expect(recording.intervals.map((sample) => sample.measured)).toEqual([false, false, true, true, true, false])
    expect(recording.intervals.map((sample) => sample.backlogMessages)).toEqual([2, 4, 6, 8, 10, 12])
    expect(recording.measured).toMatchObject({ intervalCount: 3, durationSec: 3, publishedCount: 30, consumedCount: 24, backlogMessagesMax: 10, backlogMessagesEnd: 10 })
    expect(recording.total).toMatchObject({ durationSec: 6, publishedCount: 60, consumedCount: 48 })
    expect(recording.histograms.publishLatencyUs.totalCount).toBe(30)
    expect(recording.histograms.publishLatencyUs.maxValue).toBeLessThan(1_002)
    expect(recording.histograms.endToEndLatencyUs.totalCount).toBe(24)
  })

  it('measures interval durations from the close times, not a nominal second', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 0, startUs: 5_000_000 })
    const first = recorder.closeInterval({ phase: 'measure', nowUs: 6_200_000 })
    const second = recorder.closeInterval({ phase: 'measure', nowUs: 7_000_000 })
    expect(first).toMatchObject({ startSec: 0, durationSec: 1.2, backlogMessages: 0, publishLatencyUs: null })
    expect(second.startSec).toBeCloseTo(1.2, 9)
    expect(second.durationSec).toBeCloseTo(0.8, 9)
  })

  it('caps distinct error codes so a flood of new codes cannot grow memory', () => {
    const stats = new WorkerStats('w')
    for (let i = 0; i < ERROR_CODES_MAX + 10; i++) stats.recordPublishError(`CODE_${i}`)
    const snapshot = stats.takeSnapshot()
    expect(Object.keys(snapshot.errorsByCode)).toHaveLength(ERROR_CODES_MAX + 1)
    expect(snapshot.errorsByCode[OTHER_ERROR_CODE]).toBe(10)
    expect(snapshot.publishErrorCount).toBe(ERROR_CODES_MAX + 10)
  })

  it('rejects a corrupt snapshot without counting any of it', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
    const stats = new WorkerStats('w')
    stats.recordPublishAck(10, 0, 0, 100)
    const snapshot = { ...stats.takeSnapshot(), endToEndLatencyUs: 'garbage' }
    expect(() => recorder.add(snapshot)).toThrow(HistogramError)
    expect(recorder.closeInterval({ phase: 'measure', nowUs: SECOND_US }).publishedCount).toBe(0)
  })

  it('refuses an unknown phase and a negative subscription count', () => {
    expect(() => new RunRecorder({ subscriptionsPerTopic: -1 })).toThrow(RecorderError)
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1 })
    expect(() => recorder.closeInterval({ phase: 'cooldown' as never })).toThrow(RecorderError)
  })
})
