// Turns the records blob of a Fetch response into records for the caller. Batches that
// end before the requested offset are skipped whole; records below it inside a batch are
// dropped (the broker returns whole batches); control batches (transaction markers) are
// never delivered but still move the position past them. Keys, values and header values
// are views into the response frame, not copies.

import { ProtocolError, Reader } from '../protocol/reader.ts'
import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES,
  BATCH_OFFSET_BASE_TIMESTAMP, BATCH_OFFSET_MAX_TIMESTAMP, BATCH_OFFSET_RECORDS_COUNT,
  batchBaseOffset, batchLastOffset, isControlBatch, splitBatches,
} from '../protocol/record-batch.ts'
import { batchRecordsSection } from './compression.ts'

/** Header names to Buffer values, as the drivers' RecordHeaders. */
export interface HeaderMap {
  [name: string]: Buffer
}

export interface FetchedRecord {
  topic: string
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: HeaderMap
  /** The record's timestamp (CreateTime from the producer, or LogAppendTime), ms. */
  timestampMs: number
}

const EMPTY = Buffer.alloc(0)

function readVarBytes (r: Reader): Buffer | null {
  const length = r.readVarInt()
  return length < 0 ? null : r.readRaw(length)
}

/** Decodes the records of one batch whose records section is `section`. */
function decodeRecords (batch: Buffer, section: Buffer, topic: string, partition: number, fromOffset: number, out: FetchedRecord[]): void {
  const baseOffset = batchBaseOffset(batch)
  const logAppendTime = (batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_TIMESTAMP_TYPE) !== 0
  const baseTimestamp = Number(batch.readBigInt64BE(BATCH_OFFSET_BASE_TIMESTAMP))
  const maxTimestamp = Number(batch.readBigInt64BE(BATCH_OFFSET_MAX_TIMESTAMP))
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  const r = new Reader(section)
  for (let i = 0; i < count && r.remaining > 0; i++) {
    const length = r.readVarInt()
    const end = r.offset + length
    r.readInt8()
    const timestampDelta = r.readVarLong()
    const offset = baseOffset + r.readVarInt()
    if (offset < fromOffset) {
      r.offset = end
      continue
    }
    const key = readVarBytes(r)
    const value = readVarBytes(r)
    const headerCount = r.readVarInt()
    const headers: HeaderMap = {}
    for (let h = 0; h < headerCount; h++) {
      const name = readVarBytes(r)
      headers[name === null ? '' : name.toString('utf8')] = readVarBytes(r) ?? EMPTY
    }
    r.offset = end
    out.push({ topic, partition, offset, key, value, headers, timestampMs: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta })
  }
}

/**
 * Calls `visit` with every non-control batch at or after `fromOffset` and its (decompressed)
 * records section, and returns the offset to fetch next (past every whole batch seen,
 * delivered or not); `fromOffset` when nothing whole arrived.
 */
async function walkBatches (records: Buffer | null, fromOffset: number, visit: (batch: Buffer, section: Buffer) => void): Promise<number> {
  if (records === null || records.length === 0) return fromOffset
  let next = fromOffset
  for (const batch of splitBatches(records)) {
    if (batch.length < BATCH_HEADER_BYTES) break
    const last = batchLastOffset(batch)
    if (last < fromOffset) continue
    if (!isControlBatch(batch)) {
      const compressed = (batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK) !== 0
      visit(batch, compressed ? await batchRecordsSection(batch) : batch.subarray(BATCH_HEADER_BYTES))
    }
    if (last + 1 > next) next = last + 1
  }
  return next
}

/** Appends the records at or after `fromOffset` to `out`; returns the offset to fetch next. */
export function decodeFetchedRecords (records: Buffer | null, topic: string, partition: number, fromOffset: number, out: FetchedRecord[]): Promise<number> {
  return walkBatches(records, fromOffset, (batch, section) => { decodeRecords(batch, section, topic, partition, fromOffset, out) })
}

/**
 * What a benchmark consumer needs of each record, without building it: the value's size and
 * the 8-byte big-endian µs timestamp in the header named `headerName` (null when absent or
 * of another length). Nothing is allocated per record (no record object, no Buffer views,
 * no header strings), which decodeFetchedRecords does and which dominated the consumer's
 * garbage at high rates.
 */
export type TimedRecordVisitor = (valueBytes: number, headerTimestampUs: number | null) => void

export function scanTimedRecords (records: Buffer | null, fromOffset: number, headerName: Buffer, visit: TimedRecordVisitor): Promise<number> {
  return walkBatches(records, fromOffset, (batch, section) => { scanBatch(batch, section, fromOffset, headerName, visit) })
}

const TWO_POW_32 = 2 ** 32
const TIMESTAMP_BYTES = 8

function sameBytes (buffer: Buffer, at: number, name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) if (buffer[at + i] !== name[i]) return false
  return true
}

function scanBatch (batch: Buffer, section: Buffer, fromOffset: number, headerName: Buffer, visit: TimedRecordVisitor): void {
  const baseOffset = batchBaseOffset(batch)
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  const r = new Reader(section)
  for (let i = 0; i < count && r.remaining > 0; i++) {
    const length = r.readVarInt()
    const end = r.offset + length
    r.readInt8()
    r.readVarLong()
    const offset = baseOffset + r.readVarInt()
    if (offset < fromOffset) {
      r.offset = end
      continue
    }
    const keyLength = r.readVarInt()
    if (keyLength > 0) r.offset += keyLength
    const valueLength = r.readVarInt()
    if (valueLength > 0) r.offset += valueLength
    const headerCount = r.readVarInt()
    let timestampUs: number | null = null
    for (let h = 0; h < headerCount; h++) {
      const nameLength = r.readVarInt()
      const named = nameLength === headerName.length && sameBytes(section, r.offset, headerName)
      if (nameLength > 0) r.offset += nameLength
      const valueBytes = r.readVarInt()
      if (named && valueBytes === TIMESTAMP_BYTES && r.offset + TIMESTAMP_BYTES <= end) {
        const us = section.readUInt32BE(r.offset) * TWO_POW_32 + section.readUInt32BE(r.offset + 4)
        timestampUs = us <= Number.MAX_SAFE_INTEGER ? us : null
      }
      if (valueBytes > 0) r.offset += valueBytes
    }
    if (r.offset > end || end > section.length) throw new ProtocolError(`record at offset ${offset} overruns its length`)
    r.offset = end
    visit(valueLength < 0 ? 0 : valueLength, timestampUs)
  }
}
