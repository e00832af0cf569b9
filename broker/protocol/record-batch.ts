// RecordBatch v2 (magic 2): header offsets, validation, in-place offset assignment, and a
// small encoder/decoder for clients, tests and the HTTP API.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32
//   | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64
//   | producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records
//
// The CRC-32C covers bytes [21, end), so the broker may overwrite baseOffset and
// partitionLeaderEpoch without recomputing it. The log stores batches exactly as received.

import { crc32c } from '@node-rs/crc32'
import { ErrorCode } from './errors.ts'
import { Reader } from './reader.ts'
import { Writer } from './writer.ts'
import { scanRecords } from './record-scan.ts'

export const BATCH_OFFSET_BASE_OFFSET = 0
export const BATCH_OFFSET_LENGTH = 8
export const BATCH_OFFSET_LEADER_EPOCH = 12
export const BATCH_OFFSET_MAGIC = 16
export const BATCH_OFFSET_CRC = 17
export const BATCH_OFFSET_ATTRIBUTES = 21
export const BATCH_OFFSET_LAST_OFFSET_DELTA = 23
export const BATCH_OFFSET_BASE_TIMESTAMP = 27
export const BATCH_OFFSET_MAX_TIMESTAMP = 35
export const BATCH_OFFSET_PRODUCER_ID = 43
export const BATCH_OFFSET_PRODUCER_EPOCH = 51
export const BATCH_OFFSET_BASE_SEQUENCE = 53
export const BATCH_OFFSET_RECORDS_COUNT = 57
export const BATCH_HEADER_BYTES = 61
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const BATCH_LOG_OVERHEAD_BYTES = 12

export const ATTR_COMPRESSION_MASK = 0x07
export const ATTR_TIMESTAMP_TYPE = 0x08
export const ATTR_TRANSACTIONAL = 0x10
export const ATTR_CONTROL = 0x20

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const

export function batchCrc (batch: Buffer): number {
  return crc32c(batch.subarray(BATCH_OFFSET_ATTRIBUTES))
}

/** Total bytes of the batch that starts at `position`, or -1 if the header is cut short. */
export function batchSizeAt (buffer: Buffer, position: number): number {
  if (position + BATCH_LOG_OVERHEAD_BYTES > buffer.length) return -1
  return buffer.readInt32BE(position + BATCH_OFFSET_LENGTH) + BATCH_LOG_OVERHEAD_BYTES
}

export interface BatchCheck {
  errorCode: number
  reason: string
}

const OK: BatchCheck = { errorCode: ErrorCode.NONE, reason: '' }

/**
 * Checks one complete batch as a producer sent it (or as recovery read it back): length,
 * magic, CRC, lastOffsetDelta against the record count, compression codec. Clients may
 * not send control batches.
 */
export function checkBatch (batch: Buffer, fromClient: boolean): BatchCheck {
  const corrupt = (reason: string): BatchCheck => ({ errorCode: ErrorCode.CORRUPT_MESSAGE, reason })
  if (batch.length < BATCH_HEADER_BYTES) return corrupt(`batch of ${batch.length} bytes is shorter than its header`)
  const declared = batch.readInt32BE(BATCH_OFFSET_LENGTH) + BATCH_LOG_OVERHEAD_BYTES
  if (declared !== batch.length) return corrupt(`batchLength says ${declared} bytes, batch has ${batch.length}`)
  const magic = batch.readInt8(BATCH_OFFSET_MAGIC)
  if (magic !== 2) return corrupt(`magic ${magic}, only 2 is supported`)
  const crc = batch.readUInt32BE(BATCH_OFFSET_CRC)
  if (crc !== batchCrc(batch)) return corrupt('CRC-32C mismatch')
  const attributes = batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES)
  if ((attributes & ATTR_COMPRESSION_MASK) > Compression.zstd) return corrupt(`unknown compression ${attributes & ATTR_COMPRESSION_MASK}`)
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  if (count <= 0 || batch.readInt32BE(BATCH_OFFSET_LAST_OFFSET_DELTA) !== count - 1) {
    return corrupt(`lastOffsetDelta ${batch.readInt32BE(BATCH_OFFSET_LAST_OFFSET_DELTA)} does not match ${count} records`)
  }
  if (fromClient && (attributes & ATTR_CONTROL) !== 0) {
    return { errorCode: ErrorCode.INVALID_RECORD, reason: 'clients may not send control batches' }
  }
  return OK
}

