// What a run will do and for how long, before it starts: the lines `sluice bench` prints at
// the start of every run and alone with --dry-run. A max-rate search comes before the
// measured phase and its length depends on what it finds, so it is given as a range: at
// least the bisection rounds, at most maxSteps steps (settling pauses after unhealthy steps
// may add up to three steps each). --duration sets the measured phase only.

import type { Workload } from '../workload/types.ts'

export interface PlannedPhase {
  name: string
  /** Shortest and longest the phase can take, in seconds (equal when fixed). */
  secondsMin: number
  secondsMax: number
  detail: string
}

export interface RunSchedule {
  phases: PlannedPhase[]
  secondsMin: number
  secondsMax: number
}

/** The runner bounds building and draining a backlog at an hour each. */
const BACKLOG_PHASE_SECONDS_MAX = 3600

function fixed (name: string, seconds: number, detail: string): PlannedPhase {
  return { name, secondsMin: seconds, secondsMax: seconds, detail }
}

function searchPhase (workload: Workload): PlannedPhase {
  const spec = workload.maxRate
  const stepsMin = Math.min(spec.maxSteps, 1 + spec.refineSteps)
  return {
    name: 'max-rate search',
    secondsMin: stepsMin * spec.stepSeconds,
    secondsMax: spec.maxSteps * spec.stepSeconds,
    detail: `steps of ${spec.stepSeconds} s from ${spec.startRate} msg/s, x${spec.stepFactor} while healthy, then ${spec.refineSteps} bisection rounds; ` +
      `at most ${spec.maxSteps} steps (maxRate.maxSteps)`,
  }
}

export function scheduleOf (workload: Workload): RunSchedule {
  const phases: PlannedPhase[] = [fixed('warm-up', workload.warmupSeconds, 'discarded from the figures')]
  if (workload.mode === 'backlog-drain') {
    const buildSeconds = workload.backlogSizeBytes / workload.messageSize / Math.max(1, workload.producerRate)
    phases.push({
      name: 'backlog build and drain',
      secondsMin: buildSeconds,
      secondsMax: 2 * BACKLOG_PHASE_SECONDS_MAX,
      detail: `build ${workload.backlogSizeBytes} bytes of backlog at ${workload.producerRate} msg/s, then drain it; each bounded at 1 h`,
    })
  } else {
    if (workload.producerRate === 0) phases.push(searchPhase(workload))
    const rate = workload.producerRate === 0 ? 'at the rate found' : `at ${workload.producerRate} msg/s`
    phases.push(fixed('measure', workload.durationSeconds, `${rate} (--duration sets it)`))
  }
  return {
    phases,
    secondsMin: phases.reduce((sum, p) => sum + p.secondsMin, 0),
    secondsMax: phases.reduce((sum, p) => sum + p.secondsMax, 0),
  }
}

export function formatSeconds (seconds: number): string {
  const whole = Math.round(seconds)
  if (whole < 120) return `${whole} s`
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const rest = whole % 60
  const parts = [hours > 0 ? `${hours} h` : '', minutes > 0 ? `${minutes} min` : '', rest > 0 ? `${rest} s` : '']
  return parts.filter(part => part !== '').join(' ')
}

function range (min: number, max: number): string {
  return min === max ? formatSeconds(min) : `${formatSeconds(min)} to ${formatSeconds(max)}`
}

export function describeSchedule (workload: Workload): string[] {
  const schedule = scheduleOf(workload)
  const lines = [`plan for ${workload.name}: ${range(schedule.secondsMin, schedule.secondsMax)} of load, plus cluster start and final drain`]
  for (const phase of schedule.phases) lines.push(`  ${phase.name}: ${range(phase.secondsMin, phase.secondsMax)}, ${phase.detail}`)
  return lines
}
