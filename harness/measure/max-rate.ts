// The max-rate search for producerRate 0, as a pure function over the steps run so far.
//
// OMB adjusts the rate continuously from the backlog every few seconds; runs end wherever
// the controller happened to be, oscillate, or drift down for good after one hiccup. Here
// the search is a sequence of discrete steps, each held at one rate and judged on its own:
//
//   ramp:    start at startRate and multiply by stepFactor while each step is healthy;
//   descend: if the very first step is unhealthy, divide by stepFactor until one is healthy;
//   refine:  bisect between the highest healthy and the lowest unhealthy rate, refineSteps
//            times (or until they are within 1% of each other);
//   done:    the answer is the highest healthy rate; maxSteps bounds the whole search.
//
// A step is healthy when, after its first second (the switch from the previous rate):
// the producers achieved at least 90% of the rate; the backlog ends at most
// backlogMaxMessages and is not growing (slope over 1% of the rate while above what the
// latency budget allows in flight); the consumers kept up (the backlog did not grow across
// the step by more than 2% of what they read, beyond what is legitimately in flight); the
// median per-second p99 of the publish latency from intended send time, and of the
// end-to-end latency when there are consumers, is at most latencyUsP99Max; and neither
// latency is climbing (the last second's p50 more than double the first's, and by more
// than a tenth of the latency budget). The runner replays the whole history on every call,
// so the decision and its explanation are reproducible from the recorded steps alone.
//
// A step must be long enough to show a consumer falling slowly behind: a deficit of d
// (fraction of the rate) grows the backlog by d × rate per second, and that only stands out
// from the in-flight allowance (rate × latency budget, 0.1 s of messages at 100 ms) after
// 0.1 / d seconds: 5 s for a 2% deficit. Hence 10 s steps by default. The measured phase,
// far longer, is judged by the same rules afterwards (judgeMeasuredPhase), and a rate that
// does not hold there is reported as such.

import { formatValue } from '../compare/format.ts'
import type { MaxRateSpec } from '../workload/types.ts'
import type { IntervalSample } from './recorder.ts'
import { RATE_PER_SEC_MAX } from './rate-limiter.ts'

const ACHIEVED_FRACTION_MIN = 0.9
const BACKLOG_GROWTH_FRACTION_MAX = 0.01
const LATENCY_CLIMB_FACTOR = 2
const LATENCY_CLIMB_US_MIN = 1000
const CONSUMER_SHORTFALL_FRACTION_MAX = 0.02
// A per-second p50 jitters by a few ms even when all is well: end-to-end latency with the
// consumer's fetch cycle, publish latency with a collection or a flush near capacity (one
// search saw publish p50 go 2.06 → 5.46 ms at a rate its measured phase then held). So a
// latency counts as climbing only if it also rose by more than this fraction of the budget.
// A producer-bound overload of d (fraction of the rate) still climbs d seconds every second:
// over a 9 s judged step that passes 10 ms of a 100 ms budget from d = 0.12%.
const CLIMB_BUDGET_FRACTION = 0.1
const REFINE_RESOLUTION_FRACTION = 0.01

/** What the search needs from one second of a step; see stepIntervalOf. */
export interface StepInterval {
  durationSec: number
  publishedCount: number
  backlogMessages: number
  /** Publish latency from intended send time (corrected), µs; null when nothing was acked. */
  latencyUsP50: number | null
  latencyUsP99: number | null
  /** Messages consumed (all subscriptions); absent or 0 when there are no consumers. */
  consumedCount?: number
  /** End-to-end latency, µs; absent or null when nothing was consumed. */
  endToEndLatencyUsP50?: number | null
  endToEndLatencyUsP99?: number | null
}

export interface MaxRateStep {
  ratePerSec: number
  intervals: readonly StepInterval[]
}

export type MaxRateStage = 'ramp' | 'descend' | 'refine'

export interface StepJudgement {
  ratePerSec: number
  stage: MaxRateStage
  healthy: boolean
  /** Why the step is unhealthy; empty when healthy. */
  problems: string[]
  achievedRatePerSec: number
  backlogMessagesEnd: number
  backlogGrowthPerSec: number
  /** Median of the judged seconds' p99, µs; null when nothing was acknowledged. */
  latencyUsP99: number | null
  /** Backlog at the end minus at the start of the judged seconds (consumers falling behind). */
  backlogGrowthMessages: number
  /** Median of the judged seconds' end-to-end p99, µs; null without consumed messages. */
  endToEndLatencyUsP99: number | null
}

