// Builds a message as a list of buffers so large payloads (record batches read from a
// segment) are appended by reference, never copied. Small fields go into a scratch buffer
// that grows by doubling; `finish()` returns the buffers with a 4-byte size prefix ready
// for one writev on the socket.

import { writeInt64 } from './int64.ts'

const SCRATCH_BYTES_INITIAL = 256
// Payloads at least this big are kept as their own chunk instead of being copied.
const CHUNK_BY_REFERENCE_BYTES = 512

export class Writer {
  #chunks: Buffer[] = []
  #chunksBytes = 0
  #scratch: Buffer
  #position = 0
  #scratchStart = 0

  constructor (scratchBytes = SCRATCH_BYTES_INITIAL) {
    this.#scratch = Buffer.allocUnsafe(scratchBytes)
  }

  get length (): number {
    return this.#chunksBytes + this.#position - this.#scratchStart
  }

  #reserve (bytes: number): void {
    if (this.#position + bytes <= this.#scratch.length) return
    this.#sealScratch()
    this.#scratch = Buffer.allocUnsafe(Math.max(this.#scratch.length * 2, bytes))
    this.#position = 0
    this.#scratchStart = 0
  }

  #sealScratch (): void {
    if (this.#position > this.#scratchStart) {
      const piece = this.#scratch.subarray(this.#scratchStart, this.#position)
      this.#chunks.push(piece)
      this.#chunksBytes += piece.length
      this.#scratchStart = this.#position
    }
  }

  writeInt8 (v: number): this {
    this.#reserve(1)
    this.#scratch.writeInt8(v, this.#position)
    this.#position += 1
    return this
  }

  writeUInt8 (v: number): this {
    this.#reserve(1)
    this.#scratch[this.#position++] = v
    return this
  }

  writeBoolean (v: boolean): this {
    return this.writeInt8(v ? 1 : 0)
  }

  writeInt16 (v: number): this {
    this.#reserve(2)
    this.#scratch.writeInt16BE(v, this.#position)
    this.#position += 2
    return this
  }

  writeInt32 (v: number): this {
    this.#reserve(4)
    this.#scratch.writeInt32BE(v, this.#position)
    this.#position += 4
    return this
  }

  writeUInt32 (v: number): this {
    this.#reserve(4)
    this.#scratch.writeUInt32BE(v, this.#position)
    this.#position += 4
    return this
  }

  writeInt64 (v: number | bigint): this {
    this.#reserve(8)
    // A safe integer as two 32-bit halves (no BigInt: a Fetch response writes three per
    // partition); anything else, e.g. a bigint past 2^53, the exact BigInt way.
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      writeInt64(this.#scratch, v, this.#position)
    } else {
      this.#scratch.writeBigInt64BE(BigInt(v), this.#position)
    }
    this.#position += 8
    return this
  }

  writeUuid (v: Buffer | null): this {
    if (v === null) return this.writeRaw(Buffer.alloc(16))
    if (v.length !== 16) throw new RangeError('a uuid is 16 bytes')
    return this.writeRaw(v)
  }

  writeUnsignedVarInt (v: number): this {
    this.#reserve(5)
    let value = v >>> 0
    while (value >= 0x80) {
      this.#scratch[this.#position++] = (value & 0x7f) | 0x80
      value >>>= 7
    }
    this.#scratch[this.#position++] = value
    return this
  }

  writeVarInt (v: number): this {
    return this.writeUnsignedVarInt((v << 1) ^ (v >> 31))
  }

  writeVarLong (v: number | bigint): this {
    this.#reserve(10)
    const big = BigInt(v)
    let value = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n))
    while (value >= 0x80n) {
      this.#scratch[this.#position++] = Number(value & 0x7fn) | 0x80
      value >>= 7n
    }
    this.#scratch[this.#position++] = Number(value)
    return this
  }

  writeRaw (bytes: Buffer): this {
    if (bytes.length >= CHUNK_BY_REFERENCE_BYTES) {
      this.#sealScratch()
      this.#chunks.push(bytes)
      this.#chunksBytes += bytes.length
      return this
    }
    this.#reserve(bytes.length)
    bytes.copy(this.#scratch, this.#position)
    this.#position += bytes.length
    return this
  }

  #writeUtf8 (v: string, writeLength: (bytes: number) => void): this {
    const bytes = Buffer.byteLength(v)
    writeLength(bytes)
    this.#reserve(bytes)
    this.#scratch.write(v, this.#position, 'utf8')
    this.#position += bytes
    return this
  }

  writeNullableString (v: string | null): this {
    if (v === null) return this.writeInt16(-1)
    return this.#writeUtf8(v, bytes => this.writeInt16(bytes))
  }

  writeString (v: string): this {
    return this.writeNullableString(v)
  }

  writeCompactNullableString (v: string | null): this {
    if (v === null) return this.writeUnsignedVarInt(0)
    return this.#writeUtf8(v, bytes => this.writeUnsignedVarInt(bytes + 1))
  }

  writeCompactString (v: string): this {
    return this.writeCompactNullableString(v)
  }

  writeNullableBytes (v: Buffer | null): this {
    if (v === null) return this.writeInt32(-1)
    this.writeInt32(v.length)
    return this.writeRaw(v)
  }

  writeBytes (v: Buffer): this {
    return this.writeNullableBytes(v)
  }

  writeCompactNullableBytes (v: Buffer | null): this {
    if (v === null) return this.writeUnsignedVarInt(0)
    this.writeUnsignedVarInt(v.length + 1)
    return this.writeRaw(v)
  }

  writeNullableArray<T> (items: readonly T[] | null, writeItem: (w: Writer, item: T) => void): this {
    if (items === null) return this.writeInt32(-1)
    this.writeInt32(items.length)
    for (const item of items) writeItem(this, item)
    return this
  }

  writeArray<T> (items: readonly T[], writeItem: (w: Writer, item: T) => void): this {
    return this.writeNullableArray(items, writeItem)
  }

  writeCompactNullableArray<T> (items: readonly T[] | null, writeItem: (w: Writer, item: T) => void): this {
    if (items === null) return this.writeUnsignedVarInt(0)
    this.writeUnsignedVarInt(items.length + 1)
    for (const item of items) writeItem(this, item)
    return this
  }

  writeCompactArray<T> (items: readonly T[], writeItem: (w: Writer, item: T) => void): this {
    return this.writeCompactNullableArray(items, writeItem)
  }

  /** An empty tagged-field block. */
  writeTaggedFields (): this {
    return this.writeUnsignedVarInt(0)
  }

  /** The chunks without a size prefix. */
  buffers (): Buffer[] {
    this.#sealScratch()
    return this.#chunks
  }

  /** One contiguous buffer (copies; for tests and small messages). */
  toBuffer (): Buffer {
    return Buffer.concat(this.buffers())
  }

  /** The chunks preceded by the int32 size prefix of a Kafka frame. */
  finishFrame (): Buffer[] {
    const body = this.buffers()
    const prefix = Buffer.allocUnsafe(4)
    prefix.writeInt32BE(this.#chunksBytes, 0)
    return [prefix, ...body]
  }
}
