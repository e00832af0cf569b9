// A bounds-checked cursor over one request or response body.
//
// Every read checks the remaining length first and throws ProtocolError, which the
// server turns into "close this connection". Array counts are checked against the bytes
// left (each element takes at least one byte) before anything is allocated for them, so a
// hostile length prefix can never make us allocate more than the frame already holds.

import { readInt64 } from './int64.ts'

export class ProtocolError extends Error {
  readonly code = 'ERR_KAFKA_PROTOCOL'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'ProtocolError'
  }
}

export class Reader {
  readonly buffer: Buffer
  offset: number
  readonly end: number

  constructor (buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  get remaining (): number {
    return this.end - this.offset
  }

  #need (bytes: number, what: string): void {
    if (bytes < 0 || this.offset + bytes > this.end) {
      throw new ProtocolError(`truncated ${what}: need ${bytes} bytes at ${this.offset}, have ${this.end - this.offset}`)
    }
  }

  readInt8 (): number {
    this.#need(1, 'int8')
    return this.buffer.readInt8(this.offset++)
  }

  readUInt8 (): number {
    this.#need(1, 'uint8')
    return this.buffer[this.offset++]!
  }

  readBoolean (): boolean {
    return this.readInt8() !== 0
  }

  readInt16 (): number {
    this.#need(2, 'int16')
    const v = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return v
  }

  readInt32 (): number {
    this.#need(4, 'int32')
    const v = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  readUInt32 (): number {
    this.#need(4, 'uint32')
    const v = this.buffer.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  /** int64 as a JS number: offsets, timestamps and producer ids all fit in 2^53. */
  readInt64 (): number {
    this.#need(8, 'int64')
    // No BigInt: Fetch and Produce read several int64s per partition. hi * 2^32 is exact
    // and the sum rounds once, as Number(bigint) would past 2^53.
    const v = readInt64(this.buffer, this.offset)
    this.offset += 8
    return v
  }

  readUuid (): Buffer {
    this.#need(16, 'uuid')
    const v = this.buffer.subarray(this.offset, this.offset + 16)
    this.offset += 16
    return v
  }

  readUnsignedVarInt (): number {
    let value = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const b = this.readUInt8()
      value |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return value >>> 0
      shift += 7
    }
    throw new ProtocolError('unsigned varint longer than 5 bytes')
  }

  /** Zigzag varint as used inside records. */
  readVarInt (): number {
    const raw = this.readUnsignedVarInt()
    return (raw >>> 1) ^ -(raw & 1)
  }

  /** Zigzag varlong; record timestamp deltas. Exact up to 2^53. */
  readVarLong (): number {
    // Up to 7 bytes (49 bits) in a double, which is exact there: this runs once per decoded
    // record, and BigInt arithmetic allocated several heap objects each time. Longer values
    // (rare: deltas past 2^48 µs) take the exact BigInt path.
    const start = this.offset
    let raw = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      const b = this.readUInt8()
      raw += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
      scale *= 128
    }
    this.offset = start
    return this.#readVarLongBig()
  }

  #readVarLongBig (): number {
    let value = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      const b = this.readUInt8()
      value |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return Number((value >> 1n) ^ -(value & 1n))
      shift += 7n
    }
    throw new ProtocolError('varlong longer than 10 bytes')
  }

  #utf8 (length: number, what: string): string {
    this.#need(length, what)
    const v = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return v
  }

  #view (length: number, what: string): Buffer {
    this.#need(length, what)
    const v = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return v
  }

  readNullableString (): string | null {
    const length = this.readInt16()
    if (length < 0) return null
    return this.#utf8(length, 'string')
  }

  readString (): string {
    const v = this.readNullableString()
    if (v === null) throw new ProtocolError('null where a string is required')
    return v
  }

  readCompactNullableString (): string | null {
    const length = this.readUnsignedVarInt() - 1
    if (length < 0) return null
    return this.#utf8(length, 'compact string')
  }

  readCompactString (): string {
    const v = this.readCompactNullableString()
    if (v === null) throw new ProtocolError('null where a compact string is required')
    return v
  }

  /** Bytes as a view into the frame, never a copy. */
  readNullableBytes (): Buffer | null {
    const length = this.readInt32()
    if (length < 0) return null
    return this.#view(length, 'bytes')
  }

  readBytes (): Buffer {
    return this.readNullableBytes() ?? Buffer.alloc(0)
  }

  readCompactNullableBytes (): Buffer | null {
    const length = this.readUnsignedVarInt() - 1
    if (length < 0) return null
    return this.#view(length, 'compact bytes')
  }

  readRaw (length: number): Buffer {
    return this.#view(length, 'raw bytes')
  }

  #checkCount (count: number): void {
    if (count > this.remaining) {
      throw new ProtocolError(`array of ${count} elements cannot fit in ${this.remaining} bytes`)
    }
  }

  readNullableArray<T> (readItem: (r: Reader) => T): T[] | null {
    const count = this.readInt32()
    if (count < 0) return null
    this.#checkCount(count)
    const items = new Array<T>(count)
    for (let i = 0; i < count; i++) items[i] = readItem(this)
    return items
  }

  readArray<T> (readItem: (r: Reader) => T): T[] {
    return this.readNullableArray(readItem) ?? []
  }

  readCompactNullableArray<T> (readItem: (r: Reader) => T): T[] | null {
    const count = this.readUnsignedVarInt() - 1
    if (count < 0) return null
    this.#checkCount(count)
    const items = new Array<T>(count)
    for (let i = 0; i < count; i++) items[i] = readItem(this)
    return items
  }

  readCompactArray<T> (readItem: (r: Reader) => T): T[] {
    return this.readCompactNullableArray(readItem) ?? []
  }

  /** Skips a tagged-field block; we define no tagged fields of our own. */
  skipTaggedFields (): void {
    const count = this.readUnsignedVarInt()
    this.#checkCount(count)
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarInt()
      const size = this.readUnsignedVarInt()
      this.#need(size, 'tagged field')
      this.offset += size
    }
  }
}