export type MaxRateDecision =
  | { action: 'run', ratePerSec: number, stage: MaxRateStage, reason: string }
  | { action: 'done', ratePerSec: number, found: boolean, reason: string }

export interface MaxRateOutcome {
  decision: MaxRateDecision
  judgements: StepJudgement[]
  /** How the search went, step by step, for the report. */
  explanation: string[]
}

export function stepIntervalOf (sample: IntervalSample): StepInterval {
  return {
    durationSec: sample.durationSec,
    publishedCount: sample.publishedCount,
    backlogMessages: sample.backlogMessages,
    latencyUsP50: sample.correctedPublishLatencyUs?.p50 ?? null,
    latencyUsP99: sample.correctedPublishLatencyUs?.p99 ?? null,
    consumedCount: sample.consumedCount,
    endToEndLatencyUsP50: sample.endToEndLatencyUs?.p50 ?? null,
    endToEndLatencyUsP99: sample.endToEndLatencyUs?.p99 ?? null,
  }
}

const rate = (value: number): string => `${Math.round(value).toLocaleString('en-US')} msg/s`
const micros = (value: number): string => formatValue(value, 'us')

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

// Least-squares slope of backlog over time, messages per second.
function backlogSlope (intervals: readonly StepInterval[]): number {
  if (intervals.length < 2) return 0
  let t = 0
  const points = intervals.map((interval) => { t += interval.durationSec; return { t, y: interval.backlogMessages } })
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length
  let numerator = 0
  let denominator = 0
  for (const p of points) {
    numerator += (p.t - meanT) * (p.y - meanY)
    denominator += (p.t - meanT) ** 2
  }
  return denominator === 0 ? 0 : numerator / denominator
}

function medianOrNull (values: ReadonlyArray<number | null | undefined>): number | null {
  const present = values.filter((value): value is number => value !== null && value !== undefined)
  return present.length > 0 ? median(present) : null
}

/** "latency climbing (p50 a → b)" when the last second's p50 is far above the first's. */
function climbing (name: string, p50s: ReadonlyArray<number | null | undefined>, riseUsMin: number): string | null {
  const present = p50s.filter((value): value is number => value !== null && value !== undefined)
  if (p50s.length < 2 || present.length < 2) return null
  const first = present[0]
  const last = present[present.length - 1]
  return last > LATENCY_CLIMB_FACTOR * first && last - first > riseUsMin ? `${name} climbing (p50 ${micros(first)} → ${micros(last)})` : null
}

