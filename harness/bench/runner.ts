// `sluice bench`, one run: workload in, results directory out.
//
//   check payload -> start cluster -> probe and adapt -> create topics -> start worker
//   threads (producers, consumers) -> phases (warm-up, search, measure, backlog) -> stop
//   producers, drain consumers -> stop workers -> result.json, report.md, report.html
//
// Failures before load starts (a bad payload file, an unreachable cluster, a setting the
// cluster cannot honour) throw, and nothing is written. Once load has started, nothing
// throws: a broker death, a crashed worker, a stall or Ctrl-C stops the run, and what was
// measured so far is written with status 'partial' and the reason. A dead broker's log is
// copied into the run directory first, since the cluster's temp dir is removed on stop.
// The run also rewrites a partial result every CHECKPOINT_SECONDS, so even a harness
// killed outright leaves its numbers behind.

import { copyFile } from 'node:fs/promises'
import type { Cluster } from '../cluster/cluster.ts'
import { logTail } from '../cluster/process-broker.ts'
import type { DriverName } from '../drivers/driver.ts'
import { MeasuredPhaseScrapes } from '../measure/broker-breakdown.ts'
import { DisturbanceTracker, GC_PAUSE_FLAG_MS } from '../measure/disturbance.ts'
import { brokerGcPauses } from '../measure/broker-gc.ts'
import { RunRecorder } from '../measure/recorder.ts'
import { Progress } from '../progress.ts'
import { formatConsoleSummary } from '../report/console.ts'
import { collectEnvironment } from '../results/environment.ts'
import { clockResolutionNs, describePrecision } from '../results/precision.ts'
import { buildResult } from '../results/result.ts'
import type { BenchResult, RunStatus } from '../results/result.ts'
import { createRunDir, type RunDir } from '../results/run-dir.ts'
import { saveRunFiles, type SavedFiles } from '../report/save.ts'
import type { Workload } from '../workload/types.ts'
import { adaptWorkload, deleteRunTopics, describeBrokerProcesses, describeCoreSharing, driverOptionsFor, probeCapabilities, startCluster, type ClusterChoice } from './cluster-setup.ts'
import { checkPayloadSpec, payloadSpecOf } from './payload.ts'
import { runPhases, stopAndDrain, type PhaseOutcome } from './phases.ts'
import { planRun, type RunPlan } from './plan.ts'
import { RunWatch, unlessAborted, type StopCause } from './run-watch.ts'
import { BenchSession } from './session.ts'
import { WorkerPool } from './worker-pool.ts'
import { BenchError } from './errors.ts'
import { loadDriver } from './driver-loader.ts'

const CHECKPOINT_SECONDS = 30
const WORKER_READY_TIMEOUT_MS = 60_000
const WORKER_STOP_TIMEOUT_MS = 5000
/** After a broker death or Ctrl-C outstanding sends may never complete: wait less. */
const ABORTED_STOP_TIMEOUT_MS = 2000
const LOG_TAIL_LINES = 10

export interface BenchRunOptions {
  workload: Workload
  /** Where the run directory is created. */
  resultsDir: string
  cluster?: ClusterChoice
  /** Seeds keys and payloads; the same seed gives the same inputs. Default 1. */
  seed?: number
  progress?: boolean
  /** Status lines (cluster ready, notes); stderr in the CLI. */
  log?: (line: string) => void
  /** Aborting it (Ctrl-C) stops the run with a partial result. */
  signal?: AbortSignal
  producerThreads?: number
  consumerThreads?: number
  /** Leave the run's topics on an external cluster (by default they are deleted at the end). */
  keepTopics?: boolean
  /** Let load generators run real-time at low fixed rates (bench/realtime.ts); default true. */
  realtime?: boolean
  /**
   * A cluster the caller started and stops (a curve's steps share one, so each step does
   * not pay a broker start). The run deletes its topics from it at the end, as on an
   * external cluster, so the next run does not share the brokers with a dead topic's log.
   */
  startedCluster?: Cluster
}

export interface BenchRunOutcome {
  result: BenchResult
  runDir: RunDir
  files: SavedFiles
  status: RunStatus
  /** Why the run stopped early; null when it completed. */
  stopCause: StopCause | null
  notes: string[]
}

