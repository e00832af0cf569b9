import { describe, expect, it } from 'vitest'
import { decideMaxRate, judgeMeasuredPhase, judgeStep, stepIntervalOf } from '../../../harness/measure/max-rate.ts'
import type { MaxRateStep, StepInterval } from '../../../harness/measure/max-rate.ts'
import { RunRecorder } from '../../../harness/measure/recorder.ts'
import { WorkerStats } from '../../../harness/measure/worker-stats.ts'
import type { MaxRateSpec } from '../../../harness/workload/types.ts'

const SPEC: MaxRateSpec = {
  startRate: 1000, stepFactor: 1.5, stepSeconds: 5, maxSteps: 40, refineSteps: 4,
  latencyUsP99Max: 50_000, backlogMaxMessages: 10_000,
}

function stable (ratePerSec: number, seconds = 5): MaxRateStep {
  const intervals: StepInterval[] = Array.from({ length: seconds }, () => ({
    durationSec: 1, publishedCount: ratePerSec, backlogMessages: Math.round(ratePerSec * 0.002), latencyUsP50: 900, latencyUsP99: 3000,
  }))
  return { ratePerSec, intervals }
}

// A broker whose consumers manage `capacity` msg/s: above it the backlog grows by the
// difference every second and end-to-end delay with it; producers are not slowed.
function consumerBound (capacity: number) {
  return (ratePerSec: number, seconds: number): MaxRateStep => {
    if (ratePerSec <= capacity) return stable(ratePerSec, seconds)
    const intervals: StepInterval[] = []
    for (let t = 1; t <= seconds; t++) {
      intervals.push({ durationSec: 1, publishedCount: ratePerSec, backlogMessages: (ratePerSec - capacity) * t, latencyUsP50: 900, latencyUsP99: 3000 })
    }
    return { ratePerSec, intervals }
  }
}

// A broker that acks at most `capacity` msg/s: producers fall behind their schedule, so the
// latency from the intended send time climbs every second, while the backlog stays at 0.
function producerBound (capacity: number) {
  return (ratePerSec: number, seconds: number): MaxRateStep => {
    if (ratePerSec <= capacity) return stable(ratePerSec, seconds)
    const lagPerSecUs = (1 - capacity / ratePerSec) * 1e6
    const intervals: StepInterval[] = []
    for (let t = 1; t <= seconds; t++) {
      intervals.push({ durationSec: 1, publishedCount: capacity, backlogMessages: 0, latencyUsP50: 900 + lagPerSecUs * (t - 0.5), latencyUsP99: 3000 + lagPerSecUs * t })
    }
    return { ratePerSec, intervals }
  }
}

function search (spec: MaxRateSpec, system: (rate: number, seconds: number) => MaxRateStep) {
  const steps: MaxRateStep[] = []
  for (let guard = 0; guard < 200; guard++) {
    const outcome = decideMaxRate(spec, steps)
    if (outcome.decision.action === 'done') return { outcome, steps }
    steps.push(system(outcome.decision.ratePerSec, spec.stepSeconds))
  }
  throw new Error('the search did not end')
}