export function judgeStep (spec: MaxRateSpec, step: MaxRateStep, stage: MaxRateStage = 'ramp'): StepJudgement {
  // The first second still carries the previous rate's in-flight sends: skip it when the
  // step is long enough to judge without it.
  const skipFirst = step.intervals.length >= 3
  const judged = skipFirst ? step.intervals.slice(1) : step.intervals
  const problems: string[] = []
  const durationSec = judged.reduce((sum, interval) => sum + interval.durationSec, 0)
  const published = judged.reduce((sum, interval) => sum + interval.publishedCount, 0)
  const consumed = judged.reduce((sum, interval) => sum + (interval.consumedCount ?? 0), 0)
  const achievedRatePerSec = durationSec > 0 ? published / durationSec : 0
  const backlogMessagesEnd = judged.at(-1)?.backlogMessages ?? 0
  const backlogMessagesStart = (skipFirst ? step.intervals[0] : judged[0])?.backlogMessages ?? 0
  const backlogGrowthMessages = backlogMessagesEnd - backlogMessagesStart
  const backlogGrowthPerSec = backlogSlope(judged)
  const latencyUsP99 = medianOrNull(judged.map((interval) => interval.latencyUsP99))
  const endToEndLatencyUsP99 = medianOrNull(judged.map((interval) => interval.endToEndLatencyUsP99))
  if (judged.length === 0 || durationSec === 0) {
    problems.push('no measurements')
  } else {
    if (achievedRatePerSec < ACHIEVED_FRACTION_MIN * step.ratePerSec) {
      problems.push(`producers reached only ${rate(achievedRatePerSec)}`)
    }
    if (backlogMessagesEnd > spec.backlogMaxMessages) {
      problems.push(`backlog ${backlogMessagesEnd.toLocaleString('en-US')} > ${spec.backlogMaxMessages.toLocaleString('en-US')} messages`)
    }
    // What is legitimately in flight at this rate within the latency budget.
    const inFlightAllowance = step.ratePerSec * spec.latencyUsP99Max / 1e6
    if (backlogGrowthPerSec > BACKLOG_GROWTH_FRACTION_MAX * step.ratePerSec && backlogMessagesEnd > inFlightAllowance) {
      problems.push(`backlog growing by ${rate(backlogGrowthPerSec)}`)
    }
    // Consumers keep up when they read what was produced for them: the backlog may not
    // grow across the step by more than a small fraction of that, beyond what is in flight.
    const consumerDemand = consumed + backlogGrowthMessages
    if (consumerDemand > 0 && backlogGrowthMessages > Math.max(CONSUMER_SHORTFALL_FRACTION_MAX * consumerDemand, inFlightAllowance)) {
      problems.push(`consumers fell behind (backlog +${backlogGrowthMessages.toLocaleString('en-US')} messages over the step; they read ${(100 * consumed / consumerDemand).toFixed(1)}% of what was produced)`)
    }
    if (latencyUsP99 === null) {
      problems.push('nothing was acknowledged')
    } else if (latencyUsP99 > spec.latencyUsP99Max) {
      problems.push(`p99 ${micros(latencyUsP99)} > ${micros(spec.latencyUsP99Max)}`)
    }
    if (endToEndLatencyUsP99 !== null && endToEndLatencyUsP99 > spec.latencyUsP99Max) {
      problems.push(`end-to-end p99 ${micros(endToEndLatencyUsP99)} > ${micros(spec.latencyUsP99Max)}`)
    }
    const riseUsMin = Math.max(LATENCY_CLIMB_US_MIN, CLIMB_BUDGET_FRACTION * spec.latencyUsP99Max)
    const climbs = [
      climbing('latency', judged.map((interval) => interval.latencyUsP50), riseUsMin),
      climbing('end-to-end latency', judged.map((interval) => interval.endToEndLatencyUsP50), riseUsMin),
    ]
    for (const climb of climbs) {
      if (climb !== null) problems.push(climb)
    }
  }
  return {
    ratePerSec: step.ratePerSec, stage, healthy: problems.length === 0, problems, achievedRatePerSec,
    backlogMessagesEnd, backlogGrowthPerSec, latencyUsP99, backlogGrowthMessages, endToEndLatencyUsP99,
  }
}

/** Whether the measured phase held the rate the search found, by the same rules as a step. */
export interface MeasuredPhaseCheck {
  sustained: boolean
  /** Why not; empty when sustained. */
  problems: string[]
  ratePerSec: number
  achievedRatePerSec: number
  backlogGrowthMessages: number
  backlogMessagesEnd: number
}

/**
 * Judges the measured phase as one long step at the rate found. Search steps are short; a
 * rate that only looked healthy for a few seconds (a consumer slowly falling behind, the
 * page cache filling, a slower second half) shows here, and the report says so.
 */
export function judgeMeasuredPhase (spec: MaxRateSpec, ratePerSec: number, intervals: readonly StepInterval[]): MeasuredPhaseCheck {
  const judgement = judgeStep(spec, { ratePerSec, intervals }, 'refine')
  return {
    sustained: judgement.healthy,
    problems: judgement.problems,
    ratePerSec,
    achievedRatePerSec: judgement.achievedRatePerSec,
    backlogGrowthMessages: judgement.backlogGrowthMessages,
    backlogMessagesEnd: judgement.backlogMessagesEnd,
  }
}

function describe (index: number, j: StepJudgement): string {
  const facts = `published ${rate(j.achievedRatePerSec)}, backlog ${j.backlogMessagesEnd.toLocaleString('en-US')}, p99 ${j.latencyUsP99 === null ? 'n/a' : micros(j.latencyUsP99)}`
  const verdict = j.healthy ? 'healthy' : `UNHEALTHY: ${j.problems.join('; ')}`
  return `${String(index + 1).padStart(2)}. ${j.stage.padEnd(7)} ${rate(j.ratePerSec).padStart(16)}: ${verdict} (${facts})`
}

