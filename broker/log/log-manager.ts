// All partition logs of one broker under one data dir:
//
//   <dataDir>/meta.properties                    broker id, cluster id
//   <dataDir>/recovery-point-offset-checkpoint   per partition: below this offset all is flushed and valid
//   <dataDir>/<topic>-<partition>/...            one PartitionLog each
//
// The manager owns the periodic work: retention checks (retentionCheckIntervalMs), flushes
// (flushIntervalMs) and checkpoint writes (flushOffsetCheckpointIntervalMs). Handlers ask it
// for a partition and talk to that log; they never touch files.
//
// Topic deletion first writes a `deleting` marker into each partition dir, so a crash halfway
// through is finished at the next open rather than resurrecting half a topic.

import { OffsetCheckpointFile, RECOVERY_POINT_CHECKPOINT_FILE } from './checkpoint.ts'
import { OffsetOutOfRangeError } from './errors.ts'
import { applyTopicOverrides, TopicConfigFile, type TopicOverrides } from './topic-config-file.ts'
import type { LogConfig } from './config.ts'
import { InvalidPartitionsError, InvalidTopicError, TopicExistsError, UnknownTopicOrPartitionError } from './errors.ts'
import { loadMetaProperties } from './meta-properties.ts'
import { PartitionLog } from './partition-log.ts'
import { Storage } from './storage.ts'

export const TOPIC_NAME_LENGTH_MAX = 249
export const PARTITIONS_PER_TOPIC_MAX = 10_000
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/
const PARTITION_DIR = /^(.+)-(\d+)$/
/** The KRaft metadata log's topic: its directory belongs to the metadata quorum's DiskRaftLog, never to this manager. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata'
const DELETING_MARKER = 'deleting'
/** Log start offsets that DeleteRecords moved inside a segment (Kafka's file name). */
const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint'
/** setInterval cannot wait longer than this; longer intervals mean "never" here. */
const TIMER_MS_MAX = 2 ** 31 - 1
/** Partitions opened at once at startup: enough to overlap I/O, few enough to bound open files. */
const OPEN_CONCURRENCY = 8

/** Kafka's topic name rule: [a-zA-Z0-9._-], 1..249 characters, not "." or "..". */
export function validateTopicName (name: string): void {
  if (name.length === 0 || name.length > TOPIC_NAME_LENGTH_MAX) {
    throw new InvalidTopicError(`topic name must be 1..${TOPIC_NAME_LENGTH_MAX} characters, got ${name.length}`)
  }
  if (name === '.' || name === '..') throw new InvalidTopicError(`topic name cannot be "${name}"`)
  if (!TOPIC_NAME.test(name)) throw new InvalidTopicError(`topic name ${JSON.stringify(name)} has characters outside [a-zA-Z0-9._-]`)
}

function isValidTopicName (name: string): boolean {
  try {
    validateTopicName(name)
    return true
  } catch {
    return false
  }
}

export interface LogManagerOptions {
  dataDir: string
  config: Readonly<LogConfig>
  brokerId: number
  /** Expected cluster id; undefined accepts the data dir's (or makes one up for a new dir). */
  clusterId?: string
  /** Keep the durability ledger for the lose-un-fsynced-writes fault (default true). */
  ledger?: boolean
  /** Budget of log files open at once (see file-pool.ts). */
  openFilesMax?: number
  clock?: () => number
  /** Errors of periodic work (the partitions concerned are already offline). */
  onBackgroundError?: (error: Error) => void
}

export class LogManager {
  readonly brokerId: number
  readonly clusterId: string
  readonly storage: Storage
  readonly config: Readonly<LogConfig>
  readonly #checkpoint: OffsetCheckpointFile
  readonly #logStarts: OffsetCheckpointFile
  /** Per-topic overrides on disk, and the LogConfig each topic's partitions share (changed in place by AlterConfigs). */
  readonly topicConfigs: TopicConfigFile
  readonly #topicLogConfigs = new Map<string, LogConfig>()
  readonly #topics = new Map<string, PartitionLog[]>()
  readonly #pending = new Set<string>()
  readonly #clock: () => number
  readonly #onBackgroundError: (error: Error) => void
  readonly #timers: NodeJS.Timeout[] = []
  #closed = false

