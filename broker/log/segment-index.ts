// The two sparse indexes of a segment, held in typed arrays for lookups and encoded to the
// `.index` / `.timeindex` files in the same big-endian layout Kafka uses:
//   .index      relativeOffset int32 | position int32                (8 bytes an entry)
//   .timeindex  timestamp int64      | relativeOffset int32          (12 bytes an entry)
//
// Offset index: entry (o, p) says the batch whose base offset is segmentBase + o starts at
// byte p. To find offset x, take the last entry with o <= x and scan batch headers from p.
//
// Time index: entry (t, o) says every batch appended before the entry was added has a
// maxTimestamp <= t, and t was first reached by the batch at relative offset o. Both columns
// strictly increase. To find the first batch with maxTimestamp >= ts, take the last entry
// with t < ts; the answer lies after that batch, so scanning from o is safe.
//
// The files are caches: recovery checks them and rebuilds what is missing from the log.

import assert from 'node:assert/strict'

export const OFFSET_INDEX_ENTRY_BYTES = 8
export const TIME_INDEX_ENTRY_BYTES = 12
const INITIAL_CAPACITY = 64

function grownCapacity (capacity: number, entriesMax: number): number {
  return Math.min(entriesMax, Math.max(INITIAL_CAPACITY, capacity * 2))
}

export class OffsetIndex {
  readonly entriesMax: number
  #relativeOffsets: Int32Array
  #positions: Int32Array
  #count = 0

  constructor (entriesMax: number) {
    assert.ok(Number.isInteger(entriesMax) && entriesMax > 0, `bad entriesMax ${entriesMax}`)
    this.entriesMax = entriesMax
    const capacity = Math.min(INITIAL_CAPACITY, entriesMax)
    this.#relativeOffsets = new Int32Array(capacity)
    this.#positions = new Int32Array(capacity)
  }

  get count (): number {
    return this.#count
  }

  get isFull (): boolean {
    return this.#count >= this.entriesMax
  }

  relativeOffsetAt (index: number): number {
    return this.#relativeOffsets[index]!
  }

  positionAt (index: number): number {
    return this.#positions[index]!
  }

