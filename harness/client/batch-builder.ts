// Builds one RecordBatch v2 incrementally: each append writes the record straight into a
// growing buffer (no record objects, no closures), so sealing a batch only fills in the
// 61-byte header and the CRC-32C. This is how the native driver pre-encodes batches while
// they linger, and why its producer costs the broker's measurement so little.
//
//   Record => length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//             keyLength varint, key, valueLength varint, value,
//             headerCount varint, [headerKeyLength varint, headerKey, headerValueLength varint, headerValue]
//
// Batch memory is recycled: a caller done with a sealed batch (the broker acknowledged it)
// hands it back with recycle(), and the next batch is built in it. Allocating a fresh
// buffer per batch (17 KiB at the default batch.size, once per partition per linger) made
// the producer worker collect garbage every few milliseconds at 5,000 msg/s.
//
// The first record's timestamp is the batch's baseTimestamp; later deltas may be negative
// if the clock steps back, which zigzag encoding allows.

import {
  BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_BASE_OFFSET,
  BATCH_OFFSET_BASE_SEQUENCE, BATCH_OFFSET_BASE_TIMESTAMP, BATCH_OFFSET_CRC, BATCH_OFFSET_LAST_OFFSET_DELTA,
  BATCH_OFFSET_LEADER_EPOCH, BATCH_OFFSET_LENGTH, BATCH_OFFSET_MAGIC, BATCH_OFFSET_MAX_TIMESTAMP,
  BATCH_OFFSET_PRODUCER_EPOCH, BATCH_OFFSET_PRODUCER_ID, BATCH_OFFSET_RECORDS_COUNT, batchCrc, writeInt64,
} from '../../broker/protocol/record-batch.ts'
import { TIMESTAMP_HEADER, TIMESTAMP_HEADER_BYTES, writeTimestampHeader } from '../measure/clock.ts'

import type { HeaderMap } from '../../broker/client/batch-reader.ts'

export type { HeaderMap }

// The send-time header's name and value are fixed-size, so a record that carries it
// costs these bytes on top of the caller's headers.
const TIMESTAMP_HEADER_NAME_BYTES = Buffer.byteLength(TIMESTAMP_HEADER)
const TIMESTAMP_HEADER_ENTRY_BYTES = uvarintBytes(zigzag32(TIMESTAMP_HEADER_NAME_BYTES)) + TIMESTAMP_HEADER_NAME_BYTES +
  uvarintBytes(zigzag32(TIMESTAMP_HEADER_BYTES)) + TIMESTAMP_HEADER_BYTES
// Everything of that entry before the value (name length, name, value length), encoded
// once: copying 15 bytes beats encoding a string per record.
const TIMESTAMP_HEADER_PREFIX = timestampHeaderPrefix()

function timestampHeaderPrefix (): Uint8Array {
  const name = Buffer.from(TIMESTAMP_HEADER, 'latin1')
  if (name.length > 63) throw new Error('programmer error: the timestamp header name needs a one-byte varint')
  return Uint8Array.from([zigzag32(name.length), ...name, zigzag32(TIMESTAMP_HEADER_BYTES)])
}

const INITIAL_BYTES_DEFAULT = 16 * 1024
/** Spare buffers a builder keeps for its next batches; more recycled ones are dropped. */
const SPARE_BUFFERS_MAX = 8
const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** Bytes of an unsigned varint. */
function uvarintBytes (v: number): number {
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

function zigzag32 (v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0
}

function varintBytes (v: number): number {
  return uvarintBytes(zigzag32(v))
}

function varlongBytes (v: number): number {
  if (v >= INT32_MIN && v <= INT32_MAX) return varintBytes(v)
  let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n))
  let bytes = 1
  while (z >= 0x80n) { z >>= 7n; bytes++ }
  return bytes
}

export class BatchBuilder {
  #buf: Buffer
  #pos = BATCH_HEADER_BYTES
  #count = 0
  #baseTimestamp = 0
  #maxTimestamp = 0
  readonly #initialBytes: number
  readonly #spare: ArrayBuffer[] = []

  constructor (initialBytes = INITIAL_BYTES_DEFAULT) {
    this.#initialBytes = Math.max(initialBytes, BATCH_HEADER_BYTES + 64)
    // Slow (unpooled) allocation: the buffer owns its ArrayBuffer, so it can be recycled.
    this.#buf = Buffer.allocUnsafeSlow(this.#initialBytes)
  }

  get count (): number {
    return this.#count
  }

  /** Bytes the batch would have if sealed now. */
  get sizeBytes (): number {
    return this.#pos
  }

