// `sluice chaos`: one chaos run from start to verdict.
//
//  1. results/<run-id>/ is created; the history is written there as the run goes.
//  2. A Toxiproxy API (embedded, or --toxiproxy-url), brokers behind one proxy each, topics.
//  3. The workers (one per process slot, generator.ts) and, in a consume-transform-produce
//     run, the processors, run for warm-up + duration while the nemesis plays its schedule.
//  4. Everything is healed: faults of the schedule, every toxic and disabled proxy, every
//     dead broker restarted. Processors drain, then stop.
//  5. Final polls read every partition from the beginning.
//  6. The saved history.jsonl is checked (exactly as `sluice check` would), and result.json,
//     report.md and report.html are written. Exit code: 0 valid, 1 anomalies, 2 the run
//     itself failed (setup, healing, incomplete final polls) or the verdict is unknown.

import { availableParallelism } from 'node:os'
import { NemesisRunner, planSchedule } from '../../chaos/nemesis/schedule.ts'
import { checkHistoryFile } from '../../chaos/check/checker.ts'
import type { Verdict } from '../../chaos/check/checker.ts'
import { collectEnvironment } from '../results/environment.ts'
import { createRunDir } from '../results/run-dir.ts'
import type { RunDir } from '../results/run-dir.ts'
import type { Workload } from '../workload/types.ts'
import type { ClusterBackend } from '../cluster/cluster.ts'
import { INTERRUPTED, runPhases } from './phases.ts'
import type { PhaseOutcome } from './phases.ts'
import { randomSeed } from '../../chaos/run/prng.ts'
import { verdictForResult, workloadSettings } from './result.ts'
import { finishWhitebox, prepareWhitebox, WhiteboxRun } from './whitebox.ts'
import { mergeWhitebox } from './whitebox-judge.ts'
import type { WhiteboxResult } from './whitebox-judge.ts'
import { saveChaosResult } from './save.ts'
import { runDetection } from './detection.ts'
import type { ChaosExitCode, ChaosResult } from './result.ts'
import { ChaosSetupError, checkIdempotenceSupport, controllerIndex, createTopics, followerIndex, leaderIndex, startChaosCluster } from './setup.ts'
import type { ChaosCluster } from './setup.ts'
import { HistoryWriter } from '../../chaos/run/interpreter.ts'
import { Timeline } from '../../chaos/run/timeline.ts'
import { INPUT_TOPIC, OUTPUT_TOPIC, REGISTER_TOPIC } from '../../chaos/run/topology.ts'
import type { TopicSpec } from '../../chaos/run/topology.ts'

export interface ChaosRunOptions {
  workload: Workload
  /** Parent of the run directory. Default "results". */
  resultsDir?: string
  /** Generator seed; a fresh one (recorded in the result) when absent. */
  seed?: number
  /** A real Toxiproxy's API URL; the embedded server is started otherwise. */
  toxiproxyUrl?: string
  /** Where the brokers come from: the process backend unless given (e.g. the kafka backend). */
  backend?: ClusterBackend
  log?: (line: string) => void
  /**
   * Ctrl-C: the load stops, nothing is healed or final-polled, the history so far is checked
   * and result.json is written with status "partial" (exit code 130).
   */
  signal?: AbortSignal
}

export interface ChaosRunOutcome {
  exitCode: ChaosExitCode
  runDir: string
  historyPath: string
  /** The history's verdict with the white-box anomalies (whitebox-judge.ts) merged in. */
  verdict: Verdict | null
  /** The history's verdict alone: what `sluice check history.jsonl` gives. */
  historyVerdict: Verdict | null
  result: ChaosResult
}

/** True when the workload asks for the consume-transform-produce workload (chaos.workload). */
export function isTransformRun (workload: Workload): boolean {
  return workload.chaos?.workload === 'transform'
}

export function runTopics (workload: Workload): TopicSpec[] {
  const partitions = workload.partitionsPerTopic
  return isTransformRun(workload)
    ? [{ name: INPUT_TOPIC, partitions }, { name: OUTPUT_TOPIC, partitions }]
    : [{ name: REGISTER_TOPIC, partitions }]
}

/**
 * Anomalies that stand whatever happened after they were seen. `unseen` and missing outputs
 * are only as good as the final phase: when the run failed, they may be artifacts of it.
 */
function hasDefiniteAnomaly (verdict: Verdict): boolean {
  for (const [name, cases] of Object.entries(verdict.anomalies)) {
    if (name === 'unseen') continue
    if (name === 'exactly-once' && cases.every(c => c.kind === 'missing')) continue
    return true
  }
  return false
}

export function exitCodeOf (failure: string | null, verdict: Verdict | null, interrupted = false): ChaosExitCode {
  if (interrupted) return 130
  if (verdict === null) return 2
  if (failure !== null) return hasDefiniteAnomaly(verdict) ? 1 : 2
  return verdict.valid === true ? 0 : verdict.valid === false ? 1 : 2
}

/** How long an interrupted run waits for its clients to stop before it writes its results anyway. */
const INTERRUPT_GRACE_MS = 5000

