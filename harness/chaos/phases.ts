// The timed part of a chaos run, once the cluster and topics exist: load and faults for
// warm-up + duration, healing, the processors' drain (consume-transform-produce runs), and
// the final polls. Returns what went wrong with the run itself (not with the broker: that
// is the checkers' job), so the runner can tell "invalid" from "failed".

import type { NemesisRunner } from '../../chaos/nemesis/schedule.ts'
import type { Workload } from '../workload/types.ts'
import type { ChaosClientConfig } from '../../chaos/run/client.ts'
import { runFinalPolls } from '../../chaos/run/final-polls.ts'
import type { FinalPollResult } from '../../chaos/run/final-polls.ts'
import { crashProbabilityFor, SlotGenerator } from '../../chaos/run/generator.ts'
import type { GeneratorOptions } from '../../chaos/run/generator.ts'
import type { HistoryWriter } from '../../chaos/run/interpreter.ts'
import { ChaosProgress } from '../../chaos/run/live-progress.ts'
import { Prng } from '../../chaos/run/prng.ts'
import type { ChaosResult } from './result.ts'
import { waitForClusterReady } from '../cluster/ready.ts'
import { leaderIndex } from './setup.ts'
import type { ChaosCluster } from './setup.ts'
import { sleep } from '../../chaos/run/sleep.ts'
import { INPUT_TOPIC, OUTPUT_TOPIC } from '../../chaos/run/topology.ts'
import type { TopicSpec } from '../../chaos/run/topology.ts'
import { TransformGroup } from '../../chaos/run/transform.ts'
import { Worker } from '../../chaos/run/worker.ts'

export const TRANSFORM_GROUP = 'chaos-transform'
/** The failure of a run stopped by Ctrl-C (SIGINT). */
export const INTERRUPTED = 'interrupted (SIGINT) before the run finished: no healing, no final polls'
export const SUBSCRIBE_GROUP = 'chaos-subscribe'
/** Per-record "processing" time of a transform processor. */
export const PROCESSING_MS = 15
/** How long the cluster gets to answer again after healing. */
const HEALTHY_TIMEOUT_MS = 30_000

export interface PhaseContext {
  workload: Workload
  seed: number
  history: HistoryWriter
  setup: ChaosCluster
  nemesis: NemesisRunner
  topics: readonly TopicSpec[]
  runSeconds: number
  log: (line: string) => void
  /** Aborted on Ctrl-C: the load stops at once and healing and final polls are skipped. */
  signal?: AbortSignal
  /** The white-box HW sampler (whitebox.ts): sampling from the load's start until healed. */
  whitebox?: { startSampling: () => void, stopSampling: () => Promise<void> }
}

export interface PhaseOutcome {
  failure: string | null
  /** Non-ok client outcomes by "f type: reason". */
  outcomeReasons: Record<string, number>
  transform: ChaosResult['transform']
  finalPolls: FinalPollResult | null
}

function clientConfig (workload: Workload, topic: TopicSpec): ChaosClientConfig {
  const chaos = workload.chaos!
  return {
    bootstrap: [],
    topic: topic.name,
    partitions: topic.partitions,
    opTimeoutMs: chaos.opTimeoutMs,
    acks: workload.producer.acks,
    idempotent: workload.producer.idempotent,
    retries: workload.producer.retries,
    subscribeVia: chaos.subscribeVia,
    subscribeGroup: SUBSCRIBE_GROUP,
    autoCommit: workload.consumer.autoCommit,
    autoCommitIntervalMs: workload.consumer.autoCommitIntervalMs,
  }
}

/** Crashes a processor every `intervalSeconds` until `untilSec` (no crashes in the quiet end). */
async function crashLoop (group: TransformGroup, prng: Prng, intervalSeconds: number, untilSec: number, nowSec: () => number, signal: AbortSignal): Promise<void> {
  if (!(intervalSeconds > 0)) return
  let next = intervalSeconds
  while (!signal.aborted && next < untilSec) {
    await sleep((next - nowSec()) * 1000, signal)
    if (signal.aborted) return
    await group.crashOne(prng)
    next += intervalSeconds
  }
}

/** Heals every fault, toxic and broker; returns what could not be healed. */
async function healEverything (context: PhaseContext): Promise<string[]> {
  const problems = [...await context.nemesis.healAll()]
  try {
    await context.setup.fleet.healAll()
  } catch (error) {
    problems.push((error as Error).message)
  }
  for (const target of context.setup.targets) {
    if (target.broker.alive()) {
      // SIGCONT is harmless to a running broker and frees one a failed heal left stopped.
      await target.broker.resume().catch((error: unknown) => { problems.push(`resume ${target.name}: ${(error as Error).message}`) })
      continue
    }
    try {
      await target.broker.restart()
    } catch (error) {
      problems.push(`restart ${target.name}: ${(error as Error).message}`)
    }
  }
  // A cluster is healthy again when every broker is back, a controller is elected and every
  // partition has a leader (it says which are not).
  if (context.setup.targets.length > 1) {
    await waitForClusterReady(context.setup.bootstrap, context.setup.targets.length, HEALTHY_TIMEOUT_MS)
      .catch((error: Error) => { problems.push(`after healing: ${error.message}`) })
  }
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS
  for (;;) {
    try {
      await leaderIndex(context.setup.bootstrap, context.topics[0]!.name)
      break
    } catch (error) {
      if (Date.now() > deadline) {
        problems.push(`the cluster did not answer Metadata within ${HEALTHY_TIMEOUT_MS} ms after healing: ${(error as Error).message}`)
        break
      }
      await sleep(250)
    }
  }
  return problems
}

