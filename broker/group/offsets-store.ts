// Committed offsets and group metadata on disk: records (records.ts) in the internal topic
// __consumer_offsets, written through the same partition logs as user data, and read back
// whole when the broker starts. One OffsetCommit is one record batch in one append, so it
// lands entirely or not at all; the coordinator applies it to memory only once the append
// has resolved.
//
// The topic is created with offsets.topic.num.partitions partitions the first time. An
// existing topic keeps the count it was created with, since a group's partition follows
// from that count and changing it would hide every group's history.
//
// In a cluster the controller creates the topic and this broker writes only to partitions
// it leads (OffsetsReplication says which, and in which leader epoch); a write resolves only
// once its records are below the partition's replicated high watermark.

import { LogError } from '../log/errors.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { batchBaseOffset, decodeRecordBatch, encodeRecordBatch, isControlBatch, splitBatches } from '../protocol/record-batch.ts'
import {
  decodeOffsetsRecord, encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue,
  OffsetsRecordError, partitionForGroup, type OffsetsRecord, type StoredGroup, type StoredOffset,
} from './records.ts'

export const OFFSETS_TOPIC = '__consumer_offsets'
/** Bytes read per step while replaying; a bigger batch is still read whole. */
const REPLAY_READ_BYTES = 1024 * 1024

/** What the store needs of a partition log (PartitionLog has all of it). */
export interface OffsetsPartitionLog {
  readonly logStartOffset: number
  readonly highWatermark: number
  append (batches: Buffer[], leaderEpoch: number): Promise<{ baseOffset: number }>
  read (offset: number, maxBytes: number): Promise<{ buffers: Buffer[], nextOffset: number }>
  canAccept (): boolean
  whenWritable (): Promise<void>
}

/** What the store needs of the log manager. */
export interface OffsetsLogs {
  topics (): Map<string, number>
  createTopic (name: string, partitionCount: number): Promise<void>
  partition (topic: string, index: number): OffsetsPartitionLog | undefined
}

/** In a cluster: the offsets partitions this broker leads, and when a write is committed. */
export interface OffsetsReplication {
  /** The leader epoch of an offsets partition this broker leads; undefined when it does not. */
  leaderEpoch (partition: number): number | undefined
  /** Resolves with NONE once the offsets below `requiredOffset` are replicated (acks=all), or with the error. */
  waitForCommit (partition: number, requiredOffset: number): Promise<number>
}

/** A coordinator write that failed with a Kafka error code for the client. */
export class CoordinatorWriteError extends Error {
  readonly errorCode: number
  constructor (errorCode: number, message: string) {
    super(message)
    this.errorCode = errorCode
  }
}

/**
 * What a group API answers when the replicated write failed, as Kafka maps it: leadership
 * lost means another coordinator (NOT_COORDINATOR); too few replicas means the coordinator is
 * unusable for now (COORDINATOR_NOT_AVAILABLE); anything else (REQUEST_TIMED_OUT) as is.
 */
export function coordinatorErrorOf (replicationError: number): number {
  switch (replicationError) {
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    case ErrorCode.FENCED_LEADER_EPOCH:
      return ErrorCode.NOT_COORDINATOR
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    default:
      return replicationError
  }
}

export interface OffsetsEntry {
  topic: string
  partition: number
  /** null writes a tombstone. */
  value: StoredOffset | null
}

/**
 * The error code clients get when a coordinator write fails: NOT_COORDINATOR makes them find
 * the coordinator again and retry, as Kafka answers storage failures of its offsets topic.
 */
export function storeErrorCode (err: unknown): number {
  if (err instanceof LogError) return ErrorCode.NOT_COORDINATOR
  if (err instanceof CoordinatorWriteError) return err.errorCode
  throw err
}

interface Skipped {
  count: number
  first: string
}

function skip (skipped: Skipped, what: string): void {
  if (skipped.count++ === 0) skipped.first = what
}

function replayBatch (batch: Buffer, fromOffset: number, apply: (record: OffsetsRecord, logOffset: number, timestampMs: number) => void, skipped: Skipped): number {
  let records
  try {
    records = decodeRecordBatch(batch)
  } catch (err) {
    skip(skipped, `batch at offset ${batchBaseOffset(batch)}: ${(err as Error).message}`)
    return 0
  }
  let count = 0
  for (const record of records) {
    if (record.offset < fromOffset) continue
    let decoded: OffsetsRecord
    try {
      decoded = decodeOffsetsRecord(record.key, record.value)
    } catch (err) {
      if (!(err instanceof OffsetsRecordError)) throw err
      skip(skipped, `offset ${record.offset}: ${err.message}`)
      continue
    }
    apply(decoded, record.offset, record.timestamp)
    count++
  }
  return count
}

export class OffsetsStore {
  readonly #logs: OffsetsLogs
  /** Fixed on one node; in a cluster, read from the local topic the metadata made. */
  readonly #partitionCount: number | null
  readonly #leaderEpoch: number
  readonly #clock: () => number
  readonly #replication: OffsetsReplication | null

  private constructor (logs: OffsetsLogs, partitionCount: number | null, leaderEpoch: number, clock: () => number, replication: OffsetsReplication | null) {
    this.#logs = logs
    this.#partitionCount = partitionCount
    this.#leaderEpoch = leaderEpoch
    this.#clock = clock
    this.#replication = replication
  }

