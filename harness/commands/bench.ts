// `sluice bench <workload.yaml>`: run a benchmark and write results/<run-id>/ (result.json,
// report.md, report.html), or with --repeat and a candidate, interleaved runs of two
// configurations followed by the comparison `sluice compare` would print. --candidate-backend
// kafka makes the candidate the same workload on Apache Kafka: Sluice vs Kafka, interleaved.
//
// Every workload field can be overridden: --duration/--warmup/--driver/--brokers are
// shortcuts, --set field=value takes any field path (producer.acks=1,
// brokerConfig.log.flush.interval.messages=1). --set applies to both sides; --candidate-set
// only to the candidate. --duration alone also caps the warm-up at the new duration, so an
// OMB file's one-minute warm-up does not dwarf a 10-second CI run (give --warmup to choose).
//
// Exit codes: 0 done; 1 the candidate regressed beyond --fail-threshold; 2 bad input, an
// unreachable cluster, or a run that stopped early (partial results are still written);
// 3 the comparison's gate could not have failed (too few runs: see sluice compare); 130 interrupted by Ctrl-C (partial results written, cluster cleaned up).

import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { parseCurvePercents, parseMaxRate } from '../bench/curve.ts'
import { BenchError } from '../bench/errors.ts'
import type { ClusterChoice } from '../bench/cluster-setup.ts'
import { checkTaskset, parseCpuList, pinThisProcess } from '../bench/cpu-pinning.ts'
import { formatOutcome } from '../bench/runner.ts'
import { runJavaBench } from '../bench/java-run.ts'
import { REPEAT_MAX, runSeries, type SeriesOutcome, type SeriesRun } from '../bench/series.ts'
import { hasQuickFlags, quickWorkload, type QuickFlags } from '../bench/quick-workload.ts'
import { describeSchedule } from '../bench/schedule.ts'
import { BACKEND_NAMES } from '../cluster/index.ts'
import { splitReferenceKeys } from '../cluster/kafka-config.ts'
import { ClusterError, type BackendName } from '../cluster/cluster.ts'
import { CompareError } from '../compare/errors.ts'
import { DriverError } from '../drivers/driver.ts'
import { formatValue } from '../compare/format.ts'
import { pointLatest, RunDirError } from '../results/run-dir.ts'
import { loadWorkload, WorkloadError } from '../workload/index.ts'
import type { Workload } from '../workload/types.ts'
import { curveCommand } from './bench-curve.ts'
import { EXIT_ERROR, EXIT_INTERRUPTED, stoppedExitCode } from './exit-codes.ts'
import { gateExitCode, parseFraction } from './compare.ts'

interface BenchFlags extends QuickFlags {
  duration?: string
  warmup?: string
  set: string[]
  driver?: string
  bootstrap?: string
  backend?: string
  brokers?: string
  resultsDir: string
  repeat: string
  candidate?: string
  candidateSet: string[]
  candidateBackend?: string
  curve?: string
  maxRate?: string
  brokerCpus?: string
  harnessCpus?: string
  failThreshold: string
  noise: string
  alpha: string
  seed: string
  progress: boolean
  json?: boolean
  dryRun?: boolean
  keepTopics?: boolean
  realtime: boolean
}

const WARMUP_KEYS = ['warmup', 'warmupDurationSeconds', 'warmupDurationMinutes']

function badOption (message: string): never {
  throw new BenchError('ERR_BENCH_OPTIONS', message)
}

/** `field=value` pairs to an overrides record; the value may itself contain '='. */
function parseSets (pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) badOption(`${flag} takes field=value (e.g. ${flag} producer.acks=1); got ${JSON.stringify(pair)}`)
    out[pair.slice(0, at).trim()] = pair.slice(at + 1)
  }
  return out
}

function commonOverrides (flags: BenchFlags): Record<string, string> {
  const out = parseSets(flags.set, '--set')
  if (flags.duration !== undefined) out.duration = flags.duration
  if (flags.warmup !== undefined) out.warmup = flags.warmup
  if (flags.driver !== undefined) out.driver = flags.driver
  if (flags.brokers !== undefined) out.brokers = flags.brokers
  return out
}

