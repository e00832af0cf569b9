// The shapes a run can take, each as a sequence of held phases (session.ts):
//
// - fixed rate (producerRate > 0): warm-up, then the measured phase, at producerRate;
// - max rate (producerRate 0): warm-up at maxRate.startRate, then the stepwise search of
//   measure/max-rate.ts (each step held stepSeconds and judged on its own; after an
//   unhealthy step the producers pause until the backlog is back under control, so the
//   next step does not inherit its queue), then the measured phase at the rate found,
//   judged afterwards by the same rules: a rate that does not hold is reported loudly;
// - backlog-drain (consumerBacklogSizeGB > 0): warm-up, then consumers paused while
//   producers build the backlog (recorded as warm-up: it is preparation, not measured),
//   then consumers resumed and the drain measured while producers keep sending, as OMB
//   does, until at most (1 − backlogDrainRatio) of the backlog is left or the measured
//   duration (if any) is over;
// - then for every shape: producers stop, consumers drain what is left (bounded), done.
//
// Every phase ends early when the run is aborted; the caller writes a partial result.

import { decideMaxRate, judgeMeasuredPhase, judgeStep, stepIntervalOf } from '../measure/max-rate.ts'
import type { MaxRateOutcome, MaxRateStep, MeasuredPhaseCheck } from '../measure/max-rate.ts'
import type { IntervalSample } from '../measure/recorder.ts'
import type { Workload } from '../workload/types.ts'
import type { BenchSession } from './session.ts'

export interface PhaseOutcome {
  maxRate: MaxRateOutcome | null
  /** Whether the measured phase held the rate the max-rate search found; null otherwise. */
  maxRateMeasured: MeasuredPhaseCheck | null
  /** The rate of the measured phase, msg/s over all producers. */
  measuredRatePerSec: number
  notes: string[]
}

/** The longest a backlog may take to build, whatever the workload says. */
const BACKLOG_BUILD_SECONDS_MAX = 3600
/** A drain with no duration is still bounded. */
const BACKLOG_DRAIN_SECONDS_MAX = 3600
/** After producers stop: wait this long at most for consumers to catch up... */
const FINAL_DRAIN_SECONDS_MAX = 60
/** ...and give up sooner when consumption makes no progress for this long. */
const FINAL_DRAIN_IDLE_SECONDS = 5
const PRODUCER_STOP_TIMEOUT_MS = 10_000

export async function runPhases (session: BenchSession, workload: Workload): Promise<PhaseOutcome> {
  if (workload.producerRate === 0) return await runMaxRate(session, workload)
  if (workload.mode === 'backlog-drain') return await runBacklogDrain(session, workload)
  session.totalSec = workload.warmupSeconds + workload.durationSeconds
  session.setRate(workload.producerRate)
  await session.hold('warmup', workload.warmupSeconds)
  await session.hold('measure', workload.durationSeconds)
  return { maxRate: null, maxRateMeasured: null, measuredRatePerSec: workload.producerRate, notes: [] }
}

async function runMaxRate (session: BenchSession, workload: Workload): Promise<PhaseOutcome> {
  const spec = workload.maxRate
  const notes: string[] = []
  // The total shown is an upper bound that only shrinks: every step the search may still take
  // (maxSteps), then the measured phase. A guess that grew as the search went on made the ETA
  // jump; the plan printed at the start gives the likely range.
  const upperBound = (stepsTaken: number): number => session.elapsedSec + (spec.maxSteps - stepsTaken) * spec.stepSeconds + workload.durationSeconds
  session.totalSec = workload.warmupSeconds + spec.maxSteps * spec.stepSeconds + workload.durationSeconds
  session.setRate(spec.startRate)
  await session.hold('warmup', workload.warmupSeconds)
  const steps: MaxRateStep[] = []
  let outcome = decideMaxRate(spec, steps)
  while (outcome.decision.action === 'run' && !session.aborted) {
    const rate = outcome.decision.ratePerSec
    session.totalSec = Math.min(session.totalSec, upperBound(steps.length))
    session.setRate(rate)
    const samples = await session.hold('max-rate', spec.stepSeconds)
    if (session.aborted) break
    const step: MaxRateStep = { ratePerSec: rate, intervals: samples.map(stepIntervalOf) }
    steps.push(step)
    outcome = decideMaxRate(spec, steps)
    if (!judgeStep(spec, step).healthy && outcome.decision.action === 'run') await settle(session, workload)
  }
  const found = outcome.decision.action === 'done' ? outcome.decision.ratePerSec : 0
  // Nothing healthy: measure at the lowest rate tried, and the result says none was healthy.
  const measuredRatePerSec = found > 0 ? found : Math.max(1, Math.min(...steps.map(s => s.ratePerSec), spec.startRate))
  if (found === 0 && !session.aborted) notes.push(`the max-rate search found no healthy rate; measured at ${measuredRatePerSec} msg/s, the lowest tried`)
  let maxRateMeasured: MeasuredPhaseCheck | null = null
  if (!session.aborted) {
    if (found > 0 && steps.at(-1) !== undefined && !judgeStep(spec, steps.at(-1)!).healthy) await settle(session, workload)
    session.totalSec = session.elapsedSec + workload.durationSeconds
    session.setRate(measuredRatePerSec)
    const measured = await session.hold('measure', workload.durationSeconds)
    // Search steps are short; the measured phase is the real test of the rate found.
    if (found > 0 && !session.aborted) {
      maxRateMeasured = judgeMeasuredPhase(spec, measuredRatePerSec, measured.map(stepIntervalOf))
      if (!maxRateMeasured.sustained) notes.push(unsustainedNote(maxRateMeasured, spec.stepSeconds))
    }
  }
  return { maxRate: outcome, maxRateMeasured, measuredRatePerSec, notes }
}