export async function runBench (options: BenchRunOptions): Promise<BenchRunOutcome> {
  const log = options.log ?? (() => {})
  const payload = await checkPayloadSpec(payloadSpecOf(options.workload), options.workload.sourceName)
  const choice = options.cluster ?? { backend: 'process' }
  const shared = options.startedCluster
  const cluster = shared ?? await startCluster(options.workload, choice, log)
  try {
    const secured = options.workload.security.protocol !== 'PLAINTEXT'
    const { workload, notes } = adaptWorkload(options.workload, await probeCapabilities(cluster.bootstrap, secured))
    const driverOptions = driverOptionsFor(workload, cluster)
    const seed = options.seed ?? 1
    const plan = planRun({ workload, driverOptions, payload, seed, producerThreads: options.producerThreads, consumerThreads: options.consumerThreads, realtime: options.realtime })
    notes.push(...plan.notes)
    if (secured && workload.producer.idempotent) notes.push('the cluster\'s APIs were not probed (TLS/SASL): idempotent producers assume InitProducerId; set producerConfig enable.idempotence=false for a cluster without it')
    for (const note of notes) log(`note: ${note}`)
    const watch = new RunWatch(cluster, options.signal, { tcpOnly: secured })
    let pool: WorkerPool
    try {
      pool = await setUpLoad(workload, cluster, plan, watch)
    } catch (error) {
      watch.close()
      throw error
    }
    const startTime = new Date()
    const runDir = await createRunDir(options.resultsDir, workload.name, startTime)
    const run = new Run({ workload, cluster, plan, runDir, startTime, notes, seed, options, watch, pool })
    const outcome = await run.execute()
    // Topics on a cluster the harness started vanish with it; on any other they would pile up.
    if (options.keepTopics !== true && (cluster.backend === 'external' || shared !== undefined)) await deleteRunTopics(cluster.bootstrap, plan.topics, log, secured)
    return outcome
  } finally {
    if (shared === undefined) await cluster.stop()
  }
}

/**
 * Creates the topics and starts the worker threads. Failures here throw (nothing was
 * measured yet); a broker death or Ctrl-C meanwhile throws with the watch's message.
 */
async function setUpLoad (workload: Workload, cluster: Cluster, plan: RunPlan, watch: RunWatch): Promise<WorkerPool> {
  const failed = (error: unknown): never => {
    const cause = watch.cause
    if (cause === null) throw error
    throw new BenchError('ERR_BENCH_ABORTED', `the run stopped before load started: ${cause.message}`, { cause: error })
  }
  const driver = await loadDriver(workload.driver, driverOptionsFor(workload, cluster))
  try {
    for (const topic of plan.topics) await unlessAborted(driver.createTopic(topic, workload.partitionsPerTopic, workload.replicationFactor), watch.signal)
  } catch (error) {
    failed(error)
  } finally {
    await driver.close()
  }
  const starting = WorkerPool.start(plan.workers, WORKER_READY_TIMEOUT_MS)
  try {
    return await unlessAborted(starting, watch.signal)
  } catch (error) {
    // A pool that finishes starting after the abort must not keep its threads.
    starting.then(pool => pool.terminate(), () => {})
    return failed(error)
  }
}

interface RunInput {
  workload: Workload
  cluster: Cluster
  plan: RunPlan
  runDir: RunDir
  startTime: Date
  notes: string[]
  seed: number
  options: BenchRunOptions
  watch: RunWatch
  pool: WorkerPool
}

class Run {
  readonly #in: RunInput
  readonly #watch: RunWatch
  readonly #recorder: RunRecorder
  readonly #progress: Progress | null
  #phases: PhaseOutcome | null = null
  #consumerErrors: Record<string, number> = {}
  #lastCheckpointSec = 0
  readonly #scrapes: MeasuredPhaseScrapes
  readonly #disturbances = new DisturbanceTracker()
  readonly #clockResolutionNs = clockResolutionNs()

  constructor (input: RunInput) {
    this.#in = input
    // The reference broker's RequestMetrics, when the brokers have an HTTP API (process and docker backends).
    this.#scrapes = new MeasuredPhaseScrapes(input.cluster.brokers.map(b => b.httpUrl).filter((url): url is string => url !== null))
    this.#watch = input.watch
    this.#recorder = new RunRecorder({ subscriptionsPerTopic: input.workload.subscriptionsPerTopic })
    this.#progress = input.options.progress === true ? new Progress({ stream: process.stderr }) : null
  }

  async execute (): Promise<BenchRunOutcome> {
    const { workload, plan, pool } = this.#in
    void pool.failure.then(error => this.#watch.stop({ kind: 'worker-failed', message: error.message }))
    const session = new BenchSession({
      pool,
      recorder: this.#recorder,
      watch: this.#watch,
      progress: this.#progress,
      producerCount: plan.producers.length,
      consumerCount: plan.consumers.length,
      onInterval: () => this.#checkpoint(),
      onPhaseChange: (from, to) => this.#scrapes.phaseChanged(from, to),
      disturbances: this.#disturbances,
    })
    try {
      this.#phases = await runPhases(session, workload)
      this.#note(...this.#phases.notes)
      if (!session.aborted) this.#note(...await stopAndDrain(session, workload))
    } finally {
      if (session.aborted) {
        // Close the interval at the moment the run stopped, so the time spent shutting
        // down (waiting for acks that will never come) is not counted as measured.
        await session.tick()
        session.enter('drain')
      }
      this.#consumerErrors = await pool.stop(session.aborted ? ABORTED_STOP_TIMEOUT_MS : WORKER_STOP_TIMEOUT_MS)
      for (const snapshot of pool.drain()) this.#recorder.add(snapshot)
      await session.closeInterval()
      this.#progress?.stop()
      this.#watch.close()
    }
    return await this.#finish()
  }

  #note (...notes: string[]): void {
    for (const note of notes) {
      this.#in.notes.push(note)
      this.#in.options.log?.(`note: ${note}`)
    }
  }

