// Bringing up what a chaos run faults: a Toxiproxy API (the embedded server on a free port,
// or a real Toxiproxy given by URL), brokers started by the workload's backend (process or
// docker; with docker the proxies sit in front of the published ports) with one proxy
// in front of each client listener and each broker advertising its proxy (so clients
// cannot bypass it), and the run's topics. A reference cluster (process backend, brokers > 1)
// also gets a proxy on every directed broker-to-broker link, replication and controller
// traffic alike, which the brokers use for each other, so `split` can partition them.

import { describeQuorum } from '../cluster/quorum.ts'
import { join } from 'node:path'
import { startToxiproxyServer } from '../../chaos/toxiproxy/server.ts'
import type { ToxiproxyServer } from '../../chaos/toxiproxy/server.ts'
import { brokerName } from '../../chaos/nemesis/nemesis.ts'
import type { FaultTarget } from '../../chaos/nemesis/nemesis.ts'
import { ProxyFleet } from '../../chaos/nemesis/proxies.ts'
import { KafkaClient, type TopicInfo } from '../../broker/client/kafka-client.ts'
import { createBackend } from '../cluster/index.ts'
import type { Cluster, ClusterBackend } from '../cluster/cluster.ts'
import type { Workload } from '../workload/types.ts'
import type { TopicSpec } from '../../chaos/run/topology.ts'

/** InitProducerId: what an idempotent producer needs from the broker. */
const INIT_PRODUCER_ID_KEY = 22

export class ChaosSetupError extends Error {
  readonly code = 'ERR_CHAOS_SETUP'
  readonly retriable = false
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ChaosSetupError'
  }
}

export interface ChaosCluster {
  cluster: Cluster
  fleet: ProxyFleet
  toxiproxyUrl: string
  /** The embedded Toxiproxy server, when no external one was given. */
  embedded: ToxiproxyServer | null
  targets: FaultTarget[]
  /** The proxies' addresses: what clients bootstrap from. */
  bootstrap: string[]
  stop (): Promise<void>
}

export interface ChaosClusterOptions {
  workload: Workload
  /** Where broker data dirs and logs go (logs are kept after the run). */
  workDir: string
  toxiproxyUrl?: string
  backend?: ClusterBackend
  log?: (line: string) => void
}

/** A reference broker serves its debug fault endpoint only when a scheduled fault needs it. */
function faultEndpointKeys (workload: Workload, backend: string): Record<string, boolean> {
  const needs = workload.nemesis?.schedule.some(entry => entry.fault === 'disk-stall') === true
  return needs && backend === 'process' ? { 'sluice.debug.fault.endpoints': true } : {}
}

export async function startChaosCluster (options: ChaosClusterOptions): Promise<ChaosCluster> {
  const { workload } = options
  const embedded = options.toxiproxyUrl === undefined ? await startToxiproxyServer({ port: 0 }) : null
  const toxiproxyUrl = options.toxiproxyUrl ?? embedded!.url
  const fleet = new ProxyFleet(toxiproxyUrl)
  const backend = options.backend ?? createBackend(workload.backend)
  let cluster: Cluster
  try {
    cluster = await backend.start({
      brokers: workload.brokers,
      brokerConfig: { ...workload.brokerConfig, ...faultEndpointKeys(workload, backend.name) },
      // The proxy exists before its broker starts, so the broker can advertise it.
      advertisedFor: (index, kafkaPort) => fleet.create(index, `127.0.0.1:${kafkaPort}`),
      // A proxy per directed broker-to-broker link and listener, for split (process backend).
      linkFor: (from, to, listener, port) => fleet.createLink(from, to, listener, `127.0.0.1:${port}`),
      workDir: join(options.workDir, 'cluster'),
      ...(options.log === undefined ? {} : { log: options.log }),
    })
  } catch (error) {
    await fleet.removeAll()
    await embedded?.close()
    throw new ChaosSetupError(`starting the cluster failed: ${(error as Error).message}`, { cause: error })
  }
  // An external cluster advertises its own addresses: no proxy can sit in front of it, so
  // its network faults are skipped (each with the reason in the history).
  if (fleet.size !== cluster.brokers.length && backend.name !== 'external') {
    await cluster.stop()
    await embedded?.close()
    throw new ChaosSetupError(`the ${backend.name} backend did not put a proxy in front of every broker; network faults need one`)
  }
  if (backend.name === 'external') {
    options.log?.('external cluster: no proxies in front of its brokers, so network faults (delay, blackhole, reset, split, ...) are skipped; kill, pause and restart need --fault-command')
    const keys = Object.keys(workload.brokerConfig)
    if (keys.length > 0) options.log?.(`external cluster: brokerConfig is not applied; configure the cluster yourself (${keys.join(', ')})`)
  }
  const targets = cluster.brokers.map((broker, index): FaultTarget => ({ name: brokerName(index), index, broker, proxy: fleet.proxy(index) }))
  let stopped: Promise<void> | null = null
  return {
    cluster,
    fleet,
    toxiproxyUrl,
    embedded,
    targets,
    bootstrap: cluster.bootstrap,
    stop: () => {
      stopped ??= (async () => {
        await Promise.allSettled([cluster.stop()])
        await fleet.removeAll()
        await embedded?.close()
      })()
      return stopped
    },
  }
}

