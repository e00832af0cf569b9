// The flush side of one partition log: fsyncs, the recovery point, and the chain that keeps
// full flushes and truncations one at a time.
//
// Flush policy (Kafka's keys): flushIntervalMessages = N fsyncs before resolving the group
// that brings the unflushed count to N (1: every append waits for fsync); flushIntervalMs
// is driven by the log manager calling flush(). Rolled segments are flushed in the
// background, as Kafka does, one log at a time per Storage (sync-gate.ts). The recovery
// point moves after each fsync; the log manager persists it in the checkpoint file.
//
// The partition log owns the segments; a failed fsync takes the partition offline through
// the shared PartitionStatus (partition-status.ts).

import type { OffsetCheckpointFile } from './checkpoint.ts'
import type { PartitionStatus } from './partition-status.ts'
import type { Segment } from './segment.ts'
import type { SyncGate } from './sync-gate.ts'

export interface LogFlusherOptions {
  topic: string
  partition: number
  /** The partition log's segments, oldest first; the log changes the array in place. */
  segments: readonly Segment[]
  checkpoint: OffsetCheckpointFile
  /** Everything below it is fsynced (what recovery validated at open). */
  recoveryPoint: number
  logStartOffset: () => number
  status: PartitionStatus
  /** Slots for background fsyncs, shared by every log of the Storage (sync-gate.ts). */
  backgroundSyncs: SyncGate
}

export class LogFlusher {
  readonly #options: LogFlusherOptions
  readonly #segments: readonly Segment[]
  #recoveryPoint: number
  #chain: Promise<void> = Promise.resolve()

  constructor (options: LogFlusherOptions) {
    this.#options = options
    this.#segments = options.segments
    this.#recoveryPoint = options.recoveryPoint
  }

  get recoveryPoint (): number { return this.#recoveryPoint }

  /** Settles once every full flush and serialized piece of work started so far has. */
  get settled (): Promise<void> { return this.#chain }

  /**
   * Runs `work` after every full flush and serialized work started before it, so two never
   * persist the same index entries at once and a truncation never runs under a flush.
   */
  serialize<T> (work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work)
    this.#chain = run.then(() => {}, () => {})
    return run
  }

  // fsync of the log files only (indexes are a cache): the ack path under a flush policy.
  // Oldest first, so what is durable is always a prefix of the log, even across a roll.
  async syncDirty (): Promise<void> {
    for (const segment of this.#segments.slice()) if (!segment.isSynced) await segment.syncLog()
    this.updateRecoveryPoint()
  }

  /** fsyncs every segment that needs it (index entries too); a failure takes the log offline. */
  fullFlush (): Promise<void> {
    return this.serialize(() => this.#flushAll())
  }

  /**
   * fullFlush once one of the background-sync slots is free: rolled segments and
   * bytesPerSync. It joins this log's serial chain only with the slot in hand, so the
   * chain (flush(), truncations, close) never waits for other logs' fsyncs; one that runs
   * after a close finds the log offline and does nothing. A failure has taken the log
   * offline already; nobody waits on the promise.
   */
  flushInBackground (): Promise<void> {
    return this.#options.backgroundSyncs.run(() => this.serialize(() => this.#flushAll())).catch(() => {})
  }

  async #flushAll (): Promise<void> {
    this.#options.status.throwIfOffline()
    try {
      for (const segment of this.#segments.slice()) if (segment.needsFlush) await segment.flush()
    } catch (error) {
      throw this.#options.status.goOffline(error)
    }
    this.updateRecoveryPoint()
  }

  updateRecoveryPoint (): void {
    let point = this.#segments[this.#segments.length - 1]!.nextOffset
    for (const segment of this.#segments) {
      if (!segment.isSynced) {
        point = segment.syncedNextOffset
        break
      }
    }
    point = Math.max(point, this.#options.logStartOffset())
    if (point > this.#recoveryPoint) {
      this.#recoveryPoint = point
      this.#options.checkpoint.set(this.#options.topic, this.#options.partition, point)
    }
  }

  /** After the log end moved down: the recovery point follows it, and the checkpoint records it. */
  lowerRecoveryPoint (endOffset: number): void {
    this.#recoveryPoint = Math.min(this.#recoveryPoint, endOffset)
    this.#options.checkpoint.set(this.#options.topic, this.#options.partition, this.#recoveryPoint)
  }

  /** The log restarted, empty, at `offset` (truncateFullyAndStartAt). */
  resetRecoveryPoint (offset: number): void {
    this.#recoveryPoint = offset
  }
}