// The header's int64 fields, shared with the codec (int64.ts).
export { readInt64, writeInt64 } from './int64.ts'

export function batchRecordCount (batch: Buffer): number {
  return batch.readInt32BE(BATCH_OFFSET_LAST_OFFSET_DELTA) + 1
}

export function batchBaseOffset (batch: Buffer): number {
  return Number(batch.readBigInt64BE(BATCH_OFFSET_BASE_OFFSET))
}

export function batchLastOffset (batch: Buffer): number {
  return batchBaseOffset(batch) + batch.readInt32BE(BATCH_OFFSET_LAST_OFFSET_DELTA)
}

export function batchMaxTimestamp (batch: Buffer): number {
  return Number(batch.readBigInt64BE(BATCH_OFFSET_MAX_TIMESTAMP))
}

/**
 * Assigns the batch its place in the log. Both fields lie outside the CRC. The int64 goes in
 * as two 32-bit halves, exact for any offset below 2^53: a BigInt per batch cost ~3x more
 * (bench/protocol.bench.ts).
 */
export function patchBatchHeader (batch: Buffer, baseOffset: number, leaderEpoch: number): void {
  batch.writeInt32BE(Math.floor(baseOffset / 0x1_0000_0000), BATCH_OFFSET_BASE_OFFSET)
  batch.writeUInt32BE(baseOffset >>> 0, BATCH_OFFSET_BASE_OFFSET + 4)
  batch.writeInt32BE(leaderEpoch, BATCH_OFFSET_LEADER_EPOCH)
}

/** Splits a records blob (as in Produce or Fetch) into whole batches; a cut-off tail is dropped. */
export function splitBatches (records: Buffer): Buffer[] {
  const batches: Buffer[] = []
  let position = 0
  while (position < records.length) {
    const size = batchSizeAt(records, position)
    if (size < BATCH_LOG_OVERHEAD_BYTES || position + size > records.length) break
    batches.push(records.subarray(position, position + size))
    position += size
  }
  return batches
}

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface Record {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  /** Absolute timestamp in ms. */
  timestamp: number
  /** Absolute offset (base offset + delta) when decoded from a placed batch. */
  offset: number
}

export interface EncodeBatchOptions {
  records: ReadonlyArray<Pick<Record, 'key' | 'value'> & { headers?: RecordHeader[], timestamp?: number }>
  baseOffset?: number
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  transactional?: boolean
}

function writeRecord (w: Writer, rec: EncodeBatchOptions['records'][number], delta: number, timestampDelta: number): void {
  const body = new Writer(64)
  body.writeInt8(0).writeVarLong(timestampDelta).writeVarInt(delta)
  if (rec.key === null) body.writeVarInt(-1)
  else body.writeVarInt(rec.key.length).writeRaw(rec.key)
  if (rec.value === null) body.writeVarInt(-1)
  else body.writeVarInt(rec.value.length).writeRaw(rec.value)
  const headers = rec.headers ?? []
  body.writeVarInt(headers.length)
  for (const h of headers) {
    const key = Buffer.from(h.key)
    body.writeVarInt(key.length).writeRaw(key)
    if (h.value === null) body.writeVarInt(-1)
    else body.writeVarInt(h.value.length).writeRaw(h.value)
  }
  const bytes = body.toBuffer()
  w.writeVarInt(bytes.length).writeRaw(bytes)
}

