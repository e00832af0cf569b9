// The broker's state in one place: config, partition logs, metrics, parked fetches, and
// (later) the group coordinator. One event loop owns all of it; handlers ask the broker,
// they do not reach into the logs' internals.

import type { BrokerConfig } from '../config/config.ts'
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

/** Leader epoch of every partition until replication and elections exist. */
export const LEADER_EPOCH = 0

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

/** Topics the broker writes itself; clients may read them but never produce to or delete them. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([OFFSETS_TOPIC])

export function topicNameProblem (name: string): string | null {
  if (!TOPIC_NAME.test(name)) return `topic name "${name}" must be 1-249 characters of [a-zA-Z0-9._-]`
  if (name === '.' || name === '..') return 'topic name cannot be "." or ".."'
  return null
}

export interface Address {
  host: string
  port: number
}

export class Broker {
  readonly config: BrokerConfig
  readonly logs: LogManager
  readonly groups: GroupCoordinator
  readonly metrics = new Metrics()
  readonly fetchWaiters: FetchWaiters
  readonly nodeId: number
  readonly clusterId: string
  readonly log: (line: string) => void
  /** sluice.sink: produce is acknowledged and discarded (offsets counted here only). */
  readonly sink: boolean
  readonly #sinkOffsets = new Map<string, number>()
  /** What Metadata tells clients to connect to; set once the listener is bound. */
  advertised: Address = { host: '127.0.0.1', port: 0 }

  private constructor (config: BrokerConfig, logs: LogManager, groups: GroupCoordinator, clusterId: string, log: (line: string) => void) {
    this.config = config
    this.logs = logs
    this.groups = groups
    this.nodeId = config.brokerId
    this.clusterId = clusterId
    this.log = log
    this.fetchWaiters = new FetchWaiters(config.int('fetch.max.parked'))
    this.sink = config.bool('sluice.sink')
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
    const groups = await GroupCoordinator.open({ logs, config: groupConfigFrom(config), leaderEpoch: LEADER_EPOCH, log })
    return new Broker(config, logs, groups, logs.clusterId, log)
  }

  partitionCount (topic: string): number | undefined {
    return this.logs.topics().get(topic)
  }

  partition (topic: string, index: number): PartitionLog | undefined {
    return this.logs.partition(topic, index)
  }

  /** Creates a topic; answers with a Kafka error code and message. */
  async createTopic (name: string, partitionCount: number, validateOnly = false): Promise<{ errorCode: number, message: string | null }> {
    const problem = topicNameProblem(name)
    if (problem !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem }
    if (this.partitionCount(name) !== undefined) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic "${name}" already exists` }
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > 10_000) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `partition count must be 1-10000 (got ${partitionCount})` }
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null }
    try {
      await this.logs.createTopic(name, partitionCount)
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
    const { errorCode } = await this.createTopic(name, this.config.int('num.partitions'))
    return errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : errorCode
  }

  async deleteTopic (name: string): Promise<number> {
    if (this.partitionCount(name) === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
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
  logAppendTimeMs (_topic: string): number | null {
    return this.config.get('log.message.timestamp.type') === 'LogAppendTime' ? Date.now() : null
  }

  /** The same check for every request that names a partition and an epoch. */
  leaderEpochError (currentLeaderEpoch: number): number {
    if (currentLeaderEpoch === -1 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE
    return currentLeaderEpoch < LEADER_EPOCH ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
  }

  partitionGauges (): PartitionGauge[] {
    const gauges: PartitionGauge[] = []
    for (const [topic, count] of this.logs.topics()) {
      for (let partition = 0; partition < count; partition++) {
        const log = this.logs.partition(topic, partition)
        if (log === undefined) continue
        gauges.push({ topic, partition, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, highWatermark: log.highWatermark })
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
