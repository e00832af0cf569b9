// A tiny in-memory partition log for the replication state-machine tests: one entry per
// offset holding the leader epoch it was written in and a value, and a leader-epoch cache
// kept as Kafka keeps it: a new leader assigns its epoch at its log end before writing
// anything, and a truncation drops every cache entry starting at or past the truncation
// offset even when no record goes (Kafka's UnifiedLog.truncateTo does the same, for an epoch
// a deposed leader assigned and never wrote in). Enough to check that replicas agree below
// the HW without the storage layer.

import type { EpochEntry } from '../../../../broker/cluster/replica/epochs.ts'
import type { LocalLogView } from '../../../../broker/cluster/replica/follower-state.ts'

export interface LogEntry { epoch: number, value: string }

export class MemoryReplicaLog implements LocalLogView {
  readonly entries: LogEntry[] = []
  readonly #epochs: EpochEntry[] = []

  static of (...epochsPerOffset: number[]): MemoryReplicaLog {
    const log = new MemoryReplicaLog()
    epochsPerOffset.forEach((epoch, offset) => log.append(epoch, `e${epoch}o${offset}`))
    return log
  }

  get logEndOffset (): number { return this.entries.length }
  get epochs (): readonly EpochEntry[] { return this.#epochs }

  /**
   * A new leader's first act, and every append: `epoch` starts at the log end unless it is
   * already the latest. Like Kafka's LeaderEpochFileCache.assign, an empty epoch left at the
   * log end by a deposed leader gives way; an older epoch after records of a newer one is a bug.
   */
  assignEpoch (epoch: number): void {
    let latest = this.#epochs[this.#epochs.length - 1]
    if (latest?.epoch === epoch) return
    while (latest !== undefined && (latest.epoch > epoch || latest.startOffset >= this.entries.length)) {
      if (latest.startOffset < this.entries.length) throw new Error(`epoch ${epoch} after records of epoch ${latest.epoch}`)
      this.#epochs.pop()
      latest = this.#epochs[this.#epochs.length - 1]
    }
    this.#epochs.push({ epoch, startOffset: this.entries.length })
  }

  append (epoch: number, value: string): void {
    this.assignEpoch(epoch)
    this.entries.push({ epoch, value })
  }

  /** Copies up to `maxCount` of the leader's entries from this log's end, as a follower appends a fetch response. */
  appendFrom (leader: MemoryReplicaLog, maxCount = Infinity): number {
    const from = this.entries.length
    const to = Math.min(leader.entries.length, from + maxCount)
    for (let i = from; i < to; i++) this.append(leader.entries[i]!.epoch, leader.entries[i]!.value)
    return to - from
  }

  truncateTo (offset: number): void {
    if (offset < this.entries.length) this.entries.length = offset
    while (this.#epochs.length > 0 && this.#epochs[this.#epochs.length - 1]!.startOffset >= offset) this.#epochs.pop()
  }
}