/** Loads a workload with overrides, capping the warm-up at a --duration given without --warmup. */
async function load (path: string, overrides: Record<string, string>, log: (line: string) => void): Promise<Workload> {
  const workload = await loadWorkload(path, overrides)
  if (workload.chaos !== null || workload.nemesis !== null) {
    const blocks = workload.chaos !== null && workload.nemesis !== null ? 'nemesis and chaos blocks' : workload.chaos !== null ? 'a chaos block' : 'a nemesis block'
    badOption(`${path} is a chaos workload (it has ${blocks}), which sluice bench would ignore: run it with \`sluice chaos ${path}\`, or remove the blocks to benchmark without faults`)
  }
  if (overrides.duration === undefined || WARMUP_KEYS.some(key => overrides[key] !== undefined)) return workload
  if (workload.warmupSeconds <= workload.durationSeconds) return workload
  log(`note: warm-up shortened from ${workload.warmupSeconds} s to ${workload.durationSeconds} s to match --duration (give --warmup to choose)`)
  return await loadWorkload(path, { ...overrides, warmup: String(workload.durationSeconds) })
}

function clusterChoice (flags: BenchFlags): ClusterChoice {
  const backend = flags.backend ?? (flags.bootstrap !== undefined ? 'external' : 'process')
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) badOption(`--backend must be one of ${BACKEND_NAMES.join(', ')}; got ${JSON.stringify(backend)}`)
  if (flags.bootstrap !== undefined && backend !== 'external') badOption(`--bootstrap selects the external backend; it cannot be combined with --backend ${backend}`)
  if (backend === 'external' && flags.bootstrap === undefined) badOption('--backend external needs --bootstrap host:port[,host:port...]')
  const bootstrap = flags.bootstrap?.split(',').map(s => s.trim()).filter(s => s !== '')
  if (flags.brokerCpus === undefined) return { backend: backend as BackendName, bootstrap }
  if (backend !== 'process') badOption(`--broker-cpus pins the brokers the process backend starts; with --backend ${backend} pin them yourself (taskset -c)`)
  checkTaskset('--broker-cpus')
  return { backend: backend as BackendName, bootstrap, brokerCpus: parseCpuList(flags.brokerCpus, '--broker-cpus') }
}

/**
 * The same workload for both brokers: brokerConfig keys the reference broker does not have
 * (Kafka-only keys) are left out of its runs and named, instead of failing its start.
 */
function forReferenceBroker (workload: Workload, backend: BackendName, log: (line: string) => void): Workload {
  if (backend !== 'process') return workload
  const { kept, dropped } = splitReferenceKeys(workload.brokerConfig)
  if (dropped.length === 0) return workload
  log(`brokerConfig keys the reference broker does not know, passed to the candidate only: ${dropped.join(', ')}`)
  return { ...workload, brokerConfig: kept }
}

function integerOption (text: string, name: string, min: number, max: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) badOption(`--${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(text)}`)
  return value
}

function oneLine (run: SeriesRun, position: number, total: number): string {
  const s = run.outcome.result.summary
  const facts = [
    `publish ${formatValue(s.publishRateMsgPerSec, 'msg/s')}`,
    `consume ${s.consumeRateMsgPerSec === null ? '– (no consumers)' : formatValue(s.consumeRateMsgPerSec, 'msg/s')}`,
    `e2e p99 ${s.endToEndLatencyUsP99 === null ? '–' : formatValue(s.endToEndLatencyUsP99, 'us')}`,
  ].join(', ')
  return `[${position}/${total}] ${run.side} #${run.index} ${run.outcome.status}: ${facts} -> ${run.outcome.runDir.path}\n`
}