  async #checkpoint (): Promise<void> {
    const elapsedSec = (Date.now() - this.#in.startTime.getTime()) / 1000
    if (elapsedSec - this.#lastCheckpointSec < CHECKPOINT_SECONDS) return
    this.#lastCheckpointSec = elapsedSec
    await saveRunFiles(this.#in.runDir, await this.#result('partial', 'the run is still in progress (or the harness was killed)'))
  }

  async #finish (): Promise<BenchRunOutcome> {
    const cause = this.#watch.cause
    let reason: string | null = null
    if (cause !== null) {
      reason = cause.message
      const broker = cause.kind === 'broker-died' ? cause.broker : null
      if (broker !== null && broker.logFile !== null) {
        // The cluster's temp dir goes when it stops; the run directory keeps the log.
        const copy = this.#in.runDir.file(`broker-${broker.id}.log`)
        const kept = await copyFile(broker.logFile, copy).then(() => copy, () => broker.logFile!)
        reason = `${reason}; its log: ${kept}; last lines:\n${logTail(kept, LOG_TAIL_LINES)}`
      }
    }
    const status: RunStatus = cause === null ? 'complete' : 'partial'
    const result = await this.#result(status, reason)
    const files = await saveRunFiles(this.#in.runDir, result)
    return { result, runDir: this.#in.runDir, files, status, stopCause: cause, notes: this.#in.notes }
  }

  async #result (status: RunStatus, reason: string | null): Promise<BenchResult> {
    const { workload, plan, cluster } = this.#in
    const software = cluster.info().software
    const environment = await collectEnvironment({ coreSharing: describeCoreSharing(cluster, plan), ...(software === undefined ? {} : { brokerSoftware: software }) })
    const driverOptions = driverOptionsFor(workload, cluster)
    const brokerScrapes = await this.#scrapes.samples()
    const precision = await describePrecision({
      brokerPids: cluster.backend === 'process' ? cluster.brokers.map(b => ({ id: b.id, pid: (b as { pid?: number | null }).pid ?? null })) : [],
      brokerProcesses: describeBrokerProcesses(cluster),
      producerThreads: plan.producerThreads,
      consumerThreads: plan.consumerThreads,
      brokerHistograms: brokerScrapes.after !== null,
      workers: this.#disturbances.workers(),
      scheduling: this.#in.pool.scheduling(),
      brokerGc: brokerGcPauses(brokerScrapes.before, brokerScrapes.after, GC_PAUSE_FLAG_MS),
      clockResolutionNs: this.#clockResolutionNs,
    })
    return buildResult({
      runId: this.#in.runDir.id,
      workload,
      driver: {
        name: workload.driver as DriverName,
        // What a reader needs first comes first: reports list the settings in this order.
        settings: {
          notes: this.#in.notes,
          consumerErrors: this.#consumerErrors,
          producers: plan.producers.length,
          consumers: plan.consumers.length,
          producerThreads: plan.producerThreads,
          consumerThreads: plan.consumerThreads,
          seed: this.#in.seed,
          clientId: driverOptions.clientId,
          topics: plan.topics,
          producer: driverOptions.producer,
          consumer: driverOptions.consumer,
          // Never the credentials: the protocol and mechanism say how the clients connected.
          security: { protocol: driverOptions.security.protocol, saslMechanism: driverOptions.security.sasl?.mechanism ?? null },
        },
      },
      cluster: cluster.info(),
      environment,
      recording: this.#recorder.recording(),
      status,
      statusReason: reason,
      startTime: this.#in.startTime,
      endTime: new Date(),
      targetRateMsgPerSec: this.#phases?.measuredRatePerSec ?? (workload.producerRate > 0 ? workload.producerRate : null),
      maxRateSearch: this.#phases?.maxRate ?? null,
      maxRateMeasured: this.#phases?.maxRateMeasured ?? null,
      brokerScrapes,
      precision,
    })
  }
}

/** The end-of-run summary for the terminal, with the files written. */
export function formatOutcome (outcome: BenchRunOutcome, color: boolean): string {
  const files = [outcome.files.resultJson, outcome.files.reportMarkdown, outcome.files.reportHtml]
  return formatConsoleSummary(outcome.result, { color, files })
}