/** Encodes an uncompressed batch with a correct CRC-32C. */
export function encodeRecordBatch (opts: EncodeBatchOptions): Buffer {
  const { records } = opts
  if (records.length === 0) throw new RangeError('a record batch needs at least one record')
  const now = Date.now()
  const timestamps = records.map(r => r.timestamp ?? now)
  const baseTimestamp = Math.min(...timestamps)
  const maxTimestamp = Math.max(...timestamps)
  const body = new Writer(1024)
  records.forEach((rec, i) => writeRecord(body, rec, i, timestamps[i]! - baseTimestamp))
  const recordBytes = body.toBuffer()
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + recordBytes.length)
  batch.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), BATCH_OFFSET_BASE_OFFSET)
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_LENGTH)
  batch.writeInt32BE(-1, BATCH_OFFSET_LEADER_EPOCH)
  batch.writeInt8(2, BATCH_OFFSET_MAGIC)
  batch.writeInt16BE(opts.transactional === true ? ATTR_TRANSACTIONAL : 0, BATCH_OFFSET_ATTRIBUTES)
  batch.writeInt32BE(records.length - 1, BATCH_OFFSET_LAST_OFFSET_DELTA)
  batch.writeBigInt64BE(BigInt(baseTimestamp), BATCH_OFFSET_BASE_TIMESTAMP)
  batch.writeBigInt64BE(BigInt(maxTimestamp), BATCH_OFFSET_MAX_TIMESTAMP)
  batch.writeBigInt64BE(BigInt(opts.producerId ?? -1), BATCH_OFFSET_PRODUCER_ID)
  batch.writeInt16BE(opts.producerEpoch ?? -1, BATCH_OFFSET_PRODUCER_EPOCH)
  batch.writeInt32BE(opts.baseSequence ?? -1, BATCH_OFFSET_BASE_SEQUENCE)
  batch.writeInt32BE(records.length, BATCH_OFFSET_RECORDS_COUNT)
  recordBytes.copy(batch, BATCH_HEADER_BYTES)
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  return batch
}

function readVarBytes (r: Reader): Buffer | null {
  const length = r.readVarInt()
  return length < 0 ? null : r.readRaw(length)
}

/**
 * Decodes the records of a batch, given its records section uncompressed in
 * `section[start, end)` (by default the batch's own bytes after the header: an uncompressed
 * batch). The section is scanned first (record-scan.ts), so a malformed one costs at most
 * one pass over its bytes and throws RangeError saying what is wrong, whatever its header
 * claims. The broker never calls this on the produce or fetch path; it serves the HTTP API,
 * ListOffsets by timestamp, the group coordinator's replay, tests and the harness.
 */
export function decodeRecordBatch (batch: Buffer, section?: Buffer): Record[] {
  const attributes = batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES)
  if (section === undefined && (attributes & ATTR_COMPRESSION_MASK) !== 0) {
    throw new RangeError(`compressed batches (codec ${attributes & ATTR_COMPRESSION_MASK}) need their records section decompressed first`)
  }
  const bytes = section ?? batch
  const start = section === undefined ? BATCH_HEADER_BYTES : 0
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  const scan = scanRecords(bytes, start, bytes.length, count)
  if (scan.problem !== null) throw new RangeError(`malformed batch at offset ${batchBaseOffset(batch)}: ${scan.problem}`)
  const baseOffset = batchBaseOffset(batch)
  const baseTimestamp = Number(batch.readBigInt64BE(BATCH_OFFSET_BASE_TIMESTAMP))
  const r = new Reader(bytes, start)
  const records: Record[] = []
  for (let i = 0; i < count; i++) {
    const length = r.readVarInt()
    const end = r.offset + length
    r.readInt8()
    const timestampDelta = r.readVarLong()
    const offsetDelta = r.readVarInt()
    const key = readVarBytes(r)
    const value = readVarBytes(r)
    const headerCount = r.readVarInt()
    const headers: RecordHeader[] = []
    for (let h = 0; h < headerCount; h++) {
      const hk = readVarBytes(r)
      headers.push({ key: hk === null ? '' : hk.toString('utf8'), value: readVarBytes(r) })
    }
    r.offset = end
    records.push({ key, value, headers, timestamp: baseTimestamp + timestampDelta, offset: baseOffset + offsetDelta })
  }
  return records
}

export function isControlBatch (batch: Buffer): boolean {
  return (batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_CONTROL) !== 0
}
