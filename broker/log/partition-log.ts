// One partition's log, as the rest of the broker sees it. It owns the segments and the log's
// status (offline, closing), serves reads and ListOffsets (log-reader.ts finds the batches),
// and puts together the parts that do the rest:
//   log-appender.ts  group commit; owns the log end offset and the high watermark
//   log-flusher.ts   flush policy and fsyncs; owns the recovery point
//   log-trimmer.ts   truncation, retention, DeleteRecords; owns the log start offset
//
// Offsets:  logStartOffset <= highWatermark <= logEndOffset.
//   logEndOffset   next offset to assign; append() moves it at call time.
//   highWatermark  single node: everything below it is in the file (and fsynced, when the
//                  flush policy asks for that). Reads never go past it.
//   recoveryPoint  everything below it is fsynced; recovery validates only what follows.
//
// Replication: appendAsFollower takes batches with the offsets and epochs their leader gave;
// truncateTo cuts a divergent tail on a batch boundary (log-trimmer.ts); the
// leader-epoch-checkpoint (leader-epoch-cache.ts) holds epoch -> start offset, grows on
// appends and when the replica becomes leader (assignEpochStart), follows truncation and
// log-start moves, and is on disk before a batch of a new epoch is acknowledged.
//
// Failure: a failed write or fsync rejects every pending append with KafkaStorageError, the
// high watermark stays where it was, and the partition goes offline until the broker
// restarts (Kafka's answer to a failed log dir). A failed read fails only its request.
// Recovery at the next start cuts whatever a torn write left behind, so nothing after the
// last acknowledged batch is ever served.

import type { OffsetCheckpointFile } from './checkpoint.ts'
import type { LogConfig } from './config.ts'
import { LogAppender } from './log-appender.ts'
import { LogFlusher } from './log-flusher.ts'
import { LogTrimmer } from './log-trimmer.ts'
import { PartitionStatus } from './partition-status.ts'
import type { LogPlace } from './partition-status.ts'
import { LeaderEpochCache } from './leader-epoch-cache.ts'
import type { EpochEndOffset, EpochEntry } from './leader-epoch-cache.ts'
import { KafkaStorageError, LogClosedError, LogError, OffsetOutOfRangeError, UnknownTopicOrPartitionError } from './errors.ts'
import type { AppendResult } from './group-commit.ts'
import { findMaxTimestampOffset, findOffsetByTimestamp, readFrom, ReadCursors } from './log-reader.ts'
import type { ReadResult, TimestampOffset } from './log-reader.ts'
import { recoverLog } from './recovery.ts'
import type { RecoveredLog } from './recovery.ts'
import type { Segment } from './segment.ts'
import type { Storage } from './storage.ts'

export type { ReadResult, TimestampOffset } from './log-reader.ts'
export type { AppendResult } from './group-commit.ts'
export type { EpochEndOffset, EpochEntry } from './leader-epoch-cache.ts'

/** ListOffsets special timestamps (Kafka's ListOffsetsRequest constants). */
export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2
export const MAX_TIMESTAMP = -3

export interface PartitionLogOptions {
  storage: Storage
  topic: string
  partition: number
  config: Readonly<LogConfig>
  /** Where the recovery point is read at open and recorded after each fsync. */
  checkpoint: OffsetCheckpointFile
  /** A log start offset that DeleteRecords moved inside the first segment (checkpointed by the manager). */
  logStartOffset?: number
  /** Wall clock in ms (tests replace it to exercise log.roll.ms). */
  clock?: () => number
}

