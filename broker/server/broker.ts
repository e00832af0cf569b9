// The broker's state in one place: config, partition logs, metrics, parked fetches, and
// (later) the group coordinator. One event loop owns all of it; handlers ask the broker,
// they do not reach into the logs' internals.

import { BufferPool } from '../protocol/buffer-pool.ts'
import type { BrokerConfig } from '../config/config.ts'
import { replicationDebugFrom, type ReplicationDebug } from '../config/debug-keys.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { batchRecordCount, splitBatches } from '../protocol/record-batch.ts'
import { KafkaStorageError, LogError } from '../log/errors.ts'
import { OFFSETS_TOPIC } from '../group/offsets-store.ts'
import { LogManager } from '../log/log-manager.ts'
import { GroupCoordinator } from '../group/coordinator.ts'
import { groupConfigFrom } from '../group/types.ts'
import type { PartitionLog } from '../log/partition-log.ts'
import { logConfigFrom } from './log-config.ts'
import { FetchWaiters } from './fetch-waiters.ts'
import { Metrics, type PartitionGauge } from './metrics.ts'
import { mergeTopicConfigs, topicSettings, type TopicSettings } from './topic-settings.ts'
import { SINGLE_NODE_LEADER_EPOCH, SingleNodeView, type ClusterAdmin, type ClusterView, type Replication } from './cluster-hooks.ts'

/** Leader epoch of every partition of a one-node broker (a cluster's come from its metadata). */
export const LEADER_EPOCH = SINGLE_NODE_LEADER_EPOCH

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

/** Topics the broker writes itself; clients may read them but never produce to or delete them. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([OFFSETS_TOPIC])

/** A topic name as error messages quote it: a hostile name can be 32,767 bytes, so long ones are cut. */
export function quoteTopic (name: string): string {
  return name.length <= 64 ? `"${name}"` : `"${name.slice(0, 64)}..." (${name.length} characters)`
}

export function topicNameProblem (name: string): string | null {
  if (!TOPIC_NAME.test(name)) return `topic name ${quoteTopic(name)} must be 1-249 characters of [a-zA-Z0-9._-]`
  if (name === '.' || name === '..') return 'topic name cannot be "." or ".."'
  return null
}

export interface Address {
  host: string
  port: number
}

/** A partition this broker leads, with its local log and current leader epoch; or why not. */
export type LeaderLookup =
  | { log: PartitionLog, leaderEpoch: number, isr: readonly number[], errorCode?: undefined }
  | { errorCode: number, message: string }

export class Broker {
  readonly config: BrokerConfig
  readonly logs: LogManager
  readonly groups: GroupCoordinator
  readonly metrics = new Metrics()
  readonly fetchWaiters: FetchWaiters
  /** Memory lent for large request frames and Fetch log reads, taken back by the connections (buffer-pool.ts). */
  readonly bufferPool = new BufferPool()
  readonly nodeId: number
  readonly clusterId: string
  readonly log: (line: string) => void
  /** sluice.sink: produce is acknowledged and discarded (offsets counted here only). */
  readonly sink: boolean
  readonly #sinkOffsets = new Map<string, number>()
  /** Debug-only broken replication rules (broker/config/debug-keys.ts); all false in production. */
  readonly debug: ReplicationDebug
  /**
   * Resolved per-topic values, dropped whenever a topic's configs change; in a cluster each
   * remembers the metadata's config map it was made from and is remade when that changes.
   */
  readonly #settings = new Map<string, { settings: TopicSettings, source: ReadonlyMap<string, string> | null }>()
  /** What Metadata tells clients to connect to; set once the listener is bound. */
  advertised: Address = { host: '127.0.0.1', port: 0 }
  /** Who leads what: the broker's own logs alone, or a cluster's metadata image (set by ClusterNode). */
  cluster: ClusterView
  /** In a cluster: admin requests forwarded to the active controller. */
  admin: ClusterAdmin | null = null
  /** In a cluster: replication state (replicated high watermarks, followers, acks=all). */
  replicas: Replication | null = null

  private constructor (config: BrokerConfig, logs: LogManager, groups: GroupCoordinator, clusterId: string, log: (line: string) => void) {
    this.config = config
    this.logs = logs
    this.groups = groups
    this.nodeId = config.brokerId
    this.clusterId = clusterId
    this.log = log
    this.fetchWaiters = new FetchWaiters(config.int('fetch.max.parked'))
    this.metrics.fetchesParked = () => this.fetchWaiters.parked
    this.sink = config.bool('sluice.sink')
    this.debug = replicationDebugFrom(config)
    this.cluster = new SingleNodeView(this.nodeId, logs, () => this.advertised)
  }

