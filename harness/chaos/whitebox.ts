// The I/O half of a chaos run's white-box checks (issue 10, item 5), on reference brokers
// whose HTTP API the harness can reach: the HW sampler runs from the start of the load until
// the cluster is healed, and once the final polls are done the replicas of the run's topics
// are compared below their HW (after a bounded wait for followers to catch up, so a replica
// still fetching is not mistaken for a divergent one). whitebox-judge.ts turns both into
// check statuses and anomalies. Where the checks cannot run (Apache Kafka, an external
// cluster, brokers without a reachable HTTP API) prepareWhitebox says why, and the result
// lists every check as skipped with that reason.

import type { Cluster } from '../cluster/cluster.ts'
import { HighWatermarkSampler } from '../cluster/hw-sampler.ts'
import type { HighWatermarkSamples } from '../cluster/hw-sampler.ts'
import { fetchReplicas } from '../cluster/replica-admin.ts'
import type { ReplicaReport } from '../cluster/replica-admin.ts'
import { checkReplicaConsistency } from '../cluster/replica-consistency.ts'
import type { ConsistencyReport } from '../cluster/replica-consistency.ts'
import { judgeWhitebox, skippedWhitebox } from './whitebox-judge.ts'
import type { WhiteboxResult } from './whitebox-judge.ts'

export const SAMPLE_INTERVAL_MS = 250
/** How long the end-of-run check waits for every replica to reach its leader's log end. */
const SETTLE_TIMEOUT_MS = 15_000
const PROBE_TIMEOUT_MS = 3000

export class WhiteboxRun {
  readonly #urls: string[]
  readonly #sampler: HighWatermarkSampler
  readonly #toSec: (atMs: number) => number
  #samples: HighWatermarkSamples | null = null
  #samplesError: string | null = 'the load never started'

  constructor (httpUrls: string[], toSec: (atMs: number) => number) {
    this.#urls = httpUrls
    this.#toSec = toSec
    this.#sampler = new HighWatermarkSampler({ httpUrls, intervalMs: SAMPLE_INTERVAL_MS })
  }

  /** With the load. */
  startSampling (): void {
    this.#samplesError = null
    this.#sampler.start()
  }