/** Creates the run's topics (they must not exist: a chaos run starts from empty logs). */
export async function createTopics (bootstrap: readonly string[], topics: readonly TopicSpec[], replicationFactor: number): Promise<void> {
  const client = new KafkaClient({ bootstrap, clientId: 'sluice-chaos-setup', requestTimeoutMs: 15_000 })
  try {
    await client.createTopics(topics.map(t => ({ name: t.name, partitions: t.partitions, replicationFactor })), { existingOk: false })
  } finally {
    client.close()
  }
}

/**
 * The harness's index of node `nodeId`: the position in `bootstrap` of the address Metadata
 * gives it (the proxies' or --bootstrap's addresses); the node id itself when no address
 * matches (local backends number nodes by index).
 */
function indexOfNode (client: KafkaClient, bootstrap: readonly string[], nodeId: number): number {
  const broker = client.brokers().get(nodeId)
  const index = broker === undefined ? -1 : bootstrap.indexOf(`${broker.host}:${broker.port}`)
  return index >= 0 ? index : nodeId
}

/**
 * Partition 0 of `topic` as the first broker that knows it describes it, with a client that
 * can name every node. Each broker is asked in turn: one that restarted moments ago (a kill,
 * a crash losing un-fsynced writes) may not have replayed the metadata log yet and answers
 * UNKNOWN_TOPIC_OR_PARTITION for a topic the others know.
 */
async function withPartitionZero<T> (bootstrap: readonly string[], topic: string, use: (client: KafkaClient, p: TopicInfo['partitions'][number] | undefined) => T): Promise<T> {
  let lastError: unknown = new Error('no broker to ask')
  for (const address of bootstrap) {
    const client = new KafkaClient({ bootstrap: [address], clientId: 'sluice-chaos-roles', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
    try {
      const info = await client.topic(topic, true)
      return use(client, info.partitions[0])
    } catch (error) {
      lastError = error
    } finally {
      client.close()
    }
  }
  throw lastError
}

/** Index of the broker leading partition 0 of `topic`. */
export async function leaderIndex (bootstrap: readonly string[], topic: string): Promise<number> {
  return await withPartitionZero(bootstrap, topic, (client, p) => {
    const leader = p?.leaderId ?? -1
    if (leader < 0) throw new Error(`partition 0 of ${topic} has no leader right now`)
    return indexOfNode(client, bootstrap, leader)
  })
}

/** Index of an in-sync follower of partition 0 of `topic` (the first in ISR order that is not the leader). */
export async function followerIndex (bootstrap: readonly string[], topic: string): Promise<number> {
  return await withPartitionZero(bootstrap, topic, (client, p) => {
    const follower = p?.isr.find(id => id !== p.leaderId) ?? -1
    if (follower < 0) throw new Error(`partition 0 of ${topic} has no in-sync follower right now (ISR ${JSON.stringify(p?.isr ?? [])})`)
    return indexOfNode(client, bootstrap, follower)
  })
}

/** Index of the active controller, as DescribeQuorum names it (node ids are indexes in the local backends). */
export async function controllerIndex (bootstrap: readonly string[], brokers: number): Promise<number> {
  let lastError: unknown = new Error('no broker to ask')
  for (const address of bootstrap) {
    try {
      const { leaderId } = await describeQuorum(address, 3000)
      if (leaderId < 0 || leaderId >= brokers) throw new Error(`the quorum names controller ${leaderId}, not one of broker-0..broker-${brokers - 1}`)
      return leaderId
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

/** Refuses an idempotent producer against a broker that cannot give it a producer id. */
export async function checkIdempotenceSupport (bootstrap: readonly string[]): Promise<void> {
  const client = new KafkaClient({ bootstrap, clientId: 'sluice-chaos-setup', requestTimeoutMs: 5000 })
  try {
    const connection = await client.anyConnection()
    if (!connection.apiVersions.has(INIT_PRODUCER_ID_KEY)) {
      throw new ChaosSetupError('producer.idempotent is true but the broker does not support InitProducerId (API key 22), ' +
        'which idempotent producers need; set producer.idempotent: false (and retries: 0 to keep every value written at most once)')
    }
  } finally {
    client.close()
  }
}