  static async open (config: BrokerConfig, log: (line: string) => void): Promise<Broker> {
    const logs = await LogManager.open({
      dataDir: config.dataDir,
      config: logConfigFrom(config),
      brokerId: config.brokerId,
      clusterId: config.clusterId ?? undefined,
      ledger: config.bool('sluice.durability.ledger'),
      openFilesMax: config.int('sluice.log.open.files.max'),
      onBackgroundError: err => log(`log background work failed (partitions concerned are offline): ${err.message}`),
    })
    // Replays __consumer_offsets before any client can connect, so committed offsets are there from the first request.
    // In a cluster nothing loads here: groups load as the replica manager hands over leaderships of the offsets partitions.
    let broker: Broker | null = null
    const commitTimeoutMs = config.int('offsets.commit.timeout.ms')
    const cluster = config.cluster === null
      ? undefined
      : { waitForCommit: (partition: number, requiredOffset: number) => broker?.replicas?.waitForAcks(OFFSETS_TOPIC, partition, requiredOffset, commitTimeoutMs) ?? Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER) }
    const groups = await GroupCoordinator.open({ logs, config: groupConfigFrom(config), leaderEpoch: LEADER_EPOCH, log, cluster })
    broker = new Broker(config, logs, groups, logs.clusterId, log)
    return broker
  }

  partitionCount (topic: string): number | undefined {
    return this.cluster.partitionCount(topic)
  }

  /**
   * The local log of a partition this broker leads, checked against the client's
   * current_leader_epoch (-1 skips the check): UNKNOWN_TOPIC_OR_PARTITION when the cluster
   * has no such partition, NOT_LEADER_OR_FOLLOWER when another broker leads it (or none),
   * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when the client's epoch is older / newer.
   */
  leaderLog (topic: string, partitionIndex: number, currentLeaderEpoch = -1): LeaderLookup {
    const p = this.cluster.partition(topic, partitionIndex)
    if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `unknown topic-partition ${quoteTopic(topic)}-${partitionIndex}` }
    if (p.leader !== this.nodeId) {
      return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: p.leader < 0 ? `${quoteTopic(topic)}-${partitionIndex} has no leader right now` : `broker ${p.leader} leads ${quoteTopic(topic)}-${partitionIndex}, not this broker (${this.nodeId})` }
    }
    const epochError = this.leaderEpochError(currentLeaderEpoch, p.leaderEpoch)
    if (epochError !== ErrorCode.NONE) return { errorCode: epochError, message: `current_leader_epoch ${currentLeaderEpoch}, the leader's is ${p.leaderEpoch}` }
    const log = this.logs.partition(topic, partitionIndex)
    if (log === undefined) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: `this broker leads ${quoteTopic(topic)}-${partitionIndex} but has not opened its log yet` }
    return { log, leaderEpoch: p.leaderEpoch, isr: p.isr }
  }

  /**
   * The current_leader_epoch to check a request against: the request's own, or -1 (no check)
   * for a follower's (`replicaId` >= 0) when historical bug 4 is re-created on purpose.
   */
  followerLeaderEpoch (replicaId: number, currentLeaderEpoch: number): number {
    return this.debug.skipFetchEpochCheck && replicaId >= 0 ? -1 : currentLeaderEpoch
  }

  partition (topic: string, index: number): PartitionLog | undefined {
    return this.logs.partition(topic, index)
  }

  /** Creates a topic; answers with a Kafka error code and message. */
  async createTopic (name: string, partitionCount: number, validateOnly = false, configs: ReadonlyArray<{ name: string, value: string | null }> = []): Promise<{ errorCode: number, message: string | null }> {
    const problem = topicNameProblem(name)
    if (problem !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem }
    if (this.partitionCount(name) !== undefined) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic "${name}" already exists` }
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > 10_000) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `partition count must be 1-10000 (got ${partitionCount})` }
    }
    const merged = mergeTopicConfigs(this.config, {}, configs)
    if ('problem' in merged) return { errorCode: ErrorCode.INVALID_CONFIG, message: merged.problem }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null }
    this.#settings.delete(name)
    try {
      await this.logs.createTopic(name, partitionCount, merged.overrides)
    } catch (err) {
      // Two requests creating one topic at once: the log manager refuses the second.
      if (err instanceof KafkaStorageError) this.log(`creating topic ${name} failed: ${err.message}`)
      if (err instanceof LogError) return { errorCode: err.errorCode, message: err.message }
      throw err
    }
    return { errorCode: ErrorCode.NONE, message: null }
  }

  /** For Metadata with auto-creation: creates the topic with num.partitions if allowed. */
  async ensureTopic (name: string): Promise<number> {
    const existing = this.partitionCount(name)
    if (existing !== undefined) return ErrorCode.NONE
    if (!this.config.bool('auto.create.topics.enable')) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    if (this.admin !== null) return await this.admin.createTopicWithDefaults(name)
    const { errorCode } = await this.createTopic(name, this.config.int('num.partitions'))
    return errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : errorCode
  }

  /** The per-topic values handlers need (max.message.bytes, min.insync.replicas, message.timestamp.type, ...). */
  topicSettings (topic: string): TopicSettings {
    const cached = this.#settings.get(topic)
    const source = this.cluster.topicConfigs(topic)
    if (cached !== undefined && cached.source === source) return cached.settings
    const settings = topicSettings(this.config, this.topicOverrides(topic))
    if (this.partitionCount(topic) !== undefined) this.#settings.set(topic, { settings, source })
    return settings
  }

  /** A topic's config overrides: the cluster metadata's in a cluster, else the broker's own. */
  topicOverrides (topic: string): Readonly<Record<string, string>> {
    const clustered = this.cluster.topicConfigs(topic)
    return clustered === null ? this.logs.topicConfigs.get(topic) : Object.fromEntries(clustered)
  }

  /**
   * AlterConfigs (replace: every key not named goes back to its default) and
   * IncrementalAlterConfigs (changes applied to the current overrides; value null deletes).
   */
  async alterTopicConfig (topic: string, changes: ReadonlyArray<{ name: string, value: string | null }>, replace: boolean, validateOnly: boolean): Promise<{ errorCode: number, message: string | null }> {
    if (this.partitionCount(topic) === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'topic does not exist' }
    if (INTERNAL_TOPICS.has(topic)) return { errorCode: ErrorCode.INVALID_REQUEST, message: 'the configs of an internal topic cannot change' }
    const current = this.topicOverrides(topic)
    const merged = mergeTopicConfigs(this.config, replace ? {} : current, changes)
    if ('problem' in merged) return { errorCode: ErrorCode.INVALID_CONFIG, message: merged.problem }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null }
    if (this.admin !== null) {
      // Through the controller, so every broker replays the same overrides (a local write
      // would reach only the broker the client happened to ask).
      const next = merged.overrides
      const removed = Object.keys(current).filter(name => next[name] === undefined).map(name => ({ name, value: null }))
      return await this.admin.alterTopicConfigs(topic, [...Object.entries(next).map(([name, value]) => ({ name, value })), ...removed])
    }
    await this.logs.setTopicConfig(topic, merged.overrides)
    this.#settings.delete(topic)
    return { errorCode: ErrorCode.NONE, message: null }
  }

  async deleteTopic (name: string): Promise<number> {
    if (this.partitionCount(name) === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    this.#settings.delete(name)
    await this.logs.deleteTopic(name)
    return ErrorCode.NONE
  }

  /** Counts the records of a discarded produce (sink mode) and returns their base offset. */
  sinkAppend (topic: string, partition: number, records: Buffer | null): number {
    const key = `${topic}\u0000${partition}`
    const base = this.#sinkOffsets.get(key) ?? 0
    let count = 0
    if (records !== null) for (const batch of splitBatches(records)) count += batchRecordCount(batch)
    this.#sinkOffsets.set(key, base + count)
    return base
  }

  /**
   * The append time to stamp on batches for `topic` under log.message.timestamp.type=
   * LogAppendTime, or null under CreateTime (the producer's timestamps stand).
   */
  logAppendTimeMs (topic: string): number | null {
    return this.topicSettings(topic).messageTimestampType === 'LogAppendTime' ? Date.now() : null
  }

  /** The same check for every request that names a partition and an epoch. */
  leaderEpochError (currentLeaderEpoch: number, leaderEpoch = LEADER_EPOCH): number {
    if (currentLeaderEpoch === -1 || currentLeaderEpoch === leaderEpoch) return ErrorCode.NONE
    return currentLeaderEpoch < leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
  }

  partitionGauges (): PartitionGauge[] {
    const gauges: PartitionGauge[] = []
    for (const [topic, count] of this.logs.topics()) {
      for (let partition = 0; partition < count; partition++) {
        const log = this.logs.partition(topic, partition)
        if (log === undefined) continue
        gauges.push({ topic, partition, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, highWatermark: this.replicas?.highWatermark(topic, partition) ?? log.highWatermark })
      }
    }
    return gauges
  }

  async close (): Promise<void> {
    this.fetchWaiters.wakeAll()
    this.groups.close()
    await this.logs.close()
  }
}
