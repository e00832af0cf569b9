// An in-memory RaftLog for the simulator and unit tests. It models durability explicitly:
// `flush()` makes the current tail durable, `crash()` throws away what was not flushed.
// Truncations and snapshots count as durable at once (the real log writes them through
// an atomic rename before the core proceeds).

import type { RaftLog } from './log.ts'
import type { Entry, OffsetAndEpoch, Snapshot } from './types.ts'

interface EpochStart { epoch: number; startOffset: number }

export class MemoryRaftLog implements RaftLog {
  #entries: Entry[] = []
  #startOffset = 0
  #flushedEnd = 0
  /** Epoch -> first offset, ascending; the leader-epoch-checkpoint of a real log. */
  #epochs: EpochStart[] = []
  #snapshot: Snapshot | null = null

  startOffset (): number { return this.#startOffset }
  endOffset (): number { return this.#startOffset + this.#entries.length }
  flushedEndOffset (): number { return this.#flushedEnd }

  lastEpoch (): number {
    const last = this.#epochs.at(-1)
    if (last !== undefined) return last.epoch
    return this.#snapshot?.epoch ?? 0
  }

  append (entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.offset !== this.endOffset()) throw new Error(`append at ${entry.offset} but the log ends at ${this.endOffset()}`)
      const lastEpoch = this.lastEpoch()
      if (entry.epoch < lastEpoch) throw new Error(`append of epoch ${entry.epoch} after epoch ${lastEpoch}`)
      if (entry.epoch > lastEpoch || this.#epochs.length === 0) this.#epochs.push({ epoch: entry.epoch, startOffset: entry.offset })
      this.#entries.push(entry)
    }
  }

  truncateTo (offset: number): void {
    if (offset >= this.endOffset()) return
    if (offset < this.#startOffset) throw new Error(`truncate to ${offset} below the log start ${this.#startOffset}`)
    this.#entries.length = offset - this.#startOffset
    while (this.#epochs.length > 0 && this.#epochs.at(-1)!.startOffset >= offset) this.#epochs.pop()
    this.#flushedEnd = Math.min(this.#flushedEnd, offset)
  }

  read (fromOffset: number, maxEntries: number): Entry[] {
    if (fromOffset < this.#startOffset || fromOffset > this.endOffset()) throw new Error(`read at ${fromOffset} outside [${this.#startOffset}, ${this.endOffset()}]`)
    const from = fromOffset - this.#startOffset
    return this.#entries.slice(from, from + maxEntries)
  }

  endOffsetForEpoch (epoch: number): OffsetAndEpoch | null {
    for (let i = this.#epochs.length - 1; i >= 0; i--) {
      const held = this.#epochs[i]!
      if (held.epoch <= epoch) {
        const next = this.#epochs[i + 1]
        return { epoch: held.epoch, offset: next === undefined ? this.endOffset() : next.startOffset }
      }
    }
    // Nothing held at or below `epoch`: the snapshot's epoch still answers for its end offset.
    const snap = this.#snapshot
    if (snap !== null && snap.epoch <= epoch) return { epoch: snap.epoch, offset: this.#epochs[0]?.startOffset ?? this.endOffset() }
    if (snap === null && this.#startOffset === 0) return { epoch: 0, offset: this.#epochs[0]?.startOffset ?? this.endOffset() }
    return null
  }

  latestSnapshot (): Snapshot | null { return this.#snapshot }

  storeSnapshot (snapshot: Snapshot): void {
    if (snapshot.endOffset > this.#flushedEnd) throw new Error(`snapshot at ${snapshot.endOffset} beyond the flushed end ${this.#flushedEnd}`)
    if (this.#snapshot !== null && snapshot.endOffset <= this.#snapshot.endOffset) return
    this.#snapshot = snapshot
    const drop = snapshot.endOffset - this.#startOffset
    this.#entries.splice(0, drop)
    this.#startOffset = snapshot.endOffset
    this.#epochs = this.#epochs.filter((e, i) => (this.#epochs[i + 1]?.startOffset ?? Infinity) > snapshot.endOffset)
    if (this.#epochs.length > 0 && this.#epochs[0]!.startOffset < snapshot.endOffset) this.#epochs[0] = { epoch: this.#epochs[0]!.epoch, startOffset: snapshot.endOffset }
    if (this.#entries.length === 0) this.#epochs = []
  }

  installSnapshot (snapshot: Snapshot): void {
    this.#snapshot = snapshot
    this.#entries = []
    this.#epochs = []
    this.#startOffset = snapshot.endOffset
    this.#flushedEnd = snapshot.endOffset
  }

  // --- simulator hooks ---

  /** Makes everything written so far durable. */
  flush (): void { this.#flushedEnd = this.endOffset() }

  /** Flushes up to `offset` only (a flush that was requested before later appends). */
  flushTo (offset: number): void { this.#flushedEnd = Math.max(this.#flushedEnd, Math.min(offset, this.endOffset())) }

  /** A crash: the unflushed tail is gone. */
  crash (): void { this.truncateTo(this.#flushedEnd) }

  /** All entries held (for invariant checks). */
  entries (): readonly Entry[] { return this.#entries }
}