/** The run's note when the measured phase did not hold the rate the search found. */
export function unsustainedNote (check: MeasuredPhaseCheck, stepSeconds: number): string {
  return `the rate found (${Math.round(check.ratePerSec)} msg/s) was NOT sustained over the measured phase: ${check.problems.join('; ')}. ` +
    `The sustainable rate is lower; longer maxRate.stepSeconds (now ${stepSeconds} s) make the search stricter`
}

/** Pauses producers until the backlog is a tenth of the healthy bound (at most 3 steps long). */
async function settle (session: BenchSession, workload: Workload): Promise<void> {
  const spec = workload.maxRate
  session.pauseProducers()
  if (workload.subscriptionsPerTopic === 0) {
    await session.hold('max-rate', 1)
    return
  }
  const limit = spec.backlogMaxMessages / 10
  if (session.recorder.backlogMessages <= limit) return
  await session.hold('max-rate', 3 * spec.stepSeconds, sample => sample.backlogMessages <= limit)
}

async function runBacklogDrain (session: BenchSession, workload: Workload): Promise<PhaseOutcome> {
  const notes: string[] = []
  const rate = workload.producerRate
  const targetMessages = workload.backlogSizeBytes / workload.messageSize
  const buildSeconds = Math.min(BACKLOG_BUILD_SECONDS_MAX, Math.max(60, 3 * targetMessages / rate))
  session.totalSec = workload.warmupSeconds + targetMessages / rate + (workload.durationSeconds || targetMessages / rate)
  session.setRate(rate)
  await session.hold('warmup', workload.warmupSeconds)
  session.pauseConsumers()
  const built = await session.hold('warmup', buildSeconds, () => session.recorder.backlogMessages >= targetMessages)
  const backlog = session.recorder.backlogMessages
  if (!session.aborted && backlog < targetMessages) {
    notes.push(`the backlog reached only ${Math.round(backlog)} of ${Math.round(targetMessages)} messages in ${built.length} s; draining what there is`)
  }
  session.resumeConsumers()
  const leftMax = (1 - workload.backlogDrainRatio) * targetMessages
  const drainSeconds = workload.durationSeconds > 0 ? workload.durationSeconds : BACKLOG_DRAIN_SECONDS_MAX
  const drained = await session.hold('measure', drainSeconds, () => session.recorder.backlogMessages <= leftMax)
  if (!session.aborted) {
    const left = session.recorder.backlogMessages
    notes.push(left <= leftMax
      ? `backlog of ${Math.round(backlog)} messages drained to ${Math.round(left)} in ${drained.length} s`
      : `the backlog was not drained within ${drainSeconds} s: ${Math.round(left)} messages left (target at most ${Math.round(leftMax)})`)
  }
  return { maxRate: null, maxRateMeasured: null, measuredRatePerSec: rate, notes }
}

/**
 * Stops the producers (waiting, bounded, for outstanding acks), then lets the consumers
 * catch up: until nothing is left, FINAL_DRAIN_IDLE_SECONDS pass without progress, or
 * FINAL_DRAIN_SECONDS_MAX. Returns notes for the result.
 */
export async function stopAndDrain (session: BenchSession, workload: Workload): Promise<string[]> {
  const notes: string[] = []
  session.enter('drain')
  session.pauseProducers()
  const unacknowledged = await session.pool.stopProducers(PRODUCER_STOP_TIMEOUT_MS)
  if (unacknowledged > 0) notes.push(`${unacknowledged} sends were still unacknowledged ${PRODUCER_STOP_TIMEOUT_MS / 1000} s after the producers stopped`)
  if (workload.subscriptionsPerTopic === 0 || session.aborted) return notes
  let idleSeconds = 0
  const done = (sample: IntervalSample): boolean => {
    if (session.recorder.backlogMessages === 0) return true
    idleSeconds = sample.consumedCount > 0 ? 0 : idleSeconds + sample.durationSec
    return idleSeconds >= FINAL_DRAIN_IDLE_SECONDS
  }
  // The producers' last snapshots may already show a zero backlog.
  const first = await session.tick()
  if (!done(first)) await session.hold('drain', FINAL_DRAIN_SECONDS_MAX, done)
  const left = session.recorder.backlogMessages
  if (left > 0 && !session.aborted) notes.push(`${left} messages were never consumed (consumers made no progress for ${FINAL_DRAIN_IDLE_SECONDS} s, or ${FINAL_DRAIN_SECONDS_MAX} s passed)`)
  return notes
}