  /** After healing (idempotent; the final check stops it too). */
  async stopSampling (): Promise<void> {
    if (this.#samplesError !== null || this.#samples !== null) return
    this.#samples = await this.#sampler.stop()
  }

  /** The end-of-run checks; `skipConsistency` (e.g. an interrupted run) says why not to compare. */
  async finish (topics: readonly string[], skipConsistency: string | null, log: (line: string) => void): Promise<WhiteboxResult> {
    await this.stopSampling()
    let consistency: ConsistencyReport | null = null
    let consistencyError = skipConsistency ?? undefined
    if (skipConsistency === null) {
      try {
        const settled = await waitForReplicasSettled(this.#urls, topics, SETTLE_TIMEOUT_MS)
        if (settled !== null) log(`white-box: replicas not all caught up after ${SETTLE_TIMEOUT_MS} ms (${settled}); comparing below the lowest HW anyway`)
        consistency = await checkReplicaConsistency({ httpUrls: this.#urls, topics, requestTimeoutMs: 30_000 })
      } catch (error) {
        consistencyError = (error as Error).message
      }
    }
    const result = judgeWhitebox({
      samples: this.#samples,
      ...(this.#samplesError === null ? {} : { samplesError: this.#samplesError }),
      intervalMs: SAMPLE_INTERVAL_MS,
      consistency,
      ...(consistencyError === undefined ? {} : { consistencyError }),
      toSec: this.#toSec,
      topics,
    })
    for (const check of result.checks) log(`white-box ${check.name}: ${check.status}: ${check.detail}`)
    return result
  }
}

/**
 * A WhiteboxRun when every broker is a reference broker whose /admin/replicas answers, else
 * every check skipped with the reason (logged).
 */
export async function prepareWhitebox (cluster: Cluster, toSec: (atMs: number) => number, log: (line: string) => void): Promise<WhiteboxRun | WhiteboxResult> {
  const prepared = await whiteboxOrReason(cluster, toSec)
  if (prepared instanceof WhiteboxRun) return prepared
  log(`white-box checks skipped: ${prepared}`)
  return skippedWhitebox(prepared)
}

/** The end of the run for the white-box checks, whatever happened to the run. */
export async function finishWhitebox (run: WhiteboxRun | null, context: { topics: string[], interrupted: boolean, started: boolean, failure: string | null, log: (line: string) => void }): Promise<WhiteboxResult> {
  if (run === null) return skippedWhitebox(context.started ? `the run failed before the load: ${context.failure ?? 'unknown'}` : 'the cluster did not start')
  const skip = context.interrupted ? 'interrupted (SIGINT): no end-of-run comparison' : null
  return await run.finish(context.topics, skip, context.log)
    .catch((error: Error) => skippedWhitebox(`the white-box checks failed: ${error.message}`))
}

/** A WhiteboxRun, or why the checks cannot run on this cluster. */
export async function whiteboxOrReason (cluster: Cluster, toSec: (atMs: number) => number): Promise<WhiteboxRun | string> {
  if (cluster.backend === 'kafka') return 'Apache Kafka brokers have no /admin/replicas; the white-box checks need the reference broker'
  if (cluster.backend === 'external') return 'an external cluster (--bootstrap): the harness cannot read its replicas; the white-box checks need reference brokers it started'
  const missing = cluster.brokers.filter(b => b.httpUrl === null)
  if (missing.length > 0) return `broker(s) ${missing.map(b => b.id).join(', ')} have no HTTP API URL (the ${cluster.backend} backend did not publish one)`
  const urls = cluster.brokers.map(b => b.httpUrl!)
  const failures = (await Promise.all(urls.map(async url => {
    try {
      await fetchReplicas(url, { checksum: false }, { timeoutMs: PROBE_TIMEOUT_MS })
      return null
    } catch (error) {
      return `${url}: ${(error as Error).message}`
    }
  }))).filter(f => f !== null)
  if (failures.length > 0) return `the brokers' HTTP API is not reachable from the harness: ${failures.join('; ')}`
  return new WhiteboxRun(urls, toSec)
}

/** Null once every replica of `topics` holds its leader's whole log, else what was last seen. */
async function waitForReplicasSettled (urls: readonly string[], topics: readonly string[], timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs
  const wanted = new Set(topics)
  let lastSeen = 'no answer yet'
  for (;;) {
    const answers = await Promise.all(urls.map(url => fetchReplicas(url, { checksum: false }, { timeoutMs: 2000, attemptsMax: 1 }).catch((error: Error) => error)))
    const errors = answers.filter((a): a is Error => a instanceof Error)
    const replicas = answers.flatMap(a => a instanceof Error ? [] : a.replicas.filter(r => wanted.has(r.topic)).map(r => ({ ...r, brokerId: a.brokerId })))
    const behind = unsettled(replicas)
    if (errors.length === 0 && behind.length === 0) return null
    lastSeen = [...errors.map(e => e.message), ...behind].slice(0, 5).join('; ')
    if (Date.now() > deadline) return lastSeen
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

function unsettled (replicas: Array<ReplicaReport & { brokerId: number }>): string[] {
  const byPartition = new Map<string, Array<ReplicaReport & { brokerId: number }>>()
  for (const r of replicas) byPartition.set(`${r.topic}-${r.partition}`, [...(byPartition.get(`${r.topic}-${r.partition}`) ?? []), r])
  const behind: string[] = []
  for (const [name, of] of byPartition) {
    const leader = of.find(r => r.role === 'leader')
    if (leader === undefined) {
      if (of.some(r => r.role !== 'none')) behind.push(`${name}: no leader`)
      continue
    }
    for (const brokerId of leader.replicas) {
      const r = of.find(x => x.brokerId === brokerId)
      if (r === undefined || r.logEndOffset !== leader.logEndOffset || r.highWatermark !== leader.logEndOffset) {
        behind.push(`${name}: broker ${brokerId} at ${r === undefined ? 'no report' : `end ${r.logEndOffset}, HW ${r.highWatermark ?? 'none'}`}, leader end ${leader.logEndOffset}`)
      }
    }
  }
  return behind
}