export async function runPhases (context: PhaseContext): Promise<PhaseOutcome> {
  const { workload, history, setup, seed } = context
  const chaos = workload.chaos!
  const transformMode = chaos.workload === 'transform'
  // Both are null in a register workload, where no processor group is built.
  const commitMode = chaos.commitMode ?? 'after-produce'
  const processors = chaos.processors ?? 1
  const sendTopic = context.topics[0]!
  const config = { ...clientConfig(workload, sendTopic), bootstrap: setup.bootstrap }
  const generatorOptions: GeneratorOptions = {
    seed,
    processes: chaos.processes,
    keysPerProcess: chaos.keysPerProcess,
    maxWritesPerKey: chaos.maxWritesPerKey,
    partitions: sendTopic.partitions,
    subscribeVia: chaos.subscribeVia,
    crashProbability: transformMode ? 0 : crashProbabilityFor(chaos.crashClientIntervalSeconds, chaos.opsPerSecond),
    sendsOnly: transformMode,
  }
  const intervalMs = (chaos.processes * 1000) / chaos.opsPerSecond
  const outcomeReasons = new Map<string, number>()
  const workers = Array.from({ length: chaos.processes }, (_, slot) => new Worker({
    slot, generator: new SlotGenerator(generatorOptions, slot), history, client: config, intervalMs, transformGroup: transformMode ? TRANSFORM_GROUP : null, outcomeReasons,
  }))
  const group = transformMode
    ? new TransformGroup({
      bootstrap: setup.bootstrap, inputTopic: INPUT_TOPIC, outputTopic: OUTPUT_TOPIC, partitions: workload.partitionsPerTopic,
      group: TRANSFORM_GROUP, mode: commitMode, processingMs: PROCESSING_MS, opTimeoutMs: chaos.opTimeoutMs,
      acks: workload.producer.acks, retries: workload.producer.retries, history, processors, log: context.log,
    })
    : null
  const outcome: PhaseOutcome = { failure: null, outcomeReasons: {}, transform: null, finalPolls: null }
  try {
    await group?.start()
    const stop = new AbortController()
    const nemesisStop = new AbortController()
    const timer = setTimeout(() => stop.abort(), context.runSeconds * 1000)
    const interrupt = (): void => { stop.abort(); nemesisStop.abort() }
    context.signal?.addEventListener('abort', interrupt, { once: true })
    if (context.signal?.aborted === true) interrupt()
    // Seconds into the load, which may start long after the history did (container start).
    const loadStartSec = history.nowNs() / 1e9
    const nowSec = (): number => history.nowNs() / 1e9 - loadStartSec
    const quietSec = context.runSeconds - (workload.nemesis?.quietEndSeconds ?? 0)
    context.log(`load started: ${chaos.processes} process(es) for ${context.runSeconds} s`)
    const progress = new ChaosProgress({ history, log: context.log, totalSec: context.runSeconds })
    context.whitebox?.startSampling()
    const nemesisDone = context.nemesis.run(nemesisStop.signal)
    const crashesDone = group === null
      ? Promise.resolve()
      : crashLoop(group, Prng.derive(seed, 0x637261), chaos.crashClientIntervalSeconds, quietSec, nowSec, stop.signal)
    try {
      await Promise.all(workers.map(worker => worker.run(stop.signal)))
    } finally {
      clearTimeout(timer)
      stop.abort()
      nemesisStop.abort()
      await Promise.all([nemesisDone, crashesDone])
      progress.stop()
      context.signal?.removeEventListener('abort', interrupt)
    }
    outcome.outcomeReasons = Object.fromEntries([...outcomeReasons].sort((a, b) => b[1] - a[1]))
    if (context.signal?.aborted === true) {
      outcome.failure = INTERRUPTED
      return outcome
    }
    context.log(`load done after ${nowSec().toFixed(1)} s (${workers.reduce((n, w) => n + w.opsDone, 0)} ops); healing`)
    const problems = await healEverything(context)
    await context.whitebox?.stopSampling()
    if (problems.length > 0) outcome.failure = `healing failed: ${problems.join('; ')}`
    if (group !== null) {
      const drained = await group.drain(chaos.finalPollSeconds * 1000)
      await group.stop()
      outcome.transform = { commitMode, processors, crashes: group.crashes, deaths: group.deaths, drained }
      if (!drained) outcome.failure ??= `the processors did not catch up within ${chaos.finalPollSeconds} s, so missing outputs cannot be told from late ones`
    }
    const finalPolls = await runFinalPolls({ bootstrap: setup.bootstrap, topics: context.topics, history, timeoutMs: chaos.finalPollSeconds * 1000 })
    outcome.finalPolls = finalPolls
    if (finalPolls.incomplete.length > 0 && outcome.failure === null) {
      outcome.failure = `final polls did not read ${finalPolls.incomplete.map(p => `${p.partition} (${p.reason})`).join(', ')} to the end`
    }
  } finally {
    await group?.stop()
  }
  return outcome
}