/** Resolves with the phases' outcome, or rejects soon after `signal` aborts if they hang. */
async function untilInterrupted<T> (work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return await work
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => { timer = setTimeout(() => reject(new Error(INTERRUPTED)), INTERRUPT_GRACE_MS) }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  // The abandoned phases may still reject later; that must not surface as unhandled.
  work.catch(() => {})
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

function runEnvironment (workload: Workload, setup: ChaosCluster | null): ReturnType<typeof collectEnvironment> {
  return collectEnvironment({
    coreSharing: `${workload.brokers} broker ${workload.backend === 'docker' ? 'container' : 'process'}(es) and the harness (clients, proxy, nemesis) on ${availableParallelism()} cores, not pinned`,
    ...(setup?.cluster.info().software === undefined ? {} : { brokerSoftware: setup.cluster.info().software! }),
  })
}

export async function runChaos (options: ChaosRunOptions): Promise<ChaosRunOutcome> {
  const { workload } = options
  const log = options.log ?? (() => {})
  if (workload.chaos === null) throw new ChaosSetupError(`${workload.sourceName} has no chaos block; \`sluice chaos\` needs one (see workloads/chaos/)`)
  const seed = options.seed ?? randomSeed()
  const nemesisSeed = workload.nemesis?.seed ?? seed
  const startTime = new Date()
  const dir: RunDir = await createRunDir(options.resultsDir ?? 'results', workload.name, startTime)
  const historyPath = dir.file('history.jsonl')
  const history = new HistoryWriter(historyPath, { firstFreeProcess: workload.chaos.processes })
  const timeline = new Timeline()
  history.observe(timeline.observe)
  log(`chaos run ${dir.id}: seed ${seed}, history ${historyPath}`)

  let setup: ChaosCluster | null = null
  let nemesis: NemesisRunner | null = null
  let phases: PhaseOutcome | null = null
  let failure: string | null = null
  let whitebox: WhiteboxRun | null = null
  let whiteboxResult: WhiteboxResult | null = null
  const topics = runTopics(workload)
  // Harness wall-clock ms to seconds since the history's start (the reports' time axis).
  const historyStartMs = Date.now() - history.nowNs() / 1e6
  const toSec = (atMs: number): number => (atMs - historyStartMs) / 1000
  try {
    setup = await startChaosCluster({
      workload,
      workDir: dir.path,
      ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      log,
    })
    if (workload.producer.idempotent) await checkIdempotenceSupport(setup.bootstrap)
    await createTopics(setup.bootstrap, topics, workload.replicationFactor)
    const prepared = await prepareWhitebox(setup.cluster, toSec, log)
    if (prepared instanceof WhiteboxRun) whitebox = prepared
    else whiteboxResult = prepared
    const runSeconds = workload.warmupSeconds + workload.durationSeconds
    const spec = workload.nemesis ?? { schedule: [], seed: null, quietEndSeconds: 0 }
    const bootstrap = setup.bootstrap
    const brokerCount = setup.targets.length
    nemesis = new NemesisRunner(planSchedule(spec, { runSeconds, brokers: setup.targets.length, seed: nemesisSeed }), {
      spec,
      targets: setup.targets,
      fleet: setup.fleet,
      leaderIndex: () => leaderIndex(bootstrap, topics[0]!.name),
      followerIndex: () => followerIndex(bootstrap, topics[0]!.name),
      controllerIndex: () => controllerIndex(bootstrap, brokerCount),
      record: value => { history.info('nemesis', 'nemesis', value) },
      nowSec: () => history.nowNs() / 1e9,
    })
    const phaseContext = {
      workload, seed, history, setup, nemesis, topics, runSeconds, log,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(whitebox === null ? {} : { whitebox }),
    }
    if (options.signal?.aborted === true) throw new Error(INTERRUPTED)
    phases = await untilInterrupted(runPhases(phaseContext), options.signal)
    failure = phases.failure
  } catch (error) {
    failure = (error as Error).message
    log(`chaos run failed: ${failure}`)
  } finally {
    const interrupted = options.signal?.aborted === true
    if (interrupted) failure = INTERRUPTED
    // Clients abandoned by an interruption may still complete: their ops are dropped.
    if (interrupted) history.seal()
    whiteboxResult ??= await finishWhitebox(whitebox, { topics: topics.map(t => t.name), interrupted, started: setup !== null, failure, log })
    await setup?.stop()
    history.close()
  }
  const interrupted = options.signal?.aborted === true

  let historyVerdict: Verdict | null = null
  try {
    historyVerdict = await checkHistoryFile(historyPath, { requireFinalPolls: true, plots: true })
  } catch (error) {
    failure ??= `checking the history failed: ${(error as Error).message}`
  }
  const verdict = historyVerdict === null ? null : mergeWhitebox(historyVerdict, whiteboxResult)
  const exitCode = exitCodeOf(failure, verdict, interrupted)
  const result: ChaosResult = {
    format: 'sluice-chaos-result',
    formatVersion: 1,
    runId: dir.id,
    workload: workload.name,
    workloadFile: workload.sourceName,
    startTime: startTime.toISOString(),
    endTime: new Date().toISOString(),
    seed,
    nemesisSeed,
    exitCode,
    status: interrupted ? 'partial' : failure === null ? 'complete' : 'failed',
    failure,
    verdict: verdict === null ? null : verdictForResult(verdict),
    mode: workload.chaos.workload,
    transform: phases?.transform ?? null,
    nemesis: { plannedFaults: nemesis?.plan.length ?? 0, bands: timeline.allBands(), errors: nemesis?.errors ?? [] },
    finalPolls: phases?.finalPolls ?? null,
    whitebox: whiteboxResult,
    detection: await runDetection(historyPath, verdict, timeline.allBands()),
    outcomeReasons: phases?.outcomeReasons ?? {},
    opsWritten: history.opCount,
    cluster: setup?.cluster.info() ?? null,
    toxiproxy: setup === null ? null : { url: setup.toxiproxyUrl, embedded: setup.embedded !== null },
    environment: await runEnvironment(workload, setup),
    settings: workloadSettings(workload),
    series: timeline.samples(),
  }
  await saveChaosResult(dir, result)
  return { exitCode, runDir: dir.path, historyPath, verdict, historyVerdict, result }
}