  /** In a cluster: nothing is created or read here; partitions are replayed as they are led. */
  static forCluster (logs: OffsetsLogs, replication: OffsetsReplication, clock: () => number = Date.now): OffsetsStore {
    return new OffsetsStore(logs, null, -1, clock, replication)
  }

  /** 0 while a cluster's topic does not exist here yet. */
  get partitionCount (): number {
    return this.#partitionCount ?? this.#logs.topics().get(OFFSETS_TOPIC) ?? 0
  }

  /** `clock` stamps the records, so their age is measured by the same clock as everything else. */
  static async open (logs: OffsetsLogs, partitionCount: number, leaderEpoch: number, log: (line: string) => void, clock: () => number = Date.now): Promise<OffsetsStore> {
    const existing = logs.topics().get(OFFSETS_TOPIC)
    if (existing === undefined) {
      await logs.createTopic(OFFSETS_TOPIC, partitionCount)
    } else if (existing !== partitionCount) {
      log(`${OFFSETS_TOPIC} has ${existing} partitions; keeping them (offsets.topic.num.partitions=${partitionCount} applies only when the topic is created)`)
    }
    return new OffsetsStore(logs, existing ?? partitionCount, leaderEpoch, clock, null)
  }

  partitionFor (groupId: string): number {
    return partitionForGroup(groupId, this.partitionCount)
  }

  /** Appends the entries as one batch; resolves to the log offset of the first. */
  appendOffsets (groupId: string, entries: readonly OffsetsEntry[]): Promise<number> {
    return this.appendRecords(groupId, entries)
  }

  /** Writes the group's metadata record, or its tombstone for null. */
  appendGroup (groupId: string, value: StoredGroup | null): Promise<number> {
    return this.appendRecords(groupId, [], value)
  }

  /**
   * Offsets (record i at the resolved offset + i) and then, unless `group` is undefined,
   * the group's metadata record or tombstone: one batch, one append.
   */
  async appendRecords (groupId: string, offsets: readonly OffsetsEntry[], group?: StoredGroup | null): Promise<number> {
    const timestamp = this.#clock()
    const records = offsets.map(e => ({
      key: encodeOffsetKey(groupId, e.topic, e.partition),
      value: e.value === null ? null : encodeOffsetValue(e.value),
      timestamp,
    }))
    if (group !== undefined) records.push({ key: encodeGroupKey(groupId), value: group === null ? null : encodeGroupValue(group), timestamp })
    const index = this.partitionFor(groupId)
    const log = this.#partition(index)
    if (!log.canAccept()) await log.whenWritable()
    const { baseOffset } = await log.append([encodeRecordBatch({ records })], this.#epochToWrite(index))
    if (this.#replication !== null) {
      const code = await this.#replication.waitForCommit(index, baseOffset + records.length)
      if (code !== ErrorCode.NONE) throw new CoordinatorWriteError(coordinatorErrorOf(code), `${OFFSETS_TOPIC}-${index}: write at offset ${baseOffset} not replicated (error ${code})`)
    }
    return baseOffset
  }

  /** One node: the fixed epoch. A cluster: the partition's, checked right before the append (never write to a follower's log). */
  #epochToWrite (index: number): number {
    if (this.#replication === null) return this.#leaderEpoch
    const epoch = this.#replication.leaderEpoch(index)
    if (epoch === undefined) throw new CoordinatorWriteError(ErrorCode.NOT_COORDINATOR, `${OFFSETS_TOPIC}-${index} is not led by this broker`)
    return epoch
  }

  #partition (index: number): OffsetsPartitionLog {
    const log = this.#logs.partition(OFFSETS_TOPIC, index)
    if (log === undefined) throw new Error(`programmer error: ${OFFSETS_TOPIC}-${index} is missing`)
    return log
  }

  /**
   * Reads every partition of the topic from its start and hands each record to `apply` in
   * log order. A record this broker cannot read (another writer's, a newer format's) is
   * skipped and reported through `log`, never fatal: a client could otherwise stop the
   * broker from starting by producing to the internal topic.
   */
  async replay (apply: (record: OffsetsRecord, logOffset: number, timestampMs: number) => void, log: (line: string) => void): Promise<number> {
    let count = 0
    for (let index = 0; index < this.partitionCount; index++) count += await this.replayPartition(index, apply, log)
    return count
  }

  /**
   * One partition, to its local log end: on a new leader that is what the followers will
   * converge to, so a group loads with every write the old leader had replicated to it.
   */
  async replayPartition (index: number, apply: (record: OffsetsRecord, logOffset: number, timestampMs: number) => void, log: (line: string) => void): Promise<number> {
    const partition = this.#partition(index)
    const skipped: Skipped = { count: 0, first: '' }
    let count = 0
    let offset = partition.logStartOffset
    while (offset < partition.highWatermark) {
      const read = await partition.read(offset, REPLAY_READ_BYTES)
      if (read.nextOffset <= offset) throw new OffsetsRecordError(`replay of ${OFFSETS_TOPIC}-${index} made no progress at offset ${offset}`)
      for (const batch of splitBatches(read.buffers.length === 1 ? read.buffers[0]! : Buffer.concat(read.buffers))) {
        if (isControlBatch(batch)) continue
        count += replayBatch(batch, offset, apply, skipped)
      }
      offset = read.nextOffset
    }
    if (skipped.count > 0) log(`${OFFSETS_TOPIC}-${index}: skipped ${skipped.count} records this broker cannot read (first: ${skipped.first})`)
    return count
  }
}