/** Replays the steps so far and decides what to run next, or the answer. */
export function decideMaxRate (spec: MaxRateSpec, steps: readonly MaxRateStep[]): MaxRateOutcome {
  const judgements: StepJudgement[] = []
  let low: number | null = null
  let high: number | null = null
  let bracketStep = -1
  for (const [index, step] of steps.entries()) {
    const stage: MaxRateStage = high === null ? 'ramp' : low === null ? 'descend' : 'refine'
    const judgement = judgeStep(spec, step, stage)
    judgements.push(judgement)
    if (judgement.healthy && (low === null || step.ratePerSec > low) && (high === null || step.ratePerSec < high)) low = step.ratePerSec
    if (!judgement.healthy && (high === null || step.ratePerSec < high)) high = step.ratePerSec
    if (bracketStep < 0 && low !== null && high !== null) bracketStep = index
  }
  const decision = nextDecision(spec, steps, low, high, bracketStep)
  const healthy = 'healthy = producers reach 90% of the rate, backlog bounded and not growing, consumers keep up, ' +
    `corrected publish p99 and end-to-end p99 ≤ ${micros(spec.latencyUsP99Max)}, latency not climbing`
  const explanation = [
    `Max-rate search: start ${rate(spec.startRate)}, ×${spec.stepFactor} per step while healthy, then ${spec.refineSteps} bisection rounds; each step held ${spec.stepSeconds} s (${healthy}).`,
    ...judgements.map((judgement, index) => describe(index, judgement)),
    decision.action === 'done' ? `Result: ${decision.reason}` : `Next: ${decision.reason}`,
  ]
  return { decision, judgements, explanation }
}

function nextDecision (spec: MaxRateSpec, steps: readonly MaxRateStep[], low: number | null, high: number | null, bracketStep: number): MaxRateDecision {
  if (steps.length === 0) return { action: 'run', ratePerSec: spec.startRate, stage: 'ramp', reason: `start at ${rate(spec.startRate)}` }
  if (low !== null && high !== null) {
    const refined = steps.length - 1 - bracketStep
    if (refined >= spec.refineSteps || high - low <= Math.max(1, REFINE_RESOLUTION_FRACTION * low)) {
      return { action: 'done', ratePerSec: low, found: true, reason: `${rate(low)} is the highest healthy rate; ${rate(high)} was not (after ${refined} bisection round${refined === 1 ? '' : 's'}).` }
    }
  }
  if (steps.length >= spec.maxSteps) {
    return low === null
      ? { action: 'done', ratePerSec: 0, found: false, reason: `no healthy rate within the budget of ${spec.maxSteps} steps.` }
      : { action: 'done', ratePerSec: low, found: true, reason: `${rate(low)} is the highest healthy rate found within the budget of ${spec.maxSteps} steps.` }
  }
  if (high === null) {
    const last = steps[steps.length - 1].ratePerSec
    if (last >= RATE_PER_SEC_MAX) {
      return { action: 'done', ratePerSec: last, found: true, reason: `${rate(last)} is healthy and the highest rate the harness can ask for.` }
    }
    const next = Math.min(RATE_PER_SEC_MAX, Math.ceil(last * spec.stepFactor))
    return { action: 'run', ratePerSec: next, stage: 'ramp', reason: `${rate(last)} was healthy: try ${rate(next)}` }
  }
  if (low === null) {
    const next = Math.floor(high / spec.stepFactor)
    if (next < 1) return { action: 'done', ratePerSec: 0, found: false, reason: 'not even 1 msg/s was healthy.' }
    return { action: 'run', ratePerSec: next, stage: 'descend', reason: `${rate(high)} was unhealthy and nothing below it tried yet: try ${rate(next)}` }
  }
  const next = Math.round((low + high) / 2)
  return { action: 'run', ratePerSec: next, stage: 'refine', reason: `bisect between ${rate(low)} (healthy) and ${rate(high)} (unhealthy): try ${rate(next)}` }
}
