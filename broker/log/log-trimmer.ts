// Cutting one partition log at either end.
//
// At the end, for replication: truncateTo cuts a divergent tail on a batch boundary
// (truncation.ts), truncateFullyAndStartAt drops everything. Both run exclusively: appends
// are refused from the call on, the queued ones are written first, and the cut runs on the
// flusher's chain so no flush runs under it.
// At the start: retention (retention.ts) and DeleteRecords move the log start offset and
// delete the segments wholly below it.
//
// This module owns the log start offset and the truncation gate; the append path
// (log-appender.ts) and the flusher (log-flusher.ts) follow its cuts.

import assert from 'node:assert/strict'
import type { OffsetCheckpointFile } from './checkpoint.ts'
import { OffsetOutOfRangeError } from './errors.ts'
import type { LeaderEpochCache } from './leader-epoch-cache.ts'
import type { LogAppender } from './log-appender.ts'
import type { LogFlusher } from './log-flusher.ts'
import type { LogPlace, PartitionStatus } from './partition-status.ts'
import type { ReadCursors } from './log-reader.ts'
import { planRetention } from './retention.ts'
import { Segment } from './segment.ts'
import { cutSegments } from './truncation.ts'

export interface LogTrimmerOptions {
  place: LogPlace
  status: PartitionStatus
  checkpoint: OffsetCheckpointFile
  /** The partition log's segments, oldest first; cuts change the array in place. */
  segments: Segment[]
  epochs: LeaderEpochCache
  appender: LogAppender
  flusher: LogFlusher
  /** The reads' positions, stale once the end moves down. */
  cursors: ReadCursors
  logStartOffset: number
}

export class LogTrimmer {
  readonly #options: LogTrimmerOptions
  readonly #segments: Segment[]
  readonly #epochs: LeaderEpochCache
  readonly #appender: LogAppender
  readonly #flusher: LogFlusher
  #logStartOffset: number
  /** Truncations asked for and not yet done: while any is, appends are refused and no group is written. */
  #truncationsPending = 0
  /** Truncations run one after another. */
  #exclusiveTail: Promise<void> = Promise.resolve()

  constructor (options: LogTrimmerOptions) {
    this.#options = options
    this.#segments = options.segments
    this.#epochs = options.epochs
    this.#appender = options.appender
    this.#flusher = options.flusher
    this.#logStartOffset = options.logStartOffset
  }

  get logStartOffset (): number { return this.#logStartOffset }
  /** A truncation is asked for and not done yet. */
  get truncating (): boolean { return this.#truncationsPending > 0 }

  async truncateTo (offset: number): Promise<number> {
    this.#options.status.throwIfOffline()
    if (offset < this.#logStartOffset) throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#appender.logEndOffset)
    return this.#exclusively(async () => {
      if (offset >= this.#appender.logEndOffset) return this.#appender.logEndOffset
      if (offset < this.#logStartOffset) throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#appender.logEndOffset)
      const endOffset = await cutSegments(this.#segments, this.#options.place.storage, offset)
      this.#appender.cutEnd(endOffset)
      this.#epochs.truncateFromEnd(endOffset)
      await this.#afterReset()
      return endOffset
    })
  }

  async truncateFullyAndStartAt (offset: number): Promise<void> {
    this.#options.status.throwIfOffline()
    assert.ok(Number.isSafeInteger(offset) && offset >= 0, `bad start offset ${offset}`)
    const { storage, dir, config, clock } = this.#options.place
    await this.#exclusively(async () => {
      for (const segment of this.#segments.splice(0).reverse()) await segment.destroy(storage)
      this.#segments.push(await Segment.create(storage, dir, offset, config, clock()))
      this.#logStartOffset = offset
      this.#appender.restartAt(offset)
      this.#flusher.resetRecoveryPoint(offset)
      this.#epochs.clear()
      await this.#afterReset()
    })
  }

  // Runs `work` with new appends refused, once the queued ones are written and no flush runs.
  // Appends are refused from the call on (synchronously), so none can take an offset the cut removes.
  async #exclusively<T> (work: () => Promise<T>): Promise<T> {
    this.#truncationsPending++
    const previous = this.#exclusiveTail
    const { promise: done, resolve: release } = Promise.withResolvers<void>()
    this.#exclusiveTail = done
    try {
      await previous
      await this.#appender.whenIdle()
      return await this.#flusher.serialize(async () => {
        this.#options.status.throwIfOffline()
        try {
          return await work()
        } catch (error) {
          // A refused request leaves the log as it was; a failed file operation takes it offline.
          if (error instanceof OffsetOutOfRangeError) throw error
          throw this.#options.status.goOffline(error)
        }
      })
    } finally {
      this.#truncationsPending--
      release()
      this.#appender.resume()
    }
  }

  // After the end moved down: offsets, cursors, waiters, files.
  async #afterReset (): Promise<void> {
    const endOffset = this.#appender.logEndOffset
    this.#appender.lowerHighWatermark()
    this.#flusher.lowerRecoveryPoint(endOffset)
    this.#options.cursors.clear()
    this.#appender.announceTruncation()
    await this.#epochs.flush()
    await this.#options.checkpoint.write()
  }

  async enforceRetention (nowMs: number): Promise<number> {
    if (this.#options.status.offline !== null || this.#options.status.closing || this.#truncationsPending > 0) return 0
    const plan = planRetention(this.#segments, this.#appender.highWatermark, this.#options.place.config, nowMs)
    if (plan.rollActive) {
      this.#appender.requestRoll()
    }
    if (plan.deleteCount > 0) await this.#deleteOldest(plan.deleteCount)
    return plan.deleteCount
  }

  async deleteRecordsBefore (offset: number): Promise<number> {
    this.#options.status.throwIfOffline()
    if (offset > this.#appender.highWatermark) throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#appender.highWatermark)
    this.#logStartOffset = Math.max(this.#logStartOffset, offset)
    const wholly = this.#segments.slice(0, -1).filter(segment => segment.nextOffset <= this.#logStartOffset).length
    if (wholly > 0) await this.#deleteOldest(wholly)
    await this.#trimEpochsToStart()
    return this.#logStartOffset
  }

  async #deleteOldest (count: number): Promise<void> {
    const deleted = this.#segments.splice(0, count)
    this.#logStartOffset = Math.max(this.#logStartOffset, this.#segments[0]!.baseOffset)
    this.#flusher.updateRecoveryPoint()
    try {
      for (const segment of deleted) await segment.destroy(this.#options.place.storage)
      await this.#trimEpochsToStart()
    } catch (error) {
      throw this.#options.status.goOffline(error)
    }
  }

  async #trimEpochsToStart (): Promise<void> {
    this.#epochs.truncateFromStart(this.#logStartOffset)
    if (this.#epochs.dirty) await this.#epochs.flush()
  }
}
