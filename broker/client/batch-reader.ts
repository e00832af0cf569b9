// Turns the records blob of a Fetch response into records for the caller. Batches that
// end before the requested offset are skipped whole; records below it inside a batch are
// dropped (the broker returns whole batches); control batches (transaction markers) are
// never delivered but still move the position past them. Keys, values and header values
// are views into the response frame, not copies.

import { Reader } from '../protocol/reader.ts'
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
 * Appends the records at or after `fromOffset` to `out` and returns the offset to fetch
 * next (past every whole batch seen, delivered or not); `fromOffset` when nothing whole
 * arrived.
 */
export async function decodeFetchedRecords (records: Buffer | null, topic: string, partition: number, fromOffset: number, out: FetchedRecord[]): Promise<number> {
  if (records === null || records.length === 0) return fromOffset
  let next = fromOffset
  for (const batch of splitBatches(records)) {
    if (batch.length < BATCH_HEADER_BYTES) break
    const last = batchLastOffset(batch)
    if (last < fromOffset) continue
    if (!isControlBatch(batch)) {
      const compressed = (batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK) !== 0
      const section = compressed ? await batchRecordsSection(batch) : batch.subarray(BATCH_HEADER_BYTES)
      decodeRecords(batch, section, topic, partition, fromOffset, out)
    }
    if (last + 1 > next) next = last + 1
  }
  return next
}
