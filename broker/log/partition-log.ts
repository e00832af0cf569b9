// One partition's log: segments, offsets, group commit, flush policy, retention, reads.
//
// Offsets:  logStartOffset <= highWatermark <= logEndOffset.
//   logEndOffset   next offset to assign; append() moves it at call time.
//   highWatermark  single node: everything below it is in the file (and fsynced, when the
//                  flush policy asks for that). Reads never go past it.
//   recoveryPoint  everything below it is fsynced; recovery validates only what follows.
//
// Group commit: append() patches offsets in place and queues the batches; on the next
// setImmediate the queue goes to disk as one writev per segment. While a write is in flight
// new appends queue up and go together in the next write. The queue's byte bound is a
// backpressure signal, not a refusal: append() always takes validated batches (failing or
// delaying one would let a producer's later batches overtake it), and once canAccept() is
// false the server stops reading the sockets that feed the log until whenWritable()
// resolves, as Kafka stops reading sockets when its request queue is full. What can pile
// up past the bound is limited by the connections' own bounds (requests in flight, request
// memory).
//
// Flush policy (Kafka's keys): flushIntervalMessages = N fsyncs before resolving the group
// that brings the unflushed count to N (1: every append waits for fsync); flushIntervalMs
// is driven by the log manager calling flush(). Rolled segments are flushed in the
// background, as Kafka does. The recovery point moves after each fsync; the log manager
// persists it in the checkpoint file.
//
// Failure: a failed write or fsync rejects every pending append with KafkaStorageError, the
// high watermark stays where it was, and the partition goes offline until the broker
// restarts (Kafka's answer to a failed log dir). A failed read fails only its request. Recovery at the next start cuts whatever a
// torn write left behind, so nothing after the last acknowledged batch is ever served.

import assert from 'node:assert/strict'
import { batchLastOffset, batchRecordCount, BATCH_OFFSET_LEADER_EPOCH, checkBatch, patchBatchHeader, readInt64 } from '../protocol/record-batch.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { LeaderEpochCache, scanEpochs, type EpochEntry } from './leader-epoch-cache.ts'
import type { OffsetCheckpointFile } from './checkpoint.ts'
import type { LogConfig } from './config.ts'
import { CorruptRecordError, KafkaStorageError, LogClosedError, LogError, OffsetOutOfRangeError, RecordTooLargeError, UnknownTopicOrPartitionError } from './errors.ts'
import { placeGroup, writeRuns } from './group-commit.ts'
import type { AppendResult, PendingAppend } from './group-commit.ts'
import { findBatch, findMaxTimestampOffset, findOffsetByTimestamp, readBatchesAt, ReadCursors, segmentIndexFor } from './log-reader.ts'
import type { ReadResult, TimestampOffset } from './log-reader.ts'
import { recoverLog } from './recovery.ts'
import { planRetention } from './retention.ts'
import type { RecoveredLog } from './recovery.ts'
import { Segment } from './segment.ts'
import type { Storage } from './storage.ts'

export type { ReadResult, TimestampOffset } from './log-reader.ts'
export type { AppendResult } from './group-commit.ts'

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

interface OffsetWaiter {
  offset: number
  resolve: () => void
  reject: (error: Error) => void
}

