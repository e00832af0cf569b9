// `sluice bench <workload> --curve 20,50,80 [--max-rate N]`: the latency-throughput curve
// (harness/bench/curve.ts) run step by step on one cluster, each step a normal run whose
// directory lands inside the curve's own, which also gets curve.json, curve.md and curve.html.

import { basename, join } from 'node:path'
import { CURVE_FORMAT, curveStep, stepPlan, stepRate } from '../bench/curve.ts'
import type { CurveResult, CurveStep } from '../bench/curve.ts'
import { startCluster } from '../bench/cluster-setup.ts'
import { runBench } from '../bench/runner.ts'
import { describeSchedule } from '../bench/schedule.ts'
import type { BenchRunOptions, BenchRunOutcome } from '../bench/runner.ts'
import { curveToHtml, curveToMarkdown } from '../report/curve-report.ts'
import { stoppedExitCode } from './exit-codes.ts'
import { createRunDir, pointLatest, writeFileAtomic } from '../results/run-dir.ts'
import type { Cluster } from '../cluster/cluster.ts'
import type { Workload } from '../workload/types.ts'


export interface CurveCommandOptions {
  percents: readonly number[]
  /** null: find it with a max-rate search run first. */
  maxRateMsgPerSec: number | null
  /** The workload at a fixed producer rate (0: the max-rate search). */
  workloadAt: (rateMsgPerSec: number) => Promise<Workload>
  resultsDir: string
  run: Omit<BenchRunOptions, 'workload' | 'resultsDir'>
  log: (line: string) => void
}

export interface CurveCommandOutcome {
  curve: CurveResult | null
  dir: string
  /** The step that stopped the curve early (partial, or no rate found), if any. */
  stoppedBy: { outcome: BenchRunOutcome, reason: string } | null
}

export async function runCurveCommand (options: CurveCommandOptions): Promise<CurveCommandOutcome> {
  const startTime = new Date()
  const first = await options.workloadAt(options.maxRateMsgPerSec === null ? 0 : stepRate(options.maxRateMsgPerSec, options.percents[0]!))
  const dir = await createRunDir(options.resultsDir, `${first.name}-curve`, startTime)
  // One cluster for all steps: the steps differ only in producerRate, and a broker start
  // per step would cost more than a short step's measured phase.
  const cluster = await startCluster(first, options.run.cluster ?? { backend: 'process' }, options.log)
  let steps: StepsOutcome
  try {
    steps = await runSteps(options, first, dir.path, cluster)
  } finally {
    await cluster.stop()
  }
  if (steps.stoppedBy !== null) return { curve: null, dir: dir.path, stoppedBy: steps.stoppedBy }
  const curve: CurveResult = {
    format: CURVE_FORMAT,
    workload: first.name,
    driver: steps.driver,
    maxRateMsgPerSec: steps.maxRate,
    maxRateSource: options.maxRateMsgPerSec === null ? 'search' : 'flag',
    startTime: startTime.toISOString(),
    endTime: new Date().toISOString(),
    steps: steps.steps.sort((a, b) => a.percent - b.percent),
  }
  await writeFileAtomic(join(dir.path, 'curve.json'), JSON.stringify(curve, null, 2) + '\n')
  await writeFileAtomic(join(dir.path, 'curve.md'), curveToMarkdown(curve))
  await writeFileAtomic(join(dir.path, 'curve.html'), curveToHtml(curve))
  await pointLatest(options.resultsDir, dir.path)
  return { curve, dir: dir.path, stoppedBy: null }
}

interface StepsOutcome {
  steps: CurveStep[]
  maxRate: number
  driver: string
  stoppedBy: CurveCommandOutcome['stoppedBy']
}

/** The max-rate search run (unless --max-rate), then each percentage, lowest first, on `cluster`. */
async function runSteps (options: CurveCommandOptions, first: Workload, dirPath: string, cluster: Cluster): Promise<StepsOutcome> {
  const steps: CurveStep[] = []
  let maxRate = options.maxRateMsgPerSec ?? 0
  let driver: string = first.driver
  const stopped = (outcome: BenchRunOutcome, reason: string): StepsOutcome => ({ steps, maxRate, driver, stoppedBy: { outcome, reason } })
  const runStep = async (workload: Workload, label: string): Promise<BenchRunOutcome> => {
    options.log(`curve: ${label}`)
    const outcome = await runBench({ ...options.run, workload, resultsDir: dirPath, startedCluster: cluster })
    driver = outcome.result.driver
    return outcome
  }
  if (options.maxRateMsgPerSec === null) {
    const outcome = await runStep(first, 'max-rate search run (the 100% step)')
    const search = outcome.result.maxRateSearch
    if (outcome.status === 'partial') return stopped(outcome, 'the max-rate run stopped early')
    if (search === null || !search.found) return stopped(outcome, 'the max-rate search found no healthy rate')
    maxRate = search.ratePerSec
    steps.push(curveStep(100, outcome.result, basename(outcome.runDir.path)))
    options.log(`curve: max rate ${maxRate} msg/s; steps at ${options.percents.map(p => stepRate(maxRate, p)).join(', ')} msg/s`)
  }
  for (const percent of options.percents) {
    if (percent === 100 && steps.some(s => s.percent === 100)) continue
    const rate = stepRate(maxRate, percent)
    const outcome = await runStep(await options.workloadAt(rate), `${percent}% of ${maxRate} msg/s = ${rate} msg/s`)
    steps.push(curveStep(percent, outcome.result, basename(outcome.runDir.path)))
    if (outcome.status === 'partial') return stopped(outcome, `the ${percent}% step stopped early`)
  }
  return { steps, maxRate, driver, stoppedBy: null }
}

export interface CurveCommandFlags {
  workloadAt: (rateMsgPerSec: number) => Promise<Workload>
  dryRun: boolean
  json: boolean
  resultsDir: string
  run: CurveCommandOptions['run']
  log: (line: string) => void
}

/** The command: prints the plan (alone with --dry-run), runs the curve, prints curve.md or JSON; returns the exit code. */
export async function curveCommand (base: Workload, spec: { percents: number[], maxRate: number | null }, o: CurveCommandFlags): Promise<number> {
  const plan = stepPlan(base, spec.percents, spec.maxRate)
  // The search run's own schedule, so the plan says how long the whole curve can take.
  if (spec.maxRate === null) plan.push(...describeSchedule(await o.workloadAt(0)).map(line => `  search run: ${line.trim()}`))
  if (o.dryRun) {
    process.stdout.write(plan.join('\n') + '\n')
    return 0
  }
  for (const line of plan) o.log(line)
  const outcome = await runCurveCommand({ percents: spec.percents, maxRateMsgPerSec: spec.maxRate, workloadAt: o.workloadAt, resultsDir: o.resultsDir, run: o.run, log: o.log })
  if (outcome.stoppedBy !== null) {
    o.log(`the curve stopped early: ${outcome.stoppedBy.reason}; the runs so far are in ${outcome.dir}`)
    return stoppedExitCode(outcome.stoppedBy.outcome)
  }
  if (o.json) process.stdout.write(JSON.stringify(outcome.curve, null, 2) + '\n')
  else process.stdout.write(curveToMarkdown(outcome.curve!) + `\nfiles: ${outcome.dir}/curve.json, curve.md, curve.html\n`)
  return 0
}
