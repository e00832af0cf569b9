// The append path of one partition log: offsets, group commit, the high watermark.
//
// Group commit: append() patches offsets in place and queues the batches; on the next
// setImmediate the queue goes to disk as one writev per segment. While a write is in flight
// new appends queue up and go together in the next write. The queue's byte bound is a
// backpressure signal, not a refusal: append() always takes validated batches (failing or
// delaying one would let a producer's later batches overtake it), and once isUnderBound is
// false the server stops reading the sockets that feed the log until whenWritable()
// resolves, as Kafka stops reading sockets when its request queue is full. What can pile
// up past the bound is limited by the connections' own bounds (requests in flight, request
// memory).
//
// This module owns the log end offset and the high watermark; the partition log owns the
// log's status (offline, closing, truncating) and tells it through the options, and moves
// both offsets down only through cutEnd / restartAt / lowerHighWatermark (truncation).

import assert from 'node:assert/strict'
import { batchRecordCount, patchBatchHeader } from '../protocol/record-batch.ts'
import { AppendQueue } from './append-queue.ts'
import type { LogConfig } from './config.ts'
import { RecordTooLargeError } from './errors.ts'
import type { LogError } from './errors.ts'
import { placeGroup, writeRuns } from './group-commit.ts'
import type { AppendResult, PendingAppend } from './group-commit.ts'
import { HighWatermarkWatch } from './high-watermark-watch.ts'
import type { LeaderEpochCache } from './leader-epoch-cache.ts'
import type { LogFlusher } from './log-flusher.ts'
import type { LogPlace, PartitionStatus } from './partition-status.ts'
import { Segment } from './segment.ts'
import { checkFollowerBatches } from './truncation.ts'

export interface LogAppenderOptions {
  place: LogPlace
  status: PartitionStatus
  /** The partition log's segments, oldest first; a roll pushes the new one. */
  segments: Segment[]
  epochs: LeaderEpochCache
  flusher: LogFlusher
  /** Where the log ends now (everything recovered is below the high watermark). */
  logEndOffset: number
  /** Why appends are refused now (offline, closing, being truncated), or null. */
  refusal: () => LogError | null
  /** A truncation is pending: no group is written until it is done. */
  paused: () => boolean
}

export class LogAppender {
  readonly #options: LogAppenderOptions
  readonly #segments: Segment[]
  readonly #config: Readonly<LogConfig>
  readonly #epochs: LeaderEpochCache
  readonly #flusher: LogFlusher
  readonly #appends: AppendQueue
  readonly #watch = new HighWatermarkWatch()
  readonly #rollTo: (baseOffset: number) => Promise<Segment>
  #logEndOffset: number
  #highWatermark: number
  /** Bytes written since the last background fsync was started (bytesPerSync). */
  #unsyncedBytes = 0
  /** Background fsyncs started by this appender and not settled yet. */
  #syncsRunning = 0

