// A latency-throughput curve: one workload at several fractions of its maximum rate, as
// `sluice bench <workload> --curve 20,50,80` runs it. The maximum comes from a max-rate
// search run of the same workload (producerRate 0, the workload's maxRate block), unless
// --max-rate gives it; then the workload runs at each percentage of it in turn, each run a
// normal one with its own result directory. The curve's own directory holds curve.json,
// curve.md and curve.html (latency against achieved throughput, one line per quantile).
//
// The steps share one cluster (the same brokers, the same settings; only producerRate
// differs), lowest rate first. Each step drains its consumers before it ends and then
// deletes its topics, so no backlog or retained log carries into the next step, and a
// short step does not pay a broker start.

import { CURVE_FORMAT, type CurveResult, type CurveStep, type Quantiles } from '../results/curve.ts'
import type { BenchResult } from '../results/result.ts'
import type { Workload } from '../workload/types.ts'
import { BenchError } from './errors.ts'

export { CURVE_FORMAT, type CurveResult, type CurveStep, type Quantiles }

/** A step that published less than this share of its target did not hold its rate. */
const HELD_FRACTION_MIN = 0.95
const STEPS_MAX = 20

/** "20,50,80" -> [20, 50, 80]: whole or decimal percents in (0, 100], ascending, no repeats. */
export function parseCurvePercents (text: string): number[] {
  const parts = text.split(',').map(part => part.trim().replace(/%$/, ''))
  const percents = parts.map(Number)
  const bad = parts.find((part, i) => part === '' || !Number.isFinite(percents[i]) || percents[i]! <= 0 || percents[i]! > 100)
  if (bad !== undefined || percents.length === 0) {
    throw new BenchError('ERR_BENCH_OPTIONS', `--curve takes percentages of the max rate separated by commas, each above 0 and at most 100, e.g. --curve 20,50,80; got ${JSON.stringify(text)}`)
  }
  if (percents.length > STEPS_MAX) throw new BenchError('ERR_BENCH_OPTIONS', `--curve takes at most ${STEPS_MAX} percentages; got ${percents.length}`)
  const sorted = [...new Set(percents)].sort((a, b) => a - b)
  if (sorted.length !== percents.length) throw new BenchError('ERR_BENCH_OPTIONS', `--curve lists a percentage twice: ${JSON.stringify(text)}`)
  return sorted
}

/** --max-rate: a positive number of messages per second. */
export function parseMaxRate (text: string): number {
  const rate = Number(text)
  if (!Number.isFinite(rate) || rate <= 0) throw new BenchError('ERR_BENCH_OPTIONS', `--max-rate takes the maximum rate in msg/s (a positive number), e.g. --max-rate 60000; got ${JSON.stringify(text)}`)
  return rate
}

/** The rate of one step, whole messages per second (at least 1). */
export function stepRate (maxRateMsgPerSec: number, percent: number): number {
  return Math.max(1, Math.round(maxRateMsgPerSec * percent / 100))
}

export function curveStep (percent: number, result: BenchResult, runDir: string): CurveStep {
  const s = result.summary
  const target = s.targetRateMsgPerSec ?? 0
  return {
    percent,
    targetRateMsgPerSec: target,
    publishRateMsgPerSec: s.publishRateMsgPerSec,
    held: target > 0 && s.publishRateMsgPerSec >= HELD_FRACTION_MIN * target,
    publishLatencyUs: { p50: s.publishLatencyUsP50, p99: s.publishLatencyUsP99, p999: s.publishLatencyUsP999 },
    endToEndLatencyUs: { p50: s.endToEndLatencyUsP50, p99: s.endToEndLatencyUsP99, p999: s.endToEndLatencyUsP999 },
    publishDelayUsP99: s.publishDelayUsP99,
    status: result.status,
    runDir,
  }
}

/** The workload of one step: the file's, at a fixed rate (or producerRate 0 for the search). */
export function stepPlan (workload: Workload, percents: readonly number[], maxRate: number | null): string[] {
  const lines = [`plan for ${workload.name} as a latency-throughput curve: ${percents.map(p => `${p}%`).join(', ')} of the max rate, lowest first, each step its own run on one cluster (its topics deleted after it)`]
  const steps = percents.filter(p => maxRate !== null || p !== 100).length
  lines.push(`  each step: ${workload.warmupSeconds} s warm-up, then ${workload.durationSeconds} s measured (${steps * (workload.warmupSeconds + workload.durationSeconds)} s of load for ${steps} step${steps === 1 ? '' : 's'}, plus drains)`)
  if (maxRate === null) lines.push('  the max rate comes from a max-rate search run first (its measured phase is the 100% point)')
  else lines.push(`  max rate given: ${maxRate} msg/s, so steps at ${percents.map(p => stepRate(maxRate, p)).join(', ')} msg/s`)
  return lines
}
