// Getting a cluster ready for a run: start it with the chosen backend, find out what it
// can do, adjust what the workload left to defaults accordingly, and describe for the
// result how the run's processes share the machine's cores.

import os from 'node:os'
import { createBackend } from '../cluster/index.ts'
import type { BackendName, Cluster } from '../cluster/cluster.ts'
import { KafkaClient, parseAddress } from '../../broker/client/kafka-client.ts'
import { Connection } from '../../broker/client/connection.ts'
import type { DriverOptions } from '../drivers/driver.ts'
import type { Workload } from '../workload/types.ts'
import { BenchError } from './errors.ts'
import type { RunPlan } from './plan.ts'
import { pinningPhrase } from '../results/precision.ts'
import { nodeFlagsPhrase } from '../cluster/broker-node-flags.ts'

const INIT_PRODUCER_ID_API_KEY = 22
const PROBE_TIMEOUT_MS = 5000
/** An external cluster is already running: if it does not answer within this, say so. */
const REACH_TIMEOUT_MS = 3000

export interface ClusterChoice {
  backend: BackendName
  /** host:port list; required for (and implies) the external backend. */
  bootstrap?: string[]
  /** Process backend: the taskset(1) CPU list its brokers run on. */
  brokerCpus?: string
}

export async function startCluster (workload: Workload, choice: ClusterChoice, log: (line: string) => void): Promise<Cluster> {
  const secured = workload.security.protocol !== 'PLAINTEXT'
  const backend = createBackend(choice.backend, { bootstrap: choice.bootstrap, process: { brokerCpus: choice.brokerCpus ?? null }, external: { reachTimeoutMs: REACH_TIMEOUT_MS, tcpOnly: secured } })
  const cluster = await backend.start({ brokers: workload.brokers, brokerConfig: { ...workload.brokerConfig }, log })
  for (const broker of cluster.brokers) {
    const pid = broker.pid
    if (typeof pid === 'number') log(`broker ${broker.id}: pid ${pid}, kafka ${broker.kafkaAddress}, log ${broker.logFile ?? 'none'}`)
  }
  return cluster
}

export interface Capabilities {
  /** The cluster advertises InitProducerId, which idempotent producers need. */
  idempotence: boolean
}

export async function probeCapabilities (bootstrap: readonly string[], secured = false): Promise<Capabilities> {
  // The harness's own client speaks PLAINTEXT only; behind TLS or SASL, assume a modern cluster.
  if (secured) return { idempotence: true }
  const { host, port } = parseAddress(bootstrap[0]!)
  const connection = await Connection.connect({ host, port, clientId: 'sluice-bench-probe', connectTimeoutMs: PROBE_TIMEOUT_MS, requestTimeoutMs: PROBE_TIMEOUT_MS })
  try {
    return { idempotence: connection.apiVersions.has(INIT_PRODUCER_ID_API_KEY) }
  } finally {
    connection.close()
  }
}

/**
 * Kafka turns idempotence on by itself for acks=all, and so does the workload model. When
 * the cluster or the driver cannot do it, a default is switched off (with a note); an
 * explicit `producer.idempotent: true` is refused instead, since the user asked for it.
 */
export function adaptWorkload (workload: Workload, capabilities: Capabilities): { workload: Workload, notes: string[] } {
  if (!workload.producer.idempotent) return { workload, notes: [] }
  const producerDoc = workload.document.producer as Record<string, unknown> | undefined
  const explicit = producerDoc?.idempotent === true
  const reason = workload.driver === 'native'
    ? 'the native driver does not implement idempotent producers'
    : !capabilities.idempotence ? 'the cluster does not advertise InitProducerId (API key 22)' : null
  if (reason === null || workload.driver === 'http') return { workload, notes: [] }
  if (explicit) throw new BenchError('ERR_BENCH_UNSUPPORTED', `${workload.sourceName}: producer.idempotent is true but ${reason}; set it to false or use another driver or cluster`)
  return {
    workload: { ...workload, producer: { ...workload.producer, idempotent: false } },
    notes: [`idempotence (Kafka's default with acks=all) is off: ${reason}`],
  }
}