  constructor (options: LogAppenderOptions) {
    this.#options = options
    this.#segments = options.segments
    this.#config = options.place.config
    this.#epochs = options.epochs
    this.#flusher = options.flusher
    this.#logEndOffset = options.logEndOffset
    this.#highWatermark = options.logEndOffset
    this.#appends = new AppendQueue(this.#config.appendQueueBytesMax, {
      commit: group => this.#commitGroup(group),
      rollIdle: () => this.#rollIdle(),
      paused: options.paused,
      stopped: () => options.status.offline !== null,
      onError: error => { options.status.goOffline(error) },
    })
    this.#rollTo = baseOffset => this.#roll(baseOffset)
  }

  get logEndOffset (): number { return this.#logEndOffset }
  get highWatermark (): number { return this.#highWatermark }
  get queuedBytes (): number { return this.#appends.queuedBytes }
  get isUnderBound (): boolean { return this.#appends.isUnderBound }

  whenWritable (): Promise<void> { return this.#appends.whenWritable() }
  /** Resolves once no group is queued or being written. */
  whenIdle (): Promise<void> { return this.#appends.whenIdle() }
  /** Retention wants the idle active segment rolled (between groups). */
  requestRoll (): void { this.#appends.requestRoll() }

  /** After a truncation: appends that queued up meanwhile go out now. */
  resume (): void {
    if (this.#appends.waiting > 0) this.#appends.schedule()
  }

  onHighWatermark (listener: (highWatermark: number) => void): () => void {
    return this.#watch.subscribe(listener)
  }

  waitForHighWatermark (offset: number): Promise<void> {
    if (this.#highWatermark >= offset) return Promise.resolve()
    const offline = this.#options.status.offline
    if (offline !== null) return Promise.reject(offline)
    return this.#watch.waitFor(offset)
  }

  append (batches: Buffer[], leaderEpoch: number): Promise<AppendResult> {
    assert.ok(batches.length > 0, 'append needs at least one batch')
    const refusal = this.#options.refusal()
    if (refusal !== null) return Promise.reject(refusal)
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
    this.#logEndOffset = nextOffset
    this.#epochs.assign(leaderEpoch, baseOffset)
    return this.#enqueue(batches, baseOffset, nextOffset, bytes)
  }

  appendAsFollower (batches: Buffer[]): Promise<AppendResult> {
    assert.ok(batches.length > 0, 'appendAsFollower needs at least one batch')
    const refusal = this.#options.refusal()
    if (refusal !== null) return Promise.reject(refusal)
    let checked
    try {
      checked = checkFollowerBatches(batches, this.#logEndOffset, this.#config.segmentBytes)
    } catch (error) {
      return Promise.reject(error)
    }
    const baseOffset = this.#logEndOffset
    this.#logEndOffset = checked.endOffset
    for (const { baseOffset: start, epoch } of checked.epochs) this.#epochs.assign(epoch, start)
    return this.#enqueue(batches, baseOffset, checked.endOffset, checked.bytes)
  }

  /** A truncation cut the log at `endOffset`. */
  cutEnd (endOffset: number): void {
    this.#logEndOffset = endOffset
  }

  /** The log restarted, empty, at `offset`. */
  restartAt (offset: number): void {
    this.#logEndOffset = offset
    this.#highWatermark = offset
  }

  /** After the end moved down: the high watermark follows it. */
  lowerHighWatermark (): void {
    this.#highWatermark = Math.min(this.#highWatermark, this.#logEndOffset)
  }

  /** Tells waiters and listeners the end moved down (last step of a truncation). */
  announceTruncation (): void {
    this.#watch.truncated(this.#logEndOffset, this.#highWatermark)
  }

  /** The log went offline: every pending append fails, and waiters and listeners hear it. */
  failed (error: LogError): void {
    this.#appends.failAll(error)
    this.#watch.failed(error, this.#highWatermark)
  }

  #enqueue (batches: Buffer[], baseOffset: number, endOffset: number, bytes: number): Promise<AppendResult> {
    const { promise, resolve, reject } = Promise.withResolvers<AppendResult>()
    this.#appends.push({ batches, baseOffset, lastOffset: endOffset - 1, bytes, resolve, reject })
    return promise
  }

  // Places the group's batches in segments (rolling as needed), writes each segment's share
  // with one writev, fsyncs if the policy says so, then moves the high watermark and acks.
  async #commitGroup (group: PendingAppend[]): Promise<void> {
    const active = this.#segments[this.#segments.length - 1]!
    const { runs, rolled, bytes } = await placeGroup(group, active, this.#config, this.#options.place.clock(), this.#rollTo)
    await writeRuns(runs)
    const groupEndOffset = group[group.length - 1]!.lastOffset + 1
    if (groupEndOffset - this.#flusher.recoveryPoint >= this.#config.flushIntervalMessages) await this.#flusher.syncDirty()
    // A new leader epoch is on disk before any batch of it is acknowledged.
    if (this.#epochs.dirty) await this.#epochs.flush()
    // A concurrent background flush may have failed meanwhile: then these appends were already
    // rejected, and the high watermark must stay where it is.
    if (this.#options.status.offline !== null) return
    for (const { segment } of runs) segment.readableBytes = segment.writtenBytes
    this.#advanceHighWatermark(groupEndOffset)
    this.#appends.release(bytes)
    for (const append of group) append.resolve({ baseOffset: append.baseOffset, lastOffset: append.lastOffset })
    this.#unsyncedBytes += bytes
    const behind = this.#config.bytesPerSync > 0 && this.#unsyncedBytes >= this.#config.bytesPerSync
    if (rolled.length > 0 || (behind && this.#syncsRunning === 0)) this.#syncInBackground()
  }

  // Rolled segments are flushed in the background, as Kafka does; so is a partition that
  // wrote bytesPerSync since its last fsync, but not while one runs: a slow disk does not
  // pile them up. Background fsyncs of all partitions take turns (sync-gate.ts).
  #syncInBackground (): void {
    this.#unsyncedBytes = 0
    this.#syncsRunning++
    void this.#flusher.flushInBackground().finally(() => { this.#syncsRunning-- })
  }

  async #roll (baseOffset: number): Promise<Segment> {
    const segment = await Segment.create(this.#options.place.storage, this.#options.place.dir, baseOffset, this.#config, this.#options.place.clock())
    this.#segments.push(segment)
    return segment
  }

  #advanceHighWatermark (offset: number): void {
    assert.ok(offset >= this.#highWatermark && offset <= this.#logEndOffset,
      `high watermark ${offset} outside [${this.#highWatermark}, ${this.#logEndOffset}]`)
    this.#highWatermark = offset
    this.#watch.advanced(offset)
  }

  // The active segment is old enough to roll but idle: roll it so retention can delete it.
  async #rollIdle (): Promise<void> {
    const active = this.#segments[this.#segments.length - 1]!
    if (active.writtenBytes === 0 || this.#appends.waiting > 0) return
    await this.#roll(active.nextOffset)
    void this.#flusher.flushInBackground()
  }
}