describe('max-rate search', () => {
  it('starts at startRate and ramps up while steps are stable', () => {
    expect(decideMaxRate(SPEC, []).decision).toMatchObject({ action: 'run', ratePerSec: 1000, stage: 'ramp' })
    const next = decideMaxRate(SPEC, [stable(1000)])
    expect(next.decision).toMatchObject({ action: 'run', ratePerSec: 1500, stage: 'ramp' })
    expect(next.judgements[0].healthy).toBe(true)
    expect(decideMaxRate(SPEC, [stable(1000), stable(1500)]).decision).toMatchObject({ ratePerSec: 2250 })
  })

  it('backs off when the backlog grows, bisecting towards the last stable rate', () => {
    const growing = consumerBound(1200)(1500, 5)
    const outcome = decideMaxRate(SPEC, [stable(1000), growing])
    expect(outcome.judgements[1].healthy).toBe(false)
    expect(outcome.judgements[1].problems.join()).toMatch(/backlog growing by 300 msg\/s/)
    expect(outcome.decision).toMatchObject({ action: 'run', ratePerSec: 1250, stage: 'refine' })
    expect(outcome.explanation.join('\n')).toMatch(/UNHEALTHY: backlog growing/)
  })

  it('descends when even the first step is unhealthy', () => {
    const outcome = decideMaxRate(SPEC, [consumerBound(400)(1000, 5)])
    expect(outcome.decision).toMatchObject({ action: 'run', ratePerSec: 666, stage: 'descend' })
  })

  it('finds the capacity of a consumer-bound system to within the refinement, and explains itself', () => {
    const { outcome, steps } = search(SPEC, consumerBound(7_300))
    expect(outcome.decision).toMatchObject({ action: 'done', found: true })
    // A consumer under 1% behind cannot be told from noise in five seconds.
    expect(outcome.decision.ratePerSec).toBeLessThanOrEqual(7_300 * 1.01)
    expect(outcome.decision.ratePerSec).toBeGreaterThan(7_300 * 0.95)
    expect(steps.length).toBeLessThanOrEqual(SPEC.maxSteps)
    const text = outcome.explanation.join('\n')
    expect(text).toMatch(/^Max-rate search: start 1,000 msg\/s/)
    expect(text).toMatch(/ramp/)
    expect(text).toMatch(/refine/)
    expect(outcome.explanation.at(-1)).toMatch(/^Result: .* is the highest healthy rate; .* was not \(after 4 bisection rounds\)/)
    expect(outcome.explanation).toHaveLength(steps.length + 2)
  })

  it('finds the capacity of a producer-bound system from the climbing corrected latency', () => {
    const { outcome } = search(SPEC, producerBound(20_000))
    expect(outcome.decision.ratePerSec).toBeLessThanOrEqual(20_000)
    expect(outcome.decision.ratePerSec).toBeGreaterThan(20_000 * 0.95)
    const unhealthy = outcome.judgements.filter((judgement) => !judgement.healthy)
    expect(unhealthy.length).toBeGreaterThan(0)
    for (const judgement of unhealthy) expect(judgement.problems.join()).toMatch(/producers reached only|latency climbing|p99/)
  })

  it('stops within maxSteps and says so', () => {
    const { outcome, steps } = search({ ...SPEC, maxSteps: 3 }, consumerBound(1e9))
    expect(steps).toHaveLength(3)
    expect(outcome.decision).toMatchObject({ action: 'done', found: true, ratePerSec: 2250 })
    expect(outcome.decision.reason).toMatch(/budget of 3 steps/)
  })

  it('reports failure when no rate down to 1 msg/s is healthy', () => {
    const { outcome } = search({ ...SPEC, startRate: 10, stepFactor: 2 }, consumerBound(0))
    expect(outcome.decision).toMatchObject({ action: 'done', found: false, ratePerSec: 0 })
  })

  it('is not thrown off by one slow second, nor by the settling first second', () => {
    const step = stable(5000)
    const intervals = step.intervals.map((interval) => ({ ...interval }))
    intervals[0] = { ...intervals[0], latencyUsP99: 900_000, backlogMessages: 50_000 }
    intervals[3] = { ...intervals[3], latencyUsP99: 200_000 }
    expect(judgeStep(SPEC, { ratePerSec: 5000, intervals }).healthy).toBe(true)
    // But a step that is slow throughout is not healthy.
    const slow = step.intervals.map((interval) => ({ ...interval, latencyUsP99: 80_000 }))
    expect(judgeStep(SPEC, { ratePerSec: 5000, intervals: slow }).problems).toEqual(['p99 80.0 ms > 50.0 ms'])
  })

  it('reads step intervals from recorder samples', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
    const stats = new WorkerStats('w')
    stats.recordPublishAck(10, 0, 500, 1500)
    recorder.add(stats.takeSnapshot())
    const interval = stepIntervalOf(recorder.closeInterval({ phase: 'max-rate', nowUs: 1e6 }))
    expect(interval).toEqual({
      durationSec: 1, publishedCount: 1, backlogMessages: 1, latencyUsP50: 1500, latencyUsP99: 1500,
      consumedCount: 0, endToEndLatencyUsP50: null, endToEndLatencyUsP99: null,
    })
  })
})

// A consumer that reads at most `capacity` msg/s while producers get everything acked on
// time: the backlog grows by the difference each second, and the end-to-end latency with
// it (Little's law: a message waits backlog / capacity seconds).
function consumerLimited (capacity: number, baseEndToEndUs = 2000) {
  return (ratePerSec: number, seconds: number): MaxRateStep => {
    const intervals: StepInterval[] = []
    let backlog = 0
    for (let t = 1; t <= seconds; t++) {
      const consumed = Math.min(ratePerSec + backlog, capacity)
      backlog += ratePerSec - consumed
      const waitUs = baseEndToEndUs + backlog / capacity * 1e6
      intervals.push({
        durationSec: 1, publishedCount: ratePerSec, backlogMessages: backlog, latencyUsP50: 900, latencyUsP99: 3000,
        consumedCount: consumed, endToEndLatencyUsP50: waitUs, endToEndLatencyUsP99: waitUs * 1.5,
      })
    }
    return { ratePerSec, intervals }
  }
}