  /**
   * Appends one record. `sendTimestampUs` >= 0 (the monotonic clock of measure/clock.ts)
   * adds the sluice-ts-us header in clock.ts's encoding without allocating a Buffer for it.
   */
  append (key: Buffer | null, value: Buffer | null, headers: HeaderMap | null | undefined, timestampMs: number, sendTimestampUs = -1): void {
    if (this.#count === 0) {
      this.#baseTimestamp = timestampMs
      this.#maxTimestamp = timestampMs
    } else if (timestampMs > this.#maxTimestamp) {
      this.#maxTimestamp = timestampMs
    }
    const timestampDelta = timestampMs - this.#baseTimestamp
    const offsetDelta = this.#count
    const keyBytes = key === null ? -1 : key.length
    const valueBytes = value === null ? -1 : value.length
    let headerCount = 0
    let headersBytes = 0
    if (headers != null) {
      for (const name in headers) {
        const nameBytes = Buffer.byteLength(name)
        const v = headers[name]!
        headersBytes += varintBytes(nameBytes) + nameBytes + varintBytes(v.length) + v.length
        headerCount++
      }
    }
    if (sendTimestampUs >= 0) {
      headersBytes += TIMESTAMP_HEADER_ENTRY_BYTES
      headerCount++
    }
    const bodyBytes = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta) +
      varintBytes(keyBytes) + Math.max(keyBytes, 0) + varintBytes(valueBytes) + Math.max(valueBytes, 0) +
      varintBytes(headerCount) + headersBytes
    this.#reserve(varintBytes(bodyBytes) + bodyBytes)
    this.#writeVarInt(bodyBytes)
    this.#buf[this.#pos++] = 0
    this.#writeVarLong(timestampDelta)
    this.#writeVarInt(offsetDelta)
    this.#writeVarInt(keyBytes)
    // TypedArray set(): Buffer.copy's argument handling costs more than the copy itself
    // for records of a few hundred bytes.
    if (key !== null) {
      this.#buf.set(key, this.#pos)
      this.#pos += key.length
    }
    this.#writeVarInt(valueBytes)
    if (value !== null) {
      this.#buf.set(value, this.#pos)
      this.#pos += value.length
    }
    this.#writeVarInt(headerCount)
    if (headers != null) {
      for (const name in headers) {
        const v = headers[name]!
        this.#writeVarInt(Buffer.byteLength(name))
        this.#pos += this.#buf.write(name, this.#pos, 'utf8')
        this.#writeVarInt(v.length)
        this.#pos += v.copy(this.#buf, this.#pos)
      }
    }
    if (sendTimestampUs >= 0) {
      const buf = this.#buf
      for (let i = 0; i < TIMESTAMP_HEADER_PREFIX.length; i++) buf[this.#pos++] = TIMESTAMP_HEADER_PREFIX[i]!
      this.#pos += writeTimestampHeader(buf, this.#pos, sendTimestampUs)
    }
    this.#count++
  }

  /**
   * Fills in the header and CRC and returns the batch; the builder starts empty again.
   * The returned buffer is the builder's own memory handed over; it is written again only
   * after the caller gives it back with recycle().
   */
  seal (opts: { producerId?: number, producerEpoch?: number, baseSequence?: number } = {}): Buffer {
    if (this.#count === 0) throw new RangeError('programmer error: sealing an empty batch')
    const batch = this.#buf.subarray(0, this.#pos)
    writeInt64(batch, 0, BATCH_OFFSET_BASE_OFFSET)
    batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_LENGTH)
    batch.writeInt32BE(-1, BATCH_OFFSET_LEADER_EPOCH)
    batch.writeInt8(2, BATCH_OFFSET_MAGIC)
    batch.writeInt16BE(0, BATCH_OFFSET_ATTRIBUTES)
    batch.writeInt32BE(this.#count - 1, BATCH_OFFSET_LAST_OFFSET_DELTA)
    writeInt64(batch, this.#baseTimestamp, BATCH_OFFSET_BASE_TIMESTAMP)
    writeInt64(batch, this.#maxTimestamp, BATCH_OFFSET_MAX_TIMESTAMP)
    writeInt64(batch, opts.producerId ?? -1, BATCH_OFFSET_PRODUCER_ID)
    batch.writeInt16BE(opts.producerEpoch ?? -1, BATCH_OFFSET_PRODUCER_EPOCH)
    batch.writeInt32BE(opts.baseSequence ?? -1, BATCH_OFFSET_BASE_SEQUENCE)
    batch.writeInt32BE(this.#count, BATCH_OFFSET_RECORDS_COUNT)
    batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
    // The next batch goes into recycled memory if there is some; otherwise into fresh
    // memory sized like this one, so a steady stream of similar batches does not regrow
    // from the initial size every time.
    const spare = this.#spare.pop()
    this.#buf = spare !== undefined
      ? Buffer.from(spare)
      : Buffer.allocUnsafeSlow(Math.max(this.#initialBytes, Math.min(this.#buf.length, batch.length * 2)))
    this.#pos = BATCH_HEADER_BYTES
    this.#count = 0
    return batch
  }

  /**
   * Takes back a batch this builder sealed once nothing reads it any more (the broker
   * answered the request that carried it); later batches reuse its memory. A slice of
   * shared memory (Buffer's pool), a buffer smaller than the initial size, and any beyond a
   * few spares are ignored.
   */
  recycle (batch: Buffer): void {
    const memory = batch.buffer
    if (batch.byteOffset !== 0 || !(memory instanceof ArrayBuffer) || memory.byteLength < this.#initialBytes) return
    if (this.#spare.length >= SPARE_BUFFERS_MAX || memory === this.#buf.buffer || this.#spare.includes(memory)) return
    this.#spare.push(memory)
  }

  #reserve (bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#pos + bytes))
    this.#buf.copy(grown, 0, 0, this.#pos)
    this.#buf = grown
  }

  #writeUVarInt (v: number): void {
    const buf = this.#buf
    while (v >= 0x80) {
      buf[this.#pos++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    buf[this.#pos++] = v
  }

  #writeVarInt (v: number): void {
    this.#writeUVarInt(zigzag32(v))
  }

  #writeVarLong (v: number): void {
    if (v >= INT32_MIN && v <= INT32_MAX) {
      this.#writeVarInt(v)
      return
    }
    let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n))
    while (z >= 0x80n) {
      this.#buf[this.#pos++] = Number(z & 0x7fn) | 0x80
      z >>= 7n
    }
    this.#buf[this.#pos++] = Number(z)
  }
}
