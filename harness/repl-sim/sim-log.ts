// The simulated partition log of one replica for the replication simulator: one entry per
// offset (the leader epoch it was written in and a value), the leader-epoch cache kept as
// Kafka keeps it, a flushed offset (a crash loses the un-fsynced tail and the cache entries
// above it, as Kafka rebuilds the cache from the surviving segments), and a running prefix
// hash so that "two replicas are byte-identical below an offset" is one comparison per step.

import type { EpochEntry } from '../../broker/cluster/replica/epochs.ts'
import type { LocalLogView } from '../../broker/cluster/replica/follower-state.ts'

export interface LogEntry { readonly epoch: number, readonly value: string }

function hashStep (prev: number, entry: LogEntry): number {
  let h = Math.imul(prev ^ entry.epoch, 0x01000193) >>> 0
  for (let i = 0; i < entry.value.length; i++) h = Math.imul(h ^ entry.value.charCodeAt(i), 0x01000193) >>> 0
  return h
}

export class SimLog implements LocalLogView {
  readonly entries: LogEntry[] = []
  readonly #epochs: EpochEntry[] = []
  /** prefixHash[i] covers entries[0..i-1]. */
  readonly #prefixHash: number[] = [0x811c9dc5]
  /** Offsets below this survive a crash. */
  flushedOffset = 0
  /** Bumped on every truncation: lets the checker know when earlier checks may be stale. */
  truncations = 0

  get logEndOffset (): number { return this.entries.length }
  get epochs (): readonly EpochEntry[] { return this.#epochs }

  /** Hash of the entries below `offset` (offset <= logEndOffset). */
  prefixHash (offset: number): number { return this.#prefixHash[offset]! }

  /** Kafka's LeaderEpochFileCache.assign: an empty epoch left at the log end by a deposed leader gives way. */
  assignEpoch (epoch: number): void {
    let latest = this.#epochs[this.#epochs.length - 1]
    if (latest?.epoch === epoch) return
    while (latest !== undefined && (latest.epoch > epoch || latest.startOffset >= this.entries.length)) {
      if (latest.startOffset < this.entries.length) throw new Error(`epoch ${epoch} appended after records of epoch ${latest.epoch}`)
      this.#epochs.pop()
      latest = this.#epochs[this.#epochs.length - 1]
    }
    this.#epochs.push({ epoch, startOffset: this.entries.length })
  }

  append (entry: LogEntry): void {
    this.assignEpoch(entry.epoch)
    this.entries.push(entry)
    this.#prefixHash.push(hashStep(this.#prefixHash[this.#prefixHash.length - 1]!, entry))
  }

  /** A follower appending a fetch response: up to `maxCount` of the leader's entries from this log's end. */
  appendFrom (leader: SimLog, maxCount: number): number {
    const from = this.entries.length
    const to = Math.min(leader.entries.length, from + maxCount)
    for (let i = from; i < to; i++) this.append(leader.entries[i]!)
    return to - from
  }

  truncateTo (offset: number): void {
    if (offset < this.entries.length) {
      this.entries.length = offset
      this.#prefixHash.length = offset + 1
      this.truncations++
    }
    while (this.#epochs.length > 0 && this.#epochs[this.#epochs.length - 1]!.startOffset >= offset) this.#epochs.pop()
    this.flushedOffset = Math.min(this.flushedOffset, offset)
  }

  flush (): void { this.flushedOffset = this.entries.length }

  /** A crash: the un-fsynced tail is gone. Returns how many entries were lost. */
  loseUnflushedTail (): number {
    const lost = this.entries.length - this.flushedOffset
    this.truncateTo(this.flushedOffset)
    return lost
  }
}