  private constructor (options: LogManagerOptions, storage: Storage, clusterId: string, checkpoint: OffsetCheckpointFile, logStarts: OffsetCheckpointFile, topicConfigs: TopicConfigFile) {
    this.brokerId = options.brokerId
    this.clusterId = clusterId
    this.storage = storage
    this.config = options.config
    this.#checkpoint = checkpoint
    this.#logStarts = logStarts
    this.topicConfigs = topicConfigs
    this.#clock = options.clock ?? Date.now
    this.#onBackgroundError = options.onBackgroundError ?? (() => {})
  }

  static async open (options: LogManagerOptions): Promise<LogManager> {
    const storage = await Storage.open(options.dataDir, { ledger: options.ledger, openFilesMax: options.openFilesMax })
    try {
      const meta = await loadMetaProperties(storage, options.brokerId, options.clusterId)
      const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_CHECKPOINT_FILE)
      const logStarts = await OffsetCheckpointFile.load(storage, LOG_START_OFFSET_CHECKPOINT_FILE)
      const topicConfigs = await TopicConfigFile.load(storage)
      if (topicConfigs.loadError !== null) options.onBackgroundError?.(new Error(`topic configs ignored, broker defaults apply: ${topicConfigs.loadError}`))
      const manager = new LogManager(options, storage, meta.clusterId, checkpoint, logStarts, topicConfigs)
      await manager.#openExisting()
      await checkpoint.write()
      manager.#startTimers()
      return manager
    } catch (error) {
      // A broker that fails to start gives the data dir (and its lock) back at once.
      await storage.close().catch(() => {})
      throw error
    }
  }

  async #openExisting (): Promise<void> {
    const found = new Map<string, Set<number>>()
    for (const entry of await this.storage.list('')) {
      const match = entry.isDirectory ? PARTITION_DIR.exec(entry.name) : null
      if (match === null || !isValidTopicName(match[1]!) || match[1] === CLUSTER_METADATA_TOPIC) continue
      const partition = Number(match[2])
      if (partition >= PARTITIONS_PER_TOPIC_MAX) continue
      const marker = (await this.storage.list(entry.name)).some(file => file.name === DELETING_MARKER)
      if (marker) {
        await this.#removePartitionDir(entry.name)
        this.#checkpoint.delete(match[1]!, partition)
        this.#logStarts.delete(match[1]!, partition)
        continue
      }
      if (!found.has(match[1]!)) found.set(match[1]!, new Set())
      found.get(match[1]!)!.add(partition)
    }
    const jobs: Array<{ topic: string, partitions: PartitionLog[], index: number }> = []
    for (const [topic, indexes] of found) {
      // A missing partition dir in the middle (lost in a crash) comes back empty.
      const count = Math.max(...indexes) + 1
      const partitions = new Array<PartitionLog>(count)
      this.#topics.set(topic, partitions)
      for (let index = 0; index < count; index++) jobs.push({ topic, partitions, index })
    }
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++]!
        job.partitions[job.index] = await this.#openPartition(job.topic, job.index)
      }
    }
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker))
  }

  #openPartition (topic: string, partition: number): Promise<PartitionLog> {
    const logStartOffset = this.#logStarts.get(topic, partition)
    return PartitionLog.open({ storage: this.storage, topic, partition, config: this.#logConfigFor(topic), checkpoint: this.#checkpoint, logStartOffset, clock: this.#clock })
  }

  #logConfigFor (topic: string): LogConfig {
    let config = this.#topicLogConfigs.get(topic)
    if (config === undefined) this.#topicLogConfigs.set(topic, config = applyTopicOverrides(this.config, this.topicConfigs.get(topic)))
    return config
  }

  /** AlterConfigs: replaces a topic's overrides; its partitions see the new values at once. */
  async setTopicConfig (name: string, overrides: TopicOverrides): Promise<void> {
    if (!this.#topics.has(name)) throw new UnknownTopicOrPartitionError(`topic ${name} does not exist`)
    await this.topicConfigs.set(name, overrides)
    Object.assign(this.#logConfigFor(name), applyTopicOverrides(this.config, overrides))
  }

  async #removePartitionDir (dir: string): Promise<void> {
    for (const file of await this.storage.list(dir)) if (file.isFile && file.name !== DELETING_MARKER) await this.storage.unlink(`${dir}/${file.name}`)
    await this.storage.unlink(`${dir}/${DELETING_MARKER}`)
    await this.storage.rmdir(dir)
  }

  #startTimers (): void {
    const every = (intervalMs: number, task: () => Promise<unknown>): void => {
      if (!(intervalMs <= TIMER_MS_MAX)) return
      let busy = false
      const timer = setInterval(() => {
        if (busy || this.#closed) return
        busy = true
        task().catch(error => this.#onBackgroundError(error as Error)).finally(() => { busy = false })
      }, intervalMs)
      timer.unref()
      this.#timers.push(timer)
    }
    every(this.config.retentionCheckIntervalMs, () => this.checkRetention())
    every(this.config.flushIntervalMs, () => this.flushAll())
    every(this.config.flushOffsetCheckpointIntervalMs, () => this.writeCheckpoint())
  }

  /** Topic name -> partition count. */
  topics (): Map<string, number> {
    const result = new Map<string, number>()
    for (const [name, partitions] of this.#topics) result.set(name, partitions.length)
    return result
  }

  /** How many partitions a topic has; undefined when there is no such topic. No copy, unlike topics(). */
  partitionCount (name: string): number | undefined {
    return this.#topics.get(name)?.length
  }

  hasTopic (name: string): boolean {
    return this.#topics.has(name)
  }

  partition (topic: string, index: number): PartitionLog | undefined {
    return this.#topics.get(topic)?.[index]
  }

  *partitions (): IterableIterator<PartitionLog> {
    for (const partitions of this.#topics.values()) yield * partitions
  }

  async createTopic (name: string, partitionCount: number, overrides: TopicOverrides = {}): Promise<void> {
    validateTopicName(name)
    if (name === CLUSTER_METADATA_TOPIC) throw new InvalidTopicError(`${name} is the metadata quorum's log, not a topic`)
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > PARTITIONS_PER_TOPIC_MAX) {
      throw new InvalidPartitionsError(`partition count must be an integer in [1, ${PARTITIONS_PER_TOPIC_MAX}], got ${partitionCount}`)
    }
    if (this.#topics.has(name) || this.#pending.has(name)) throw new TopicExistsError(name)
    this.#pending.add(name)
    try {
      // Written before any partition exists, so a crash never leaves the topic without them.
      await this.topicConfigs.set(name, overrides)
      this.#topicLogConfigs.delete(name)
      const partitions: PartitionLog[] = []
      for (let index = 0; index < partitionCount; index++) {
        this.#checkpoint.delete(name, index)
        this.#logStarts.delete(name, index)
        partitions.push(await this.#openPartition(name, index))
      }
      this.#topics.set(name, partitions)
    } finally {
      this.#pending.delete(name)
    }
    await this.#checkpoint.write()
  }

  /** Raises a topic's partition count (CreatePartitions); existing partitions stay as they are. */
  async addPartitions (name: string, partitionCount: number): Promise<void> {
    const partitions = this.#topics.get(name)
    if (partitions === undefined || this.#pending.has(name)) throw new UnknownTopicOrPartitionError(`topic ${name} does not exist`)
    if (!Number.isInteger(partitionCount) || partitionCount <= partitions.length || partitionCount > PARTITIONS_PER_TOPIC_MAX) {
      throw new InvalidPartitionsError(`partition count must be an integer in [${partitions.length + 1}, ${PARTITIONS_PER_TOPIC_MAX}], got ${partitionCount}`)
    }
    this.#pending.add(name)
    try {
      // Opened one by one and made visible together, so no reader sees a half-grown topic.
      const added: PartitionLog[] = []
      for (let index = partitions.length; index < partitionCount; index++) {
        this.#checkpoint.delete(name, index)
        this.#logStarts.delete(name, index)
        added.push(await this.#openPartition(name, index))
      }
      partitions.push(...added)
    } finally {
      this.#pending.delete(name)
    }
    await this.#checkpoint.write()
  }

  async deleteTopic (name: string): Promise<void> {
    const partitions = this.#topics.get(name)
    if (partitions === undefined || this.#pending.has(name)) throw new UnknownTopicOrPartitionError(`topic ${name} does not exist`)
    this.#topics.delete(name)
    this.#pending.add(name)
    try {
      for (const log of partitions) await this.storage.writeFileAtomic(`${log.dir}/${DELETING_MARKER}`, Buffer.alloc(0))
      for (const log of partitions) {
        await log.delete()
        this.#checkpoint.delete(name, log.partition)
        this.#logStarts.delete(name, log.partition)
      }
      await this.topicConfigs.set(name, {})
      this.#topicLogConfigs.delete(name)
    } finally {
      this.#pending.delete(name)
    }
    await this.#checkpoint.write()
    if (this.#logStarts.dirty) await this.#logStarts.write()
  }

  /**
   * DeleteRecords for one partition: -1 means the high watermark. The new start is
   * checkpointed before any segment goes, so a crash never brings deleted records back.
   */
  async deleteRecords (topic: string, partition: number, offset: number): Promise<number> {
    const log = this.partition(topic, partition)
    if (log === undefined) throw new UnknownTopicOrPartitionError(`${topic}-${partition} does not exist`)
    const target = offset === -1 ? log.highWatermark : offset
    if (target < 0 || target > log.highWatermark) throw new OffsetOutOfRangeError(target, log.logStartOffset, log.highWatermark)
    if (target <= log.logStartOffset) return log.logStartOffset
    this.#logStarts.set(topic, partition, target)
    await this.#logStarts.write()
    return log.deleteRecordsBefore(target)
  }

  /** Applies retention to every partition; returns how many segments were deleted. */
  async checkRetention (nowMs: number = this.#clock()): Promise<number> {
    let deleted = 0
    for (const log of [...this.partitions()]) {
      try {
        deleted += await log.enforceRetention(nowMs)
      } catch (error) {
        this.#onBackgroundError(error as Error)
      }
    }
    return deleted
  }

  /** fsyncs every partition that has unflushed messages (the log.flush.interval.ms policy). */
  async flushAll (): Promise<void> {
    for (const log of [...this.partitions()]) {
      if (log.offlineError !== null || log.unflushedMessages === 0) continue
      try {
        await log.flush()
      } catch (error) {
        this.#onBackgroundError(error as Error)
      }
    }
  }

  async writeCheckpoint (): Promise<void> {
    if (this.#checkpoint.dirty) await this.#checkpoint.write()
  }

  /** Stops timers, closes every partition (flush + fsync) and writes the checkpoint. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    const results = await Promise.allSettled([...this.partitions()].map(log => log.close()))
    await this.#checkpoint.write()
    await this.storage.close()
    const failure = results.find(result => result.status === 'rejected')
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason
  }

  /** Stops dead without flushing or checkpointing, as a crash would (tests). */
  async halt (): Promise<void> {
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    await Promise.all([...this.partitions()].map(log => log.halt()))
    await this.storage.close()
  }
}