function jsonOutput (series: SeriesOutcome): unknown {
  return {
    seriesDir: series.seriesDir,
    runs: series.runs.map(run => ({
      side: run.side,
      index: run.index,
      status: run.outcome.status,
      statusReason: run.outcome.result.statusReason,
      runDir: run.outcome.runDir.path,
      files: run.outcome.files,
      notes: run.outcome.notes,
      summary: run.outcome.result.summary,
    })),
    comparison: series.comparison === null
      ? null
      : {
          gateFailed: series.comparison.gateFailed,
          gateUndecidedReason: series.comparison.gateUndecidedReason,
          geomeanDeltaFraction: series.comparison.geomean.deltaFraction,
          rows: series.comparison.rows.map(row => ({ metric: row.metric.name, base: row.base.median, candidate: row.candidate.median, deltaFraction: row.deltaFraction, pValue: row.pValue, verdict: row.verdict })),
          notes: series.comparison.notes,
          markdownFile: series.markdownFile,
        },
  }
}

async function runBenchCommand (workloadPath: string | undefined, flags: BenchFlags, signal: AbortSignal): Promise<number> {
  const log = (line: string): void => { process.stderr.write(`sluice bench: ${line}\n`) }
  const repeat = integerOption(flags.repeat, 'repeat', 1, REPEAT_MAX)
  const seed = integerOption(flags.seed, 'seed', 0, 2 ** 31 - 1)
  const compare = {
    alpha: Number(flags.alpha),
    noiseThreshold: parseFraction(flags.noise, 'noise'),
    failThreshold: parseFraction(flags.failThreshold, 'fail-threshold', true),
  }
  if (!(compare.alpha > 0 && compare.alpha < 1)) badOption(`--alpha must be a number between 0 and 1; got ${JSON.stringify(flags.alpha)}`)
  const cluster = clusterChoice(flags)
  if (flags.harnessCpus !== undefined) pinThisProcess(parseCpuList(flags.harnessCpus, '--harness-cpus'), '--harness-cpus')
  const candidateCluster = flags.candidateBackend === undefined ? undefined : clusterChoice({ ...flags, backend: flags.candidateBackend, bootstrap: undefined })
  const overrides = commonOverrides(flags)
  const quick = hasQuickFlags(flags)
  if (quick && workloadPath !== undefined) badOption('--messages, --message-size, --rate and --partitions describe a workload of their own: give them or a workload file, not both (--set changes a file\'s fields)')
  if (!quick && workloadPath === undefined) badOption('give a workload file (npx sluice list shows the shipped ones), or --messages/--message-size/--rate for a quick run')
  const loadSide = (path: string | undefined, sets: Record<string, string>): Promise<Workload> =>
    path === undefined ? Promise.resolve(quickWorkload(flags, sets)) : load(path, sets, log)
  const candidateSets = parseSets(flags.candidateSet, '--candidate-set')
  const hasCandidate = flags.candidate !== undefined || flags.candidateSet.length > 0 || candidateCluster !== undefined
  const candidate = hasCandidate ? await loadSide(flags.candidate ?? workloadPath, { ...overrides, ...candidateSets }) : null
  let base = await loadSide(workloadPath, overrides)
  if (candidateCluster !== undefined) base = forReferenceBroker(base, cluster.backend, log)
  if (base.driver === 'java' || candidate?.driver === 'java') {
    if (candidate !== null || repeat > 1 || flags.curve !== undefined || flags.maxRate !== undefined) badOption('--driver java runs Kafka\'s perf tools once and reports their own figures; it has no --repeat, --curve, --max-rate, --candidate, --candidate-set or --candidate-backend (run each side on its own)')
    return await runJavaCommand(base, flags, cluster, log)
  }
  if (flags.curve !== undefined || flags.maxRate !== undefined) {
    if (flags.curve === undefined) badOption('--max-rate goes with --curve (it gives the max rate the curve\'s percentages are taken of)')
    if (candidate !== null || repeat > 1) badOption('--curve runs one workload at several rates; it has no --repeat, --candidate, --candidate-set or --candidate-backend')
    return await curveCommand(base, { percents: parseCurvePercents(flags.curve), maxRate: flags.maxRate === undefined ? null : parseMaxRate(flags.maxRate) }, {
      workloadAt: rate => loadSide(workloadPath, { ...overrides, producerRate: String(rate) }),
      dryRun: flags.dryRun === true,
      json: flags.json === true,
      resultsDir: flags.resultsDir,
      run: { cluster, seed, progress: flags.progress, log, signal, keepTopics: flags.keepTopics === true, realtime: flags.realtime },
      log,
    })
  }
  const plan = [...describeSchedule(base), ...(candidate === null ? [] : describeSchedule(candidate).map(line => `candidate: ${line.trim()}`))]
  if (repeat > 1 || candidate !== null) plan.push(`runs: ${repeat} of the base${candidate === null ? '' : ` and ${repeat} of the candidate, interleaved`}`)
  if (flags.dryRun === true) {
    process.stdout.write(plan.join('\n') + '\n')
    return 0
  }
  for (const line of plan) log(line)
  const series = await runSeries({
    base,
    candidate,
    repeat,
    resultsDir: flags.resultsDir,
    run: { cluster, seed, progress: flags.progress, log, signal, keepTopics: flags.keepTopics === true, realtime: flags.realtime },
    ...(candidateCluster === undefined ? {} : { candidateCluster, labels: { base: cluster.backend, candidate: candidateCluster.backend } }),
    compare,
    onRun: (run, position, total) => { if (total > 1 && flags.json !== true) process.stdout.write(oneLine(run, position, total)) },
  })
  const last = series.runs.at(-1)
  const newest = series.seriesDir ?? last?.outcome.runDir.path
  if (newest !== undefined) await pointLatest(flags.resultsDir, newest)
  if (flags.json === true) {
    process.stdout.write(JSON.stringify(jsonOutput(series), null, 2) + '\n')
  } else if (series.runs.length === 1 && last !== undefined) {
    process.stdout.write(formatOutcome(last.outcome, process.stdout.isTTY === true))
  }
  if (series.stoppedBy !== null) {
    const { outcome } = series.stoppedBy
    log(`the run stopped early: ${outcome.result.statusReason ?? 'unknown reason'}`)
    log(`partial results written to ${outcome.runDir.path}`)
    return stoppedExitCode(outcome)
  }
  if (series.markdown !== null) {
    if (flags.json !== true) process.stdout.write('\n' + series.markdown)
    const summaryFile = process.env.GITHUB_STEP_SUMMARY
    if (summaryFile !== undefined && summaryFile !== '') {
      await appendFile(summaryFile, series.markdown + '\n')
    }
    log(`comparison written to ${series.markdownFile}`)
    if (series.comparison !== null) {
      const gateCode = gateExitCode(series.comparison)
      if (gateCode !== 0) return gateCode
    }
  }
  return 0
}

