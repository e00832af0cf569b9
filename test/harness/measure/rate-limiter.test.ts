import { describe, expect, it } from 'vitest'
import { monotonicUs } from '../../../harness/measure/clock.ts'
import { RateLimiterError, UniformRateLimiter } from '../../../harness/measure/rate-limiter.ts'
import { RunRecorder } from '../../../harness/measure/recorder.ts'
import { WorkerStats } from '../../../harness/measure/worker-stats.ts'

interface Send { intendedUs: number, sentUs: number, ackUs: number }

// A producer with one message in flight against a broker that acks in 100 µs, except that
// it stalls for `stallUs` on the send made at or after `stallAtUs`. Virtual time: the clock
// is whatever the simulation says, so the test is exact and instant.
function simulate (ratePerSec: number, sendCount: number, stallAtUs: number, stallUs: number): Send[] {
  let nowUs = 0
  const limiter = new UniformRateLimiter({ ratePerSec, nowUs: () => nowUs, startUs: 0 })
  const sends: Send[] = []
  let stalled = false
  for (let i = 0; i < sendCount; i++) {
    // Wait for the next send to be due (a real loop sleeps delayUs).
    nowUs += limiter.delayUs(nowUs)
    const intendedUs = limiter.takeDue(nowUs)
    if (intendedUs === null) throw new Error('a send should be due after waiting delayUs')
    const sentUs = nowUs
    const serviceUs = !stalled && sentUs >= stallAtUs ? stallUs : 100
    if (serviceUs === stallUs) stalled = true
    const ackUs = sentUs + serviceUs
    sends.push({ intendedUs, sentUs, ackUs })
    nowUs = ackUs
  }
  return sends
}

function record (sends: Send[]): ReturnType<RunRecorder['closeInterval']> {
  const stats = new WorkerStats('w0')
  for (const send of sends) stats.recordPublishAck(100, send.intendedUs, send.sentUs, send.ackUs)
  const recorder = new RunRecorder({ subscriptionsPerTopic: 0, startUs: 0 })
  recorder.add(stats.takeSnapshot())
  return recorder.closeInterval({ phase: 'measure', nowUs: 1_000_000 })
}

describe('UniformRateLimiter', () => {
  it('spaces intended send times exactly 1/rate apart', () => {
    let nowUs = 0
    const limiter = new UniformRateLimiter({ ratePerSec: 2000, nowUs: () => nowUs, startUs: 0 })
    expect(limiter.takeDue()).toBe(0)
    expect(limiter.takeDue()).toBeNull()
    expect(limiter.delayUs()).toBe(500)
    nowUs = 2_000
    // Four sends are owed by now (at 500, 1000, 1500, 2000 µs); each keeps its own time.
    expect(limiter.dueCount()).toBe(4)
    const due: number[] = []
    for (let t = limiter.takeDue(); t !== null; t = limiter.takeDue()) due.push(t)
    expect(due).toEqual([500, 1000, 1500, 2000])
  })

  it('treats rate 0 as unlimited: everything is due and intended now', () => {
    let nowUs = 123
    const limiter = new UniformRateLimiter({ ratePerSec: 0, nowUs: () => nowUs })
    expect(limiter.takeDue()).toBe(123)
    expect(limiter.takeDue()).toBe(123)
    nowUs = 456
    expect(limiter.take()).toBe(456)
    expect(limiter.delayUs()).toBe(0)
  })

  it('forgives the old schedule when the rate changes', () => {
    let nowUs = 0
    const limiter = new UniformRateLimiter({ ratePerSec: 1000, nowUs: () => nowUs, startUs: 0 })
    nowUs = 50_000
    expect(limiter.dueCount()).toBe(51)
    limiter.setRate(100)
    expect(limiter.dueCount()).toBe(1)
    expect(limiter.takeDue()).toBe(50_000)
    expect(limiter.delayUs()).toBe(10_000)
  })

  it('rejects negative, infinite and absurd rates', () => {
    expect(() => new UniformRateLimiter({ ratePerSec: -1 })).toThrow(RateLimiterError)
    expect(() => new UniformRateLimiter({ ratePerSec: Infinity })).toThrow(RateLimiterError)
    expect(() => new UniformRateLimiter({ ratePerSec: 1e12 })).toThrow(RateLimiterError)
  })

  it('paces acquire() on the real clock', async () => {
    const limiter = new UniformRateLimiter({ ratePerSec: 200 })
    const startUs = monotonicUs()
    const intended: number[] = []
    for (let i = 0; i < 40; i++) intended.push(await limiter.acquire())
    const elapsedUs = monotonicUs() - startUs
    // 40 sends at 200/s: the last is intended 195 ms after the first. Generous bounds.
    expect(intended[39] - intended[0]).toBeCloseTo(195_000, 3)
    expect(elapsedUs).toBeGreaterThan(150_000)
    expect(elapsedUs).toBeLessThan(2_000_000)
  })
})

describe('coordinated-omission correction', () => {
  it('charges a stalled ack to every send queued behind it', () => {
    // 1000 msg/s for one second; the send at 300 ms waits 200 ms for its ack.
    const sends = simulate(1000, 1000, 300_000, 200_000)
    const queued = sends.filter((send) => send.sentUs > send.intendedUs)
    // The sends intended during the stall went out late, one after another.
    expect(queued.length).toBeGreaterThan(150)
    for (const send of queued) {
      expect(send.ackUs - send.intendedUs).toBeGreaterThan(send.ackUs - send.sentUs)
    }
    const sample = record(sends)
    const actual = sample.publishLatencyUs!
    const corrected = sample.correctedPublishLatencyUs!
    // Seen from the actual send, only one message was slow; from the intended time, the
    // stall shows up in a fifth of all messages.
    expect(actual.p95).toBeLessThan(200)
    expect(corrected.p95).toBeGreaterThan(50_000)
    expect(corrected.max).toBeGreaterThanOrEqual(actual.max)
    expect(sample.publishDelayUs!.p95).toBeGreaterThan(50_000)
  })

  it('reports the same latency both ways when nothing stalls', () => {
    const sample = record(simulate(1000, 1000, Infinity, 0))
    expect(sample.correctedPublishLatencyUs).toEqual(sample.publishLatencyUs)
    expect(sample.publishDelayUs?.max).toBe(0)
  })
})