export function driverOptionsFor (workload: Workload, cluster: Cluster): DriverOptions {
  const httpUrls = cluster.brokers.map(broker => broker.httpUrl).filter((url): url is string => url !== null)
  if (workload.driver === 'http' && httpUrls.length === 0) {
    throw new BenchError('ERR_BENCH_UNSUPPORTED', `the http driver needs the brokers' HTTP API, which the ${cluster.backend} backend does not know; use the process backend or a Kafka driver`)
  }
  return {
    bootstrap: [...cluster.bootstrap],
    httpUrls,
    clientId: workload.clientId ?? 'sluice-bench',
    security: workload.security,
    producer: { ...workload.producer },
    consumer: { ...workload.consumer },
  }
}

function isLoopback (address: string): boolean {
  return /^(127\.|localhost:|\[::1\]:)/.test(address)
}

/** What ran the brokers, as a phrase: "1 reference broker process on this machine". */
export function describeBrokerProcesses (cluster: Cluster): string {
  const n = cluster.brokers.length
  const s = n === 1 ? '' : 'es'
  if (cluster.backend === 'process') return `${n} reference broker process${s} on this machine (${nodeFlagsPhrase(brokerNodeFlagsOf(cluster))})`
  if (cluster.backend === 'docker') return `${n} broker container${n === 1 ? '' : 's'} on this machine (${nodeFlagsPhrase(brokerNodeFlagsOf(cluster))})`
  if (cluster.backend === 'kafka') return `${n} Apache Kafka JVM${n === 1 ? '' : 's'} on this machine`
  return `an external cluster (${cluster.bootstrap.join(',')}), not started by the harness`
}

/** The Node flags of a process or docker cluster's brokers (all start with the same list). */
function brokerNodeFlagsOf (cluster: Cluster): readonly string[] {
  return cluster.brokers[0]?.nodeFlags ?? []
}

/** E.g. "1 reference broker process, the harness main thread, 1 producer thread and 1 consumer thread on 2 logical cores, not pinned". */
export function describeCoreSharing (cluster: Cluster, plan: RunPlan): string {
  const n = cluster.brokers.length
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`
  let brokers: string
  if (cluster.backend === 'process') brokers = `${n} reference broker process${n === 1 ? '' : 'es'} (one event loop each)`
  else if (cluster.backend === 'docker') brokers = `${plural(n, 'broker container')} on this machine`
  else if (cluster.backend === 'kafka') brokers = `${plural(n, 'Apache Kafka JVM')} (many threads each)`
  else if (cluster.bootstrap.every(isLoopback)) brokers = `an external cluster on this machine (${cluster.bootstrap.join(',')}), not started by the harness`
  else brokers = `an external cluster elsewhere (${cluster.bootstrap.join(',')}), not sharing these cores`
  const threads = `the harness main thread, ${plural(plan.producerThreads, 'producer worker thread')} and ${plural(plan.consumerThreads, 'consumer worker thread')}`
  // The machine's cores, not availableParallelism(): that one shrinks when the harness is pinned.
  const cores = os.cpus().length || os.availableParallelism()
  const processes: Array<{ name: string, pid: number | null }> = [{ name: 'harness', pid: process.pid }]
  if (cluster.backend === 'process') for (const b of cluster.brokers) processes.push({ name: `broker ${b.id}`, pid: b.pid ?? null })
  return `${brokers}, ${threads} on ${cores} logical cores, ${pinningPhrase(processes)}`
}

/**
 * Deletes the topics a run created, so runs against a long-lived cluster leave nothing
 * behind. Never fails the run: a cluster that cannot delete (or is already gone) gets a
 * log line naming the topics left.
 */
export async function deleteRunTopics (bootstrap: readonly string[], topics: readonly string[], log: (line: string) => void, secured = false): Promise<void> {
  if (topics.length === 0) return
  if (secured) {
    log(`note: the run's topics stay on the cluster (${topics.join(', ')}): the harness's own client speaks PLAINTEXT only`)
    return
  }
  const client = new KafkaClient({ bootstrap: [...bootstrap], clientId: 'sluice-bench-cleanup', requestTimeoutMs: PROBE_TIMEOUT_MS, connectTimeoutMs: PROBE_TIMEOUT_MS })
  try {
    await client.deleteTopics(topics, { timeoutMs: PROBE_TIMEOUT_MS })
    log(`deleted the run's topics (${topics.join(', ')}); --keep-topics keeps them`)
  } catch (error) {
    log(`note: could not delete the run's topics ${topics.join(', ')}: ${(error as Error).message}`)
  } finally {
    client.close()
  }
}