async function runJavaCommand (workload: Workload, flags: BenchFlags, cluster: ReturnType<typeof clusterChoice>, log: (line: string) => void): Promise<number> {
  if (flags.dryRun === true) {
    process.stdout.write(`plan for ${workload.name}: Kafka's ProducerPerformance and ConsumerPerformance, ${workload.warmupSeconds + workload.durationSeconds} s of load, no rate search\n`)
    return 0
  }
  const outcome = await runJavaBench({ workload, resultsDir: flags.resultsDir, cluster, log })
  await pointLatest(flags.resultsDir, outcome.runDir)
  if (flags.json === true) process.stdout.write(JSON.stringify(outcome.result, null, 2) + '\n')
  else process.stdout.write(`${await readFile(join(outcome.runDir, 'report.md'), 'utf8')}\nfiles: ${outcome.runDir}/java-result.json, report.md\n`)
  return outcome.exitCode
}

const KNOWN_ERRORS = [WorkloadError, ClusterError, BenchError, DriverError, CompareError, RunDirError]

export function registerBench (program: Command): void {
  const collect = (value: string, previous: string[]): string[] => [...previous, value]
  program.command('bench')
    .description('run a benchmark workload (OMB or Sluice YAML) and write result.json, report.md and report.html')
    .argument('[workload]', 'workload file (YAML); leave out for a quick run from --messages/--message-size/--rate')
    .option('--duration <duration>', 'measured phase, e.g. 10s or 2m (also caps the warm-up unless --warmup is given); a max-rate search comes on top')
    .option('--warmup <duration>', 'warm-up phase, e.g. 5s')
    .option('--set <field=value>', 'override any workload field (repeatable), e.g. --set producer.acks=1', collect, [])
    .option('--driver <name>', 'client driver: native, platformatic, kafkajs, http, java (Kafka\'s perf tools; their own figures)')
    .option('--bootstrap <host:port,...>', 'use an already running cluster (the external backend)')
    .option('--backend <name>', `cluster backend: ${BACKEND_NAMES.join(', ')} (default process)`)
    .option('--brokers <n>', 'broker processes to start (process and docker backends)')
    .option('--results-dir <dir>', 'where run directories are written', 'results')
    .option('--keep-topics', 'leave the run\'s topics on an external cluster (--bootstrap); by default they are deleted at the end')
    .option('--repeat <n>', 'run this many times (interleaved with the candidate, if any)', '1')
    .option('--candidate <workload>', 'compare against this workload file (runs interleaved with the base)')
    .option('--candidate-backend <name>', `the candidate is the same workload on this backend, e.g. kafka: Sluice vs Apache Kafka, interleaved (${BACKEND_NAMES.join(', ')})`)
    .option('--candidate-set <field=value>', 'the candidate is the base with this override (repeatable)', collect, [])
    .option('--fail-threshold <percent>', 'exit 1 on a significant regression larger than this ("off" never fails)', '5%')
    .option('--noise <percent>', 'changes smaller than this are noise', '2%')
    .option('--alpha <p>', 'significance level of the Mann-Whitney U test', '0.05')
    .option('--seed <n>', 'seed for keys and payloads', '1')
    .option('--no-progress', 'no live progress line')
    .option('--no-realtime', 'keep the load-generator threads under the default scheduler; by default they run SCHED_FIFO at fixed rates up to 10,000 msg/s where the OS allows it (root or CAP_SYS_NICE); the report says how they ran')
    .option('--json', 'print a JSON summary of the run(s) on stdout instead of the text summary')
    .option('--messages <n>', 'quick run without a file: this many messages (default 10 s worth)')
    .option('--message-size <bytes>', 'quick run: message size (default 1024)')
    .option('--rate <msg/s>', 'quick run: producer rate (default 1000)')
    .option('--partitions <n>', 'quick run: partitions of the topic (default 8)')
    .option('--broker-cpus <list>', 'process backend: run the brokers on these CPUs (taskset list, e.g. 0); the report states the affinities in force')
    .option('--harness-cpus <list>', 'run the harness (producers, consumers, every thread) on these CPUs, e.g. 1')
    .option('--curve <percents>', 'latency-throughput curve: run the workload at these percentages of its max rate, e.g. 20,50,80 (the max rate from a max-rate search run first, or --max-rate); writes curve.json, curve.md, curve.html')
    .option('--max-rate <msg/s>', 'with --curve: the max rate to take the percentages of, skipping the search')
    .option('--dry-run', 'print the planned phases and how long they take, then exit without starting anything')
    .action(async (workloadPath: string | undefined, flags: BenchFlags) => {
      const controller = new AbortController()
      let interrupts = 0
      const onSignal = (signal: NodeJS.Signals): void => {
        interrupts++
        if (interrupts > 1) process.exit(EXIT_INTERRUPTED)
        process.stderr.write(`\nsluice bench: ${signal}: stopping, writing partial results and cleaning up (again to quit at once)\n`)
        controller.abort(`interrupted by ${signal}`)
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      try {
        process.exitCode = await runBenchCommand(workloadPath, flags, controller.signal)
      } catch (error) {
        // Ctrl-C while the cluster was starting surfaces as that start failing.
        if (controller.signal.aborted) {
          process.stderr.write(`sluice bench: ${String(controller.signal.reason)} before the run started; nothing was measured\n`)
          process.exitCode = EXIT_INTERRUPTED
          return
        }
        if (!KNOWN_ERRORS.some(kind => error instanceof kind)) throw error
        process.stderr.write(`sluice bench: ${(error as Error).message}\n`)
        process.exitCode = EXIT_ERROR
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}