export class PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  readonly #storage: Storage
  readonly #config: Readonly<LogConfig>
  readonly #checkpoint: OffsetCheckpointFile
  readonly #epochs: LeaderEpochCache
  readonly #clock: () => number
  readonly #segments: Segment[]
  #logStartOffset: number
  #logEndOffset: number
  #highWatermark: number
  #recoveryPoint: number
  #queue: PendingAppend[] = []
  #inFlight: PendingAppend[] = []
  #queuedBytes = 0
  #drainScheduled = false
  #draining = false
  #rollRequested = false
  #offline: LogError | null = null
  #closing = false
  #flushChain: Promise<void> = Promise.resolve()
  #offsetWaiters: OffsetWaiter[] = []
  #idleWaiters: Array<() => void> = []
  #writableWaiters: Array<() => void> = []
  readonly #listeners = new Set<(highWatermark: number) => void>()
  readonly #cursors = new ReadCursors()
  readonly #drainOnImmediate: () => void
  readonly #rollTo: (baseOffset: number) => Promise<Segment>
  /** What recovery found at open (for logs and tests). */
  readonly recovery: RecoveredLog
  /** Reads that failed (each failed its request only). */
  readFailures = 0

  private constructor (options: PartitionLogOptions, recovered: RecoveredLog, recoveryPoint: number, epochs: LeaderEpochCache) {
    this.topic = options.topic
    this.partition = options.partition
    this.dir = `${options.topic}-${options.partition}`
    this.#storage = options.storage
    this.#config = options.config
    this.#checkpoint = options.checkpoint
    this.#epochs = epochs
    this.#clock = options.clock ?? Date.now
    this.#segments = recovered.segments
    this.recovery = recovered
    this.#logStartOffset = Math.min(Math.max(recovered.segments[0]!.baseOffset, options.logStartOffset ?? 0), recovered.logEndOffset)
    this.#logEndOffset = recovered.logEndOffset
    this.#highWatermark = recovered.logEndOffset
    this.#recoveryPoint = recoveryPoint
    this.#drainOnImmediate = () => {
      this.#drainScheduled = false
      void this.#drain()
    }
    this.#rollTo = baseOffset => this.#roll(baseOffset)
  }

  /** Opens (creating if needed) `<topic>-<partition>` under the data dir and recovers it. */
  static async open (options: PartitionLogOptions): Promise<PartitionLog> {
    const { storage, topic, partition, config, checkpoint } = options
    const dir = `${topic}-${partition}`
    await storage.mkdir(dir)
    const recovered = await recoverLog({
      storage, dir, config, recoveryPoint: checkpoint.get(topic, partition) ?? 0, nowMs: (options.clock ?? Date.now)(),
    })
    // Recovery fsyncs what it validated, so the whole log is now below the recovery point.
    checkpoint.set(topic, partition, recovered.logEndOffset)
    const { cache: epochs } = await LeaderEpochCache.open(storage, dir)
    // A log from before the cache existed (or with a damaged one): rebuilt from the batch headers.
    if (epochs.entries.length === 0 && recovered.logEndOffset > recovered.segments[0]!.baseOffset) {
      for (const entry of await scanEpochs(recovered.segments)) epochs.assign(entry.epoch, entry.startOffset)
    }
    epochs.truncateFromEnd(recovered.logEndOffset)
    return new PartitionLog(options, recovered, recovered.logEndOffset, epochs)
  }

  get logStartOffset (): number { return this.#logStartOffset }
  get logEndOffset (): number { return this.#logEndOffset }
  get highWatermark (): number { return this.#highWatermark }
  get recoveryPoint (): number { return this.#recoveryPoint }
  /** Messages written but not yet known fsynced. */
  get unflushedMessages (): number { return Math.max(0, this.#highWatermark - this.#recoveryPoint) }
  get queuedBytes (): number { return this.#queuedBytes }
  get segmentCount (): number { return this.#segments.length }
  /** The error that took the partition offline, or null. */
  get offlineError (): LogError | null { return this.#offline }

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
    return this.#offline === null && !this.#closing && this.#queuedBytes < this.#config.appendQueueBytesMax
  }

  /** Resolves once the append queue is below its bound again (or the log went offline). */
  whenWritable (): Promise<void> {
    if (this.#queuedBytes < this.#config.appendQueueBytesMax || this.#offline !== null) return Promise.resolve()
    return new Promise(resolve => this.#writableWaiters.push(resolve))
  }

  /**
   * Calls `listener(highWatermark)` after each advance of the high watermark and once when the
   * log goes offline, so parked fetches can wake. Returns the function that unsubscribes.
   */
  onHighWatermark (listener: (highWatermark: number) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /**
   * Appends already-validated batches. Offsets are assigned now, in call order, by patching
   * each batch's header in place; the promise resolves once the batches are written (and
   * fsynced, if the flush policy says so) and the high watermark has passed them.
   */
  append (batches: Buffer[], leaderEpoch: number): Promise<AppendResult> {
    assert.ok(batches.length > 0, 'append needs at least one batch')
    if (this.#offline !== null) return Promise.reject(this.#offline)
    if (this.#closing) return Promise.reject(new LogClosedError(`${this.dir} is closing`))
    let bytes = 0
    for (const batch of batches) {
      if (batch.length > this.#config.segmentBytes) return Promise.reject(new RecordTooLargeError(batch.length, this.#config.segmentBytes))
      bytes += batch.length
    }
    const baseOffset = this.#logEndOffset
    let nextOffset = baseOffset
    for (const batch of batches) {
      patchBatchHeader(batch, nextOffset, leaderEpoch)
      nextOffset += batchRecordCount(batch)
    }
    this.#epochs.assign(leaderEpoch, baseOffset)
    return this.#enqueue(batches, baseOffset, nextOffset, bytes)
  }

  /**
   * A follower's append: the leader's batches exactly as it stored them (offsets and leader
   * epochs kept, CRC checked), which must continue this log's end without a gap. A batch
   * that fails its check rejects the whole call with CORRUPT_MESSAGE and appends nothing.
   */
  appendAsFollower (batches: Buffer[]): Promise<AppendResult> {
    assert.ok(batches.length > 0, 'appendAsFollower needs at least one batch')
    if (this.#offline !== null) return Promise.reject(this.#offline)
    if (this.#closing) return Promise.reject(new LogClosedError(`${this.dir} is closing`))
    const baseOffset = this.#logEndOffset
    let nextOffset = baseOffset
    let bytes = 0
    for (const batch of batches) {
      const check = checkBatch(batch, false)
      if (check.errorCode !== ErrorCode.NONE) return Promise.reject(new CorruptRecordError(`${this.dir}: replicated batch at ${nextOffset}: ${check.reason}`))
      if (batch.length > this.#config.segmentBytes) return Promise.reject(new RecordTooLargeError(batch.length, this.#config.segmentBytes))
      const batchBase = readInt64(batch, 0)
      if (batchBase !== nextOffset) return Promise.reject(new CorruptRecordError(`${this.dir}: replicated batch starts at ${batchBase}, the log continues at ${nextOffset}`))
      nextOffset = batchLastOffset(batch) + 1
      bytes += batch.length
    }
    for (const batch of batches) this.#epochs.assign(batch.readInt32BE(BATCH_OFFSET_LEADER_EPOCH), readInt64(batch, 0))
    return this.#enqueue(batches, baseOffset, nextOffset, bytes)
  }

  #enqueue (batches: Buffer[], baseOffset: number, nextOffset: number, bytes: number): Promise<AppendResult> {
    this.#logEndOffset = nextOffset
    const { promise, resolve, reject } = Promise.withResolvers<AppendResult>()
    this.#queue.push({ batches, baseOffset, lastOffset: nextOffset - 1, bytes, resolve, reject })
    this.#queuedBytes += bytes
    this.#scheduleDrain()
    return promise
  }

  #scheduleDrain (): void {
    if (this.#drainScheduled || this.#draining) return
    this.#drainScheduled = true
    setImmediate(this.#drainOnImmediate)
  }

  async #drain (): Promise<void> {
    this.#draining = true
    try {
      while (this.#offline === null) {
        if (this.#queue.length > 0) {
          this.#inFlight = this.#queue
          this.#queue = []
          await this.#commitGroup(this.#inFlight)
          this.#inFlight = []
        } else if (this.#rollRequested) {
          this.#rollRequested = false
          await this.#rollIdle()
        } else {
          break
        }
      }
    } catch (error) {
      this.#goOffline(error)
    } finally {
      this.#draining = false
      for (const resolve of this.#idleWaiters.splice(0)) resolve()
    }
  }

  // Places the group's batches in segments (rolling as needed), writes each segment's share
  // with one writev, fsyncs if the policy says so, then moves the high watermark and acks.
  async #commitGroup (group: PendingAppend[]): Promise<void> {
    const active = this.#segments[this.#segments.length - 1]!
    const { runs, rolled, bytes } = await placeGroup(group, active, this.#config, this.#clock(), this.#rollTo)
    await writeRuns(runs)
    const groupEndOffset = group[group.length - 1]!.lastOffset + 1
    if (groupEndOffset - this.#recoveryPoint >= this.#config.flushIntervalMessages) await this.#syncDirty()
    // A concurrent background flush may have failed meanwhile: then these appends were already
    // rejected, and the high watermark must stay where it is.
    if (this.#offline !== null) return
    for (const { segment } of runs) segment.readableBytes = segment.writtenBytes
    this.#advanceHighWatermark(groupEndOffset)
    this.#queuedBytes -= bytes
    if (this.#queuedBytes < this.#config.appendQueueBytesMax) for (const resolve of this.#writableWaiters.splice(0)) resolve()
    for (const append of group) append.resolve({ baseOffset: append.baseOffset, lastOffset: append.lastOffset })
    if (rolled.length > 0) void this.#flushInBackground()
  }

  async #roll (baseOffset: number): Promise<Segment> {
    const segment = await Segment.create(this.#storage, this.dir, baseOffset, this.#config, this.#clock())
    this.#segments.push(segment)
    return segment
  }

  #advanceHighWatermark (offset: number): void {
    assert.ok(offset >= this.#highWatermark && offset <= this.#logEndOffset,
      `high watermark ${offset} outside [${this.#highWatermark}, ${this.#logEndOffset}]`)
    this.#highWatermark = offset
    if (this.#offsetWaiters.length > 0) {
      const waiting: OffsetWaiter[] = []
      for (const waiter of this.#offsetWaiters) {
        if (waiter.offset <= offset) waiter.resolve()
        else waiting.push(waiter)
      }
      this.#offsetWaiters = waiting
    }
    notify(this.#listeners, offset)
  }

  // fsync of the log files only (indexes are a cache): the ack path under a flush policy.
  // Oldest first, so what is durable is always a prefix of the log, even across a roll.
  async #syncDirty (): Promise<void> {
    for (const segment of this.#segments.slice()) if (!segment.isSynced) await segment.syncLog()
    this.#updateRecoveryPoint()
  }

  #updateRecoveryPoint (): void {
    let point = this.#segments[this.#segments.length - 1]!.nextOffset
    for (const segment of this.#segments) {
      if (!segment.isSynced) {
        point = segment.syncedNextOffset
        break
      }
    }
    point = Math.max(point, this.#logStartOffset)
    if (point > this.#recoveryPoint) {
      this.#recoveryPoint = point
      this.#checkpoint.set(this.topic, this.partition, point)
    }
  }

  // The active segment is old enough to roll but idle: roll it so retention can delete it.
  async #rollIdle (): Promise<void> {
    const active = this.#segments[this.#segments.length - 1]!
    if (active.writtenBytes === 0 || this.#queue.length > 0) return
    await this.#roll(active.nextOffset)
    void this.#flushInBackground()
  }

  /** fsyncs everything appended before the call (and persists index entries); moves the recovery point. */
  async flush (): Promise<void> {
    if (this.#offline !== null) throw this.#offline
    await this.#waitForHighWatermark(this.#logEndOffset)
    await this.#fullFlush()
  }

  #waitForHighWatermark (offset: number): Promise<void> {
    if (this.#highWatermark >= offset) return Promise.resolve()
    if (this.#offline !== null) return Promise.reject(this.#offline)
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.#offsetWaiters.push({ offset, resolve, reject })
    return promise
  }

  // Full flushes run one at a time, so two never persist the same index entries at once.
  #fullFlush (): Promise<void> {
    const run = this.#flushChain.then(async () => {
      if (this.#offline !== null) throw this.#offline
      try {
        for (const segment of this.#segments.slice()) if (segment.needsFlush) await segment.flush()
      } catch (error) {
        this.#goOffline(error)
        throw this.#offline ?? error
      }
      this.#updateRecoveryPoint()
    })
    this.#flushChain = run.catch(() => {})
    return run
  }

  #flushInBackground (): Promise<void> {
    return this.#fullFlush().catch(() => {})
  }

  /**
   * Raw bytes of whole batches starting with the batch that holds `offset`, at most maxBytes
   * but always one whole batch if there is one (KIP-74), never past the high watermark.
   * offset == highWatermark gives an empty result; outside [logStartOffset, highWatermark]
   * throws OffsetOutOfRangeError.
   */
  async read (offset: number, maxBytes: number): Promise<ReadResult> {
    if (this.#offline !== null) throw this.#offline
    if (offset < this.#logStartOffset || offset > this.#highWatermark) {
      throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#highWatermark)
    }
    if (offset === this.#highWatermark) return { buffers: [], bytes: 0, nextOffset: offset }
    const cursor = this.#cursors.take(offset)
    const segment = cursor?.segment ?? this.#segments[segmentIndexFor(this.#segments, offset)]!
    segment.retain()
    try {
      let positionBytes = cursor?.positionBytes ?? -1
      if (positionBytes < 0) {
        const location = await findBatch(segment, segment.lookupPosition(offset), segment.readableBytes, offset, false)
        if (location === null) throw new KafkaStorageError(`${segment.log.file}: offset ${offset} is below the high watermark but not in its segment`)
        positionBytes = location.positionBytes
      }
      const result = await readBatchesAt(segment, positionBytes, segment.readableBytes, maxBytes, offset)
      this.#cursors.put(segment, result.nextOffset, positionBytes + result.bytes)
      return result
    } catch (error) {
      throw this.#readFailure(error)
    } finally {
      segment.release()
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
    if (this.#offline !== null) throw this.#offline
    if (timestampMs === LATEST_TIMESTAMP) return { offset: this.#highWatermark, timestampMs: -1 }
    if (timestampMs === EARLIEST_TIMESTAMP) return { offset: this.#logStartOffset, timestampMs: -1 }
    const segments = this.#segments.slice()
    for (const segment of segments) segment.retain()
    try {
      return timestampMs === MAX_TIMESTAMP
        ? await findMaxTimestampOffset(segments, this.#highWatermark)
        : await findOffsetByTimestamp(segments, timestampMs)
    } catch (error) {
      throw this.#readFailure(error)
    } finally {
      for (const segment of segments) segment.release()
    }
  }

  /** Deletes the segments retention.ts picks; moves logStartOffset. Returns how many went. */
  async enforceRetention (nowMs: number = this.#clock()): Promise<number> {
    if (this.#offline !== null || this.#closing) return 0
    const plan = planRetention(this.#segments, this.#highWatermark, this.#config, nowMs)
    if (plan.rollActive) {
      this.#rollRequested = true
      this.#scheduleDrain()
    }
    if (plan.deleteCount > 0) await this.#deleteOldest(plan.deleteCount)
    return plan.deleteCount
  }

  /** The leader-epoch cache: (epoch, first offset) pairs, ascending. */
  leaderEpochs (): readonly EpochEntry[] {
    return this.#epochs.entries
  }

  /** Resolves once the leader-epoch checkpoint holds every change so far. */
  leaderEpochsDurable (): Promise<void> {
    return this.#epochs.flushed()
  }

  /**
   * A follower's truncation (KIP-101/279): drops every batch at or above `offset`. An offset
   * inside a batch cuts at that batch's base offset (batches stay whole). Waits for writes in
   * flight; the log end, high watermark and recovery point follow the cut, the epoch cache
   * too, and everything is on disk before it returns. Below the log start it empties the log.
   */
  async truncateTo (offset: number): Promise<void> {
    if (this.#offline !== null) throw this.#offline
    while (this.#draining || this.#drainScheduled) await this.#whenIdle()
    if (offset >= this.#logEndOffset) return
    if (offset <= this.#logStartOffset) return await this.truncateFullyAndStartAt(offset)
    const index = segmentIndexFor(this.#segments, offset)
    const segment = this.#segments[index]!
    const at = await findBatch(segment, segment.lookupPosition(offset), segment.writtenBytes, offset, false)
    const position = at?.positionBytes ?? segment.writtenBytes
    const end = at?.baseOffset ?? segment.nextOffset
    try {
      for (const dropped of this.#segments.splice(index + 1)) await dropped.destroy(this.#storage)
      segment.rewindTo(position, end)
      segment.readableBytes = position
      await segment.log.truncate(position)
      // Durable before returning: a crash must not bring the cut batches back.
      segment.syncedNextOffset = Math.min(segment.syncedNextOffset, end)
      await segment.flush()
    } catch (error) {
      this.#goOffline(error)
      throw this.#offline ?? error
    }
    this.#cutTo(end)
  }

  /** Empties the log and restarts it at `offset` (the leader deleted what this replica lacks). */
  async truncateFullyAndStartAt (offset: number): Promise<void> {
    if (this.#offline !== null) throw this.#offline
    while (this.#draining || this.#drainScheduled) await this.#whenIdle()
    try {
      for (const dropped of this.#segments.splice(0)) await dropped.destroy(this.#storage)
      this.#segments.push(await Segment.create(this.#storage, this.dir, offset, this.#config, this.#clock()))
    } catch (error) {
      this.#goOffline(error)
      throw this.#offline ?? error
    }
    this.#logStartOffset = offset
    this.#epochs.clear()
    this.#cutTo(offset)
  }

  #cutTo (end: number): void {
    this.#logEndOffset = end
    this.#highWatermark = end
    this.#cursors.clear()
    this.#epochs.truncateFromEnd(end)
    if (this.#recoveryPoint > end) this.#recoveryPoint = end
    this.#checkpoint.set(this.topic, this.partition, this.#recoveryPoint)
    notify(this.#listeners, end)
  }

  /** DeleteRecords: offsets below `offset` become unreadable, and segments wholly below it go. */
  async deleteRecordsBefore (offset: number): Promise<number> {
    if (this.#offline !== null) throw this.#offline
    if (offset > this.#highWatermark) throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#highWatermark)
    this.#logStartOffset = Math.max(this.#logStartOffset, offset)
    const wholly = this.#segments.slice(0, -1).filter(segment => segment.nextOffset <= this.#logStartOffset).length
    if (wholly > 0) await this.#deleteOldest(wholly)
    return this.#logStartOffset
  }

  async #deleteOldest (count: number): Promise<void> {
    const deleted = this.#segments.splice(0, count)
    this.#logStartOffset = Math.max(this.#logStartOffset, this.#segments[0]!.baseOffset)
    this.#epochs.truncateFromStart(this.#logStartOffset)
    this.#updateRecoveryPoint()
    try {
      for (const segment of deleted) await segment.destroy(this.#storage)
    } catch (error) {
      this.#goOffline(error)
      throw this.#offline ?? error
    }
  }

  // A failed read fails that request only (KAFKA_STORAGE_ERROR for the partition): the log's
  // state is untouched, so taking the partition offline for it would turn one bad stored
  // batch or one EIO into an outage until restart. Only the write path goes offline.
  #readFailure (error: unknown): LogError {
    this.readFailures++
    return error instanceof LogError ? error : new KafkaStorageError(`${this.dir}: read failed: ${(error as Error).message}`, { cause: error })
  }

  #goOffline (error: unknown): void {
    if (this.#offline !== null) return
    this.#offline = error instanceof LogError ? error : new KafkaStorageError(`${this.dir}: ${(error as Error).message}`, { cause: error })
    const failed = [...this.#inFlight, ...this.#queue]
    this.#inFlight = []
    this.#queue = []
    for (const append of failed) append.reject(this.#offline)
    for (const waiter of this.#offsetWaiters.splice(0)) waiter.reject(this.#offline)
    for (const resolve of this.#writableWaiters.splice(0)) resolve()
    notify(this.#listeners, this.#highWatermark)
  }

  #whenIdle (): Promise<void> {
    if (!this.#draining && !this.#drainScheduled) return Promise.resolve()
    return new Promise(resolve => this.#idleWaiters.push(resolve))
  }

  /** Lets queued appends finish, fsyncs everything, records the recovery point and closes the files. */
  async close (): Promise<void> {
    this.#closing = true
    while (this.#draining || this.#drainScheduled) await this.#whenIdle()
    await this.#flushChain
    await this.#epochs.flushed()
    try {
      if (this.#offline === null) {
        await this.#fullFlush()
        await this.#checkpoint.write()
      }
    } finally {
      this.#offline ??= new LogClosedError(`${this.dir} is closed`)
      await Promise.all(this.#segments.map(segment => segment.close()))
    }
  }

  /**
   * Stops dead, as a crash would: rejects queued appends, closes the files without flushing
   * and leaves the checkpoint as it is. For tests and the in-process chaos harness.
   */
  async halt (): Promise<void> {
    this.#closing = true
    this.#goOffline(new LogClosedError(`${this.dir} was halted`))
    await Promise.all(this.#segments.map(segment => segment.close().catch(() => {})))
  }

  /** Closes the log and removes its files and directory (topic deletion). */
  async delete (): Promise<void> {
    this.#closing = true
    this.#goOffline(new UnknownTopicOrPartitionError(`${this.dir} was deleted`))
    while (this.#draining || this.#drainScheduled) await this.#whenIdle()
    await this.#flushChain
    await this.#epochs.flushed()
    for (const segment of this.#segments) await segment.destroy(this.#storage)
    const leftovers = await this.#storage.list(this.dir)
    for (const entry of leftovers) if (entry.isFile) await this.#storage.unlink(`${this.dir}/${entry.name}`)
    await this.#storage.rmdir(this.dir)
    this.#checkpoint.delete(this.topic, this.partition)
  }
}

// A listener that throws is a programming error: crash (outside our write loop, which would
// otherwise take the partition offline for it) instead of swallowing it.
function notify (listeners: Set<(highWatermark: number) => void>, highWatermark: number): void {
  for (const listener of listeners) {
    try {
      listener(highWatermark)
    } catch (error) {
      queueMicrotask(() => { throw error })
    }
  }
}