  append (relativeOffset: number, position: number): void {
    const count = this.#count
    assert.ok(count < this.entriesMax, 'offset index is full')
    assert.ok(count === 0 || (relativeOffset > this.#relativeOffsets[count - 1]! && position > this.#positions[count - 1]!),
      `offset index entries must increase: (${relativeOffset}, ${position}) after (${this.#relativeOffsets[count - 1]}, ${this.#positions[count - 1]})`)
    if (count === this.#relativeOffsets.length) {
      const capacity = grownCapacity(count, this.entriesMax)
      const offsets = new Int32Array(capacity)
      offsets.set(this.#relativeOffsets)
      const positions = new Int32Array(capacity)
      positions.set(this.#positions)
      this.#relativeOffsets = offsets
      this.#positions = positions
    }
    this.#relativeOffsets[count] = relativeOffset
    this.#positions[count] = position
    this.#count = count + 1
  }

  /** Index of the last entry with relativeOffset <= target, or -1. */
  floorIndex (relativeOffset: number): number {
    const offsets = this.#relativeOffsets
    let low = 0
    let high = this.#count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (offsets[middle]! <= relativeOffset) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /** Start position of the scan for `relativeOffset`: the floor entry's position, or 0. */
  floorPosition (relativeOffset: number): number {
    const index = this.floorIndex(relativeOffset)
    return index < 0 ? 0 : this.#positions[index]!
  }

  /** Keeps the first `count` entries. */
  truncateTo (count: number): void {
    this.#count = Math.min(this.#count, Math.max(0, count))
  }

  /** Drops every entry whose position is greater than `position`. */
  truncateAfterPosition (position: number): void {
    while (this.#count > 0 && this.#positions[this.#count - 1]! > position) this.#count--
  }

  encode (fromIndex: number, toIndex: number): Buffer {
    const buffer = Buffer.allocUnsafe((toIndex - fromIndex) * OFFSET_INDEX_ENTRY_BYTES)
    for (let i = fromIndex, at = 0; i < toIndex; i++, at += OFFSET_INDEX_ENTRY_BYTES) {
      buffer.writeInt32BE(this.#relativeOffsets[i]!, at)
      buffer.writeInt32BE(this.#positions[i]!, at + 4)
    }
    return buffer
  }

  /**
   * Appends the valid prefix of an index file: entries must increase and point inside the
   * first `logBytes` bytes of the log. Returns how many entries were taken.
   */
  load (file: Buffer, logBytes: number): number {
    const entries = Math.min(Math.floor(file.length / OFFSET_INDEX_ENTRY_BYTES), this.entriesMax - this.#count)
    let taken = 0
    for (let i = 0; i < entries; i++) {
      const relativeOffset = file.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES)
      const position = file.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES + 4)
      const last = this.#count - 1
      const increasing = last < 0 ? relativeOffset >= 0 && position >= 0 : relativeOffset > this.#relativeOffsets[last]! && position > this.#positions[last]!
      if (!increasing || position >= logBytes) break
      this.append(relativeOffset, position)
      taken++
    }
    return taken
  }
}

export class TimeIndex {
  readonly entriesMax: number
  #timestamps: Float64Array
  #relativeOffsets: Int32Array
  #count = 0

  constructor (entriesMax: number) {
    assert.ok(Number.isInteger(entriesMax) && entriesMax > 0, `bad entriesMax ${entriesMax}`)
    this.entriesMax = entriesMax
    const capacity = Math.min(INITIAL_CAPACITY, entriesMax)
    this.#timestamps = new Float64Array(capacity)
    this.#relativeOffsets = new Int32Array(capacity)
  }

  get count (): number {
    return this.#count
  }

  get isFull (): boolean {
    return this.#count >= this.entriesMax
  }

  /** Timestamp of the last entry, or -1. */
  get lastTimestampMs (): number {
    return this.#count === 0 ? -1 : this.#timestamps[this.#count - 1]!
  }

  /** Relative offset of the last entry, or -1. */
  get lastRelativeOffset (): number {
    return this.#count === 0 ? -1 : this.#relativeOffsets[this.#count - 1]!
  }

  timestampAt (index: number): number {
    return this.#timestamps[index]!
  }

  relativeOffsetAt (index: number): number {
    return this.#relativeOffsets[index]!
  }

  append (timestampMs: number, relativeOffset: number): void {
    const count = this.#count
    assert.ok(count < this.entriesMax, 'time index is full')
    assert.ok(count === 0 || (timestampMs > this.#timestamps[count - 1]! && relativeOffset > this.#relativeOffsets[count - 1]!),
      `time index entries must increase: (${timestampMs}, ${relativeOffset}) after (${this.#timestamps[count - 1]}, ${this.#relativeOffsets[count - 1]})`)
    if (count === this.#timestamps.length) {
      const capacity = grownCapacity(count, this.entriesMax)
      const timestamps = new Float64Array(capacity)
      timestamps.set(this.#timestamps)
      const offsets = new Int32Array(capacity)
      offsets.set(this.#relativeOffsets)
      this.#timestamps = timestamps
      this.#relativeOffsets = offsets
    }
    this.#timestamps[count] = timestampMs
    this.#relativeOffsets[count] = relativeOffset
    this.#count = count + 1
  }

  /** Index of the last entry with timestamp < target, or -1. */
  lastBefore (timestampMs: number): number {
    const timestamps = this.#timestamps
    let low = 0
    let high = this.#count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (timestamps[middle]! < timestampMs) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /** Drops every entry whose relative offset is >= `relativeOffset`. */
  truncateFromOffset (relativeOffset: number): void {
    while (this.#count > 0 && this.#relativeOffsets[this.#count - 1]! >= relativeOffset) this.#count--
  }

  encode (fromIndex: number, toIndex: number): Buffer {
    const buffer = Buffer.allocUnsafe((toIndex - fromIndex) * TIME_INDEX_ENTRY_BYTES)
    for (let i = fromIndex, at = 0; i < toIndex; i++, at += TIME_INDEX_ENTRY_BYTES) {
      buffer.writeBigInt64BE(BigInt(this.#timestamps[i]!), at)
      buffer.writeInt32BE(this.#relativeOffsets[i]!, at + 8)
    }
    return buffer
  }

  /** Appends the valid prefix of a time index file: increasing, offsets below `relativeOffsetEnd`. */
  load (file: Buffer, relativeOffsetEnd: number): number {
    const entries = Math.min(Math.floor(file.length / TIME_INDEX_ENTRY_BYTES), this.entriesMax - this.#count)
    let taken = 0
    for (let i = 0; i < entries; i++) {
      const timestampMs = Number(file.readBigInt64BE(i * TIME_INDEX_ENTRY_BYTES))
      const relativeOffset = file.readInt32BE(i * TIME_INDEX_ENTRY_BYTES + 8)
      const last = this.#count - 1
      const increasing = last < 0 ? timestampMs >= 0 && relativeOffset >= 0 : timestampMs > this.#timestamps[last]! && relativeOffset > this.#relativeOffsets[last]!
      if (!increasing || relativeOffset >= relativeOffsetEnd) break
      this.append(timestampMs, relativeOffset)
      taken++
    }
    return taken
  }
}