describe('max-rate search with consumers', () => {
  const spec: MaxRateSpec = { ...SPEC, stepSeconds: 10, latencyUsP99Max: 100_000, backlogMaxMessages: 1_000_000 }

  it('fails a step whose consumer falls a few percent behind, even with a generous backlog bound', () => {
    // 3% short: the backlog (300/s) never nears backlogMaxMessages within a step.
    const judgement = judgeStep(spec, consumerLimited(9_700)(10_000, 10))
    expect(judgement.healthy).toBe(false)
    expect(judgement.backlogGrowthMessages).toBe(2_700)
    expect(judgement.problems.join('; ')).toMatch(/consumers fell behind \(backlog \+2,700 messages over the step; they read 97\.\d% of what was produced\)/)
    expect(judgement.problems.join('; ')).toMatch(/end-to-end latency climbing/)
    // The same consumer at a rate it manages is healthy.
    expect(judgeStep(spec, consumerLimited(9_700)(9_500, 10)).healthy).toBe(true)
  })

  it('counts a latency as climbing only when it rose by a tenth of the budget, for publish as for end-to-end', () => {
    // Seen near capacity: publish p50 2.06 ms in the first judged second, 5.46 ms in the last,
    // at a rate whose 60 s measured phase then held. Jitter, not a queue building up.
    const jitter = (last: number): StepInterval[] => Array.from({ length: 10 }, (_, i) => ({
      durationSec: 1, publishedCount: 10_000, backlogMessages: 100, latencyUsP50: i === 9 ? last : 2_060, latencyUsP99: 20_000,
      consumedCount: 10_000, endToEndLatencyUsP50: 5_000, endToEndLatencyUsP99: 30_000,
    }))
    expect(judgeStep(spec, { ratePerSec: 10_000, intervals: jitter(5_460) })).toMatchObject({ healthy: true, problems: [] })
    // A rise past 10 ms of the 100 ms budget is a climb.
    expect(judgeStep(spec, { ratePerSec: 10_000, intervals: jitter(12_500) }).problems).toEqual(['latency climbing (p50 2.06 ms → 12.5 ms)'])
  })

  it('fails a step whose consumer keeps pace but delivers later than the latency budget', () => {
    const intervals: StepInterval[] = Array.from({ length: 10 }, () => ({
      durationSec: 1, publishedCount: 10_000, backlogMessages: 5_000, latencyUsP50: 900, latencyUsP99: 3_000,
      consumedCount: 10_000, endToEndLatencyUsP50: 400_000, endToEndLatencyUsP99: 600_000,
    }))
    const judgement = judgeStep(spec, { ratePerSec: 10_000, intervals })
    expect(judgement.problems).toEqual(['end-to-end p99 600 ms > 100 ms'])
  })

  it('ends at or below what the consumer sustains, so the measured phase holds', () => {
    const system = consumerLimited(7_300)
    const { outcome } = search(spec, system)
    expect(outcome.decision).toMatchObject({ action: 'done', found: true })
    expect(outcome.decision.ratePerSec).toBeLessThanOrEqual(7_300)
    expect(outcome.decision.ratePerSec).toBeGreaterThan(7_300 * 0.9)
    expect(outcome.explanation[0]).toMatch(/consumers keep up/)
    const measured = judgeMeasuredPhase(spec, outcome.decision.ratePerSec, system(outcome.decision.ratePerSec, 60).intervals)
    expect(measured).toMatchObject({ sustained: true, problems: [] })
  })

  it('says when the measured phase does not hold a rate that passed the search\'s steps', () => {
    // What a real broker does once its page cache stops absorbing writes: the consumer
    // keeps up for the first 12 s at any rate, then manages only 9,000 msg/s.
    const degrading = (ratePerSec: number, seconds: number): MaxRateStep => {
      const fast = consumerLimited(1e9)(ratePerSec, Math.min(seconds, 12)).intervals
      const slow = seconds > 12 ? consumerLimited(9_000)(ratePerSec, seconds - 12).intervals : []
      return { ratePerSec, intervals: [...fast, ...slow] }
    }
    const { outcome } = search({ ...spec, startRate: 8_000, maxSteps: 3 }, degrading)
    expect(outcome.decision).toMatchObject({ action: 'done', found: true })
    const rate = outcome.decision.ratePerSec
    expect(rate).toBeGreaterThan(9_000)
    const measured = judgeMeasuredPhase(spec, rate, degrading(rate, 60).intervals)
    expect(measured.sustained).toBe(false)
    expect(measured.ratePerSec).toBe(rate)
    expect(measured.backlogGrowthMessages).toBe((rate - 9_000) * 48)
    expect(measured.problems.join('; ')).toMatch(/consumers fell behind/)
  })
})
