// The allocation-free twin of batch-reader.ts for consumers that only count records: it
// walks the records blob of a Fetch response in place and reports, per record, the value's
// size and where one chosen header's value lies, without building a record object, a key
// or value Buffer, a header map or a header-name string. At hundreds of thousands of
// records a second that garbage was what the benchmark consumer spent its time collecting.
//
// Same delivery rules as decodeFetchedRecords: batches ending before `fromOffset` are
// skipped, records below it are dropped, control batches are not delivered but move the
// position. Compressed batches are decompressed first (one buffer per batch, not per
// record). A record that does not fit its batch throws ProtocolError.
//
// The cursor lives in module state (one event loop, and the walk of one batch never
// awaits), so the per-record loop allocates nothing.

import { ProtocolError } from '../protocol/reader.ts'
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_BASE_OFFSET,
  BATCH_OFFSET_LAST_OFFSET_DELTA, BATCH_OFFSET_RECORDS_COUNT, batchSizeAt,
} from '../protocol/record-batch.ts'
import { batchRecordsSection } from './compression.ts'

/**
 * Called once per delivered record. `headerAt` is the offset in `source` of the value of
 * the header the walk looks for (-1 when the record has none), `headerBytes` its length.
 */
export type RecordVisit = (valueBytes: number, source: Buffer, headerAt: number, headerBytes: number) => void

const TWO_POW_32 = 2 ** 32

let at = 0
let limit = 0

function varint (b: Buffer): number {
  let raw = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= limit) break
    const byte = b[at++]!
    raw |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1)
  }
  throw new ProtocolError(`bad varint in a fetched record at ${at}`)
}

/** Skips a varlong (the timestamp delta: not needed for counting). */
function skipVarlong (b: Buffer): void {
  for (let i = 0; i < 10 && at < limit; i++) if ((b[at++]! & 0x80) === 0) return
  throw new ProtocolError(`bad varlong in a fetched record at ${at}`)
}

/** Moves past a nullable byte field of `length` (-1 = null). */
function skip (length: number): void {
  if (length < -1 || length > limit - at) throw new ProtocolError(`field of ${length} bytes does not fit a fetched record at ${at}`)
  if (length > 0) at += length
}

function sameBytes (b: Buffer, start: number, name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) return false
  return true
}

/** Walks `count` records in b[start, end) whose offsets count from `baseOffset`. */
function walkRecords (b: Buffer, start: number, end: number, count: number, baseOffset: number, fromOffset: number, headerName: Buffer, visit: RecordVisit): void {
  at = start
  for (let i = 0; i < count && at < end; i++) {
    limit = end
    const length = varint(b)
    if (length < 0 || length > end - at) throw new ProtocolError(`fetched record of ${length} bytes overruns its batch`)
    const recordEnd = at + length
    limit = recordEnd
    at++ // attributes
    skipVarlong(b)
    const offset = baseOffset + varint(b)
    if (offset < fromOffset) {
      at = recordEnd
      continue
    }
    skip(varint(b)) // key
    const valueBytes = varint(b)
    skip(valueBytes)
    const headerCount = varint(b)
    let headerAt = -1
    let headerBytes = 0
    for (let h = 0; h < headerCount; h++) {
      const nameBytes = varint(b)
      const nameAt = at
      skip(nameBytes)
      const bytes = varint(b)
      if (headerAt < 0 && nameBytes === headerName.length && sameBytes(b, nameAt, headerName)) {
        headerAt = at
        headerBytes = Math.max(0, bytes)
      }
      skip(bytes)
    }
    at = recordEnd
    visit(Math.max(0, valueBytes), b, headerAt, headerBytes)
  }
}

/**
 * Reports every record at or after `fromOffset` to `visit` and returns the offset to
 * fetch next, as decodeFetchedRecords does.
 */
export async function walkFetchedRecords (records: Buffer | null, fromOffset: number, headerName: Buffer, visit: RecordVisit): Promise<number> {
  if (records === null) return fromOffset
  let next = fromOffset
  let position = 0
  while (position < records.length) {
    const size = batchSizeAt(records, position)
    if (size < BATCH_HEADER_BYTES || position + size > records.length) break
    // Offsets as two 32-bit halves: exact below 2^53 without a BigInt per batch.
    const baseOffset = records.readInt32BE(position + BATCH_OFFSET_BASE_OFFSET) * TWO_POW_32 + records.readUInt32BE(position + BATCH_OFFSET_BASE_OFFSET + 4)
    const last = baseOffset + records.readInt32BE(position + BATCH_OFFSET_LAST_OFFSET_DELTA)
    const attributes = records.readInt16BE(position + BATCH_OFFSET_ATTRIBUTES)
    if (last >= fromOffset && (attributes & ATTR_CONTROL) === 0) {
      const count = records.readInt32BE(position + BATCH_OFFSET_RECORDS_COUNT)
      if ((attributes & ATTR_COMPRESSION_MASK) === 0) {
        walkRecords(records, position + BATCH_HEADER_BYTES, position + size, count, baseOffset, fromOffset, headerName, visit)
      } else {
        const section = await batchRecordsSection(records.subarray(position, position + size))
        walkRecords(section, 0, section.length, count, baseOffset, fromOffset, headerName, visit)
      }
    }
    if (last + 1 > next) next = last + 1
    position += size
  }
  return next
}