export class PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  readonly #storage: Storage
  readonly #checkpoint: OffsetCheckpointFile
  readonly #clock: () => number
  readonly #segments: Segment[]
  readonly #epochs: LeaderEpochCache
  readonly #status: PartitionStatus
  readonly #cursors = new ReadCursors()
  readonly #flusher: LogFlusher
  readonly #appender: LogAppender
  readonly #trimmer: LogTrimmer
  /** What recovery found at open (for logs and tests). */
  readonly recovery: RecoveredLog
  /** Reads that failed (each failed its request only). */
  readFailures = 0

  private constructor (options: PartitionLogOptions, recovered: RecoveredLog, recoveryPoint: number, epochs: LeaderEpochCache) {
    this.topic = options.topic
    this.partition = options.partition
    this.dir = `${options.topic}-${options.partition}`
    this.#storage = options.storage
    this.#checkpoint = options.checkpoint
    this.#clock = options.clock ?? Date.now
    this.#status = new PartitionStatus(this.dir)
    this.#segments = recovered.segments
    this.#epochs = epochs
    this.recovery = recovered
    this.#status.onOffline = error => { this.#appender.failed(error) }
    const place: LogPlace = { storage: this.#storage, dir: this.dir, config: options.config, clock: this.#clock }
    this.#flusher = new LogFlusher({
      topic: this.topic,
      partition: this.partition,
      segments: this.#segments,
      checkpoint: this.#checkpoint,
      recoveryPoint,
      logStartOffset: () => this.#trimmer.logStartOffset,
      status: this.#status,
      backgroundSyncs: this.#storage.backgroundSyncs,
    })
    this.#appender = new LogAppender({
      place,
      status: this.#status,
      segments: this.#segments,
      epochs,
      flusher: this.#flusher,
      logEndOffset: recovered.logEndOffset,
      refusal: () => this.#appendRefusal(),
      paused: () => this.#trimmer.truncating,
    })
    this.#trimmer = new LogTrimmer({
      place,
      status: this.#status,
      checkpoint: this.#checkpoint,
      segments: this.#segments,
      epochs,
      appender: this.#appender,
      flusher: this.#flusher,
      cursors: this.#cursors,
      logStartOffset: Math.min(Math.max(recovered.segments[0]!.baseOffset, options.logStartOffset ?? 0), recovered.logEndOffset),
    })
  }

  /** Opens (creating if needed) `<topic>-<partition>` under the data dir and recovers it. */
  static async open (options: PartitionLogOptions): Promise<PartitionLog> {
    const { storage, topic, partition, config, checkpoint } = options
    const dir = `${topic}-${partition}`
    await storage.mkdir(dir)
    const epochs = await LeaderEpochCache.load(storage, dir)
    const scanned: Array<{ baseOffset: number, epoch: number }> = []
    const recovered = await recoverLog({
      storage, dir, config, recoveryPoint: checkpoint.get(topic, partition) ?? 0, nowMs: (options.clock ?? Date.now)(),
      onBatch: (baseOffset, epoch) => { scanned.push({ baseOffset, epoch }) },
    })
    // Recovery fsyncs what it validated, so the whole log is now below the recovery point.
    checkpoint.set(topic, partition, recovered.logEndOffset)
    epochs.rebuildFromScan(recovered.logEndOffset, scanned)
    const log = new PartitionLog(options, recovered, recovered.logEndOffset, epochs)
    epochs.truncateFromStart(log.logStartOffset)
    await epochs.flush()
    return log
  }

  get logStartOffset (): number { return this.#trimmer.logStartOffset }
  get logEndOffset (): number { return this.#appender.logEndOffset }
  get highWatermark (): number { return this.#appender.highWatermark }
  get recoveryPoint (): number { return this.#flusher.recoveryPoint }
  /** Messages written but not yet known fsynced. */
  get unflushedMessages (): number { return Math.max(0, this.#appender.highWatermark - this.#flusher.recoveryPoint) }
  get queuedBytes (): number { return this.#appender.queuedBytes }
  get segmentCount (): number { return this.#segments.length }
  /** The error that took the partition offline, or null. */
  get offlineError (): LogError | null { return this.#status.offline }

  get sizeBytes (): number {
    let total = 0
    for (const segment of this.#segments) total += segment.writtenBytes
    return total
  }

  segmentBaseOffsets (): number[] {
    return this.#segments.map(segment => segment.baseOffset)
  }

  /** Whether the append queue is under its bound (false: the caller should stop feeding it until whenWritable()). */
  canAccept (): boolean {
    return this.#status.offline === null && !this.#status.closing && this.#appender.isUnderBound
  }

  /** Resolves once the append queue is below its bound again (or the log went offline). */
  whenWritable (): Promise<void> {
    if (this.#status.offline !== null) return Promise.resolve()
    return this.#appender.whenWritable()
  }

  /**
   * Calls `listener(highWatermark)` after each advance of the high watermark and once when the
   * log goes offline, so parked fetches can wake. Returns the function that unsubscribes.
   */
  onHighWatermark (listener: (highWatermark: number) => void): () => void {
    return this.#appender.onHighWatermark(listener)
  }

  /**
   * Appends already-validated batches. Offsets are assigned now, in call order, by patching
   * each batch's header in place; the promise resolves once the batches are written (and
   * fsynced, if the flush policy says so) and the high watermark has passed them.
   */
  append (batches: Buffer[], leaderEpoch: number): Promise<AppendResult> {
    return this.#appender.append(batches, leaderEpoch)
  }

  /**
   * Appends batches as a follower received them: offsets and leader epochs stay as the leader
   * assigned them. Each batch must be CRC-valid and the first must start at the log end
   * offset, the rest following on (CorruptRecordError otherwise, and nothing is appended).
   */
  appendAsFollower (batches: Buffer[]): Promise<AppendResult> {
    return this.#appender.appendAsFollower(batches)
  }

  #appendRefusal (): LogError | null {
    if (this.#status.offline !== null) return this.#status.offline
    if (this.#status.closing) return new LogClosedError(`${this.dir} is closing`)
    if (this.#trimmer.truncating) return new LogClosedError(`${this.dir} is being truncated`)
    return null
  }

  /** fsyncs everything appended before the call (and persists index entries); moves the recovery point. */
  async flush (): Promise<void> {
    this.#status.throwIfOffline()
    await this.#appender.waitForHighWatermark(this.#appender.logEndOffset)
    await this.#flusher.fullFlush()
  }

  /**
   * Raw bytes of whole batches starting with the batch that holds `offset`, at most maxBytes
   * but always one whole batch if there is one (KIP-74), never past the high watermark.
   * offset == highWatermark gives an empty result; outside [logStartOffset, highWatermark]
   * throws OffsetOutOfRangeError. `allocate`: the memory to read into (default fresh buffers).
   */
  async read (offset: number, maxBytes: number, allocate?: (bytes: number) => Buffer): Promise<ReadResult> {
    this.#status.throwIfOffline()
    if (offset < this.#trimmer.logStartOffset || offset > this.#appender.highWatermark) {
      throw new OffsetOutOfRangeError(offset, this.#trimmer.logStartOffset, this.#appender.highWatermark)
    }
    if (offset === this.#appender.highWatermark) return { buffers: [], bytes: 0, nextOffset: offset }
    try {
      return await readFrom(this.#segments, this.#cursors, offset, maxBytes, allocate)
    } catch (error) {
      throw this.#readFailure(error)
    }
  }

  /**
   * ListOffsets for one partition. timestampMs >= 0: the first record whose timestamp is >= it
   * (exact for uncompressed CreateTime batches, else the batch's base offset), null if none.
   * LATEST_TIMESTAMP (-1): the high watermark; EARLIEST_TIMESTAMP (-2): the log start offset;
   * MAX_TIMESTAMP (-3): the record with the largest timestamp (KIP-734). Other negative
   * values are the caller's to reject. Only data below the high watermark is considered.
   */
  async offsetForTimestamp (timestampMs: number): Promise<TimestampOffset | null> {
    this.#status.throwIfOffline()
    if (timestampMs === LATEST_TIMESTAMP) return { offset: this.#appender.highWatermark, timestampMs: -1 }
    if (timestampMs === EARLIEST_TIMESTAMP) return { offset: this.#trimmer.logStartOffset, timestampMs: -1 }
    const segments = this.#segments.slice()
    for (const segment of segments) segment.retain()
    try {
      return timestampMs === MAX_TIMESTAMP
        ? await findMaxTimestampOffset(segments, this.#appender.highWatermark)
        : await findOffsetByTimestamp(segments, timestampMs)
    } catch (error) {
      throw this.#readFailure(error)
    } finally {
      for (const segment of segments) segment.release()
    }
  }

  /**
   * Kafka's maybeAssignEpochStartOffset, called when this replica becomes leader in
   * `leaderEpoch`: the epoch starts at the log end now, before anything is written in it.
   * Without it the leader-epoch cache learns the epoch only at the leader's first append, and
   * until then the leader answers OffsetForLeaderEpoch for any older epoch a follower holds
   * with UNDEFINED (KAFKA-7415), so that follower keeps a tail the leader never had. The
   * entry reaches the checkpoint file with the next append's flush; an entry lost in a crash
   * starts at the log end and would be dropped by recovery anyway. Returns the start offset.
   */
  assignEpochStart (leaderEpoch: number): number {
    const startOffset = this.#appender.logEndOffset
    this.#epochs.assign(leaderEpoch, startOffset)
    return startOffset
  }

  /** Kafka's endOffsetForEpoch over the leader-epoch cache (null: Kafka's UNDEFINED_EPOCH_OFFSET). */
  endOffsetForEpoch (epoch: number): EpochEndOffset | null {
    return this.#epochs.endOffsetForEpoch(epoch, this.#appender.logEndOffset)
  }

  /** The leader-epoch cache: epoch -> start offset, ascending. */
  leaderEpochs (): EpochEntry[] {
    return this.#epochs.entries()
  }

  /**
   * Drops every batch at or above `offset` and returns the new log end offset. The log keeps
   * batches whole: if `offset` falls inside a batch, that whole batch goes too and the result
   * is its base offset. Appends already queued are written first; appends made meanwhile are
   * refused (LogClosedError, retriable). The high watermark and the recovery point come down
   * with the end; the cut, the leader-epoch-checkpoint and the recovery point are durable
   * before the promise resolves. A flush waiting for truncated offsets resolves; listeners
   * hear the new high watermark. Below the log start: OffsetOutOfRangeError.
   */
  truncateTo (offset: number): Promise<number> {
    return this.#trimmer.truncateTo(offset)
  }

  /** Kafka's truncateFullyAndStartAt: every segment goes and the log restarts, empty, at `offset`. */
  truncateFullyAndStartAt (offset: number): Promise<void> {
    return this.#trimmer.truncateFullyAndStartAt(offset)
  }

  /** Deletes the segments retention.ts picks; moves logStartOffset. Returns how many went. */
  enforceRetention (nowMs: number = this.#clock()): Promise<number> {
    return this.#trimmer.enforceRetention(nowMs)
  }

  /** DeleteRecords: offsets below `offset` become unreadable, and segments wholly below it go. */
  deleteRecordsBefore (offset: number): Promise<number> {
    return this.#trimmer.deleteRecordsBefore(offset)
  }

  // A failed read fails that request only (KAFKA_STORAGE_ERROR for the partition): the log's
  // state is untouched, so taking the partition offline for it would turn one bad stored
  // batch or one EIO into an outage until restart. Only the write path goes offline.
  #readFailure (error: unknown): LogError {
    this.readFailures++
    return error instanceof LogError ? error : new KafkaStorageError(`${this.dir}: read failed: ${(error as Error).message}`, { cause: error })
  }

  /** Lets queued appends finish, fsyncs everything, records the recovery point and closes the files. */
  async close (): Promise<void> {
    this.#status.closing = true
    await this.#appender.whenIdle()
    await this.#flusher.settled
    try {
      if (this.#status.offline === null) {
        await this.#flusher.fullFlush()
        await this.#epochs.flush()
        await this.#checkpoint.write()
      }
    } finally {
      this.#status.markClosed(new LogClosedError(`${this.dir} is closed`))
      await Promise.all(this.#segments.map(segment => segment.close()))
    }
  }

  /**
   * Stops dead, as a crash would: rejects queued appends, closes the files without flushing
   * and leaves the checkpoint as it is. For tests and the in-process chaos harness.
   */
  async halt (): Promise<void> {
    this.#status.closing = true
    this.#status.goOffline(new LogClosedError(`${this.dir} was halted`))
    await Promise.all(this.#segments.map(segment => segment.close().catch(() => {})))
  }

  /** Closes the log and removes its files and directory (topic deletion). */
  async delete (): Promise<void> {
    this.#status.closing = true
    this.#status.goOffline(new UnknownTopicOrPartitionError(`${this.dir} was deleted`))
    await this.#appender.whenIdle()
    await this.#flusher.settled
    for (const segment of this.#segments) await segment.destroy(this.#storage)
    const leftovers = await this.#storage.list(this.dir)
    for (const entry of leftovers) if (entry.isFile) await this.#storage.unlink(`${this.dir}/${entry.name}`)
    await this.#storage.rmdir(this.dir)
    this.#checkpoint.delete(this.topic, this.partition)
  }
}
