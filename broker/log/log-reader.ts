// The read side of a partition log: finding a batch by offset or timestamp, and reading whole
// batches as raw bytes. Nothing here decodes records on the fetch path; the bytes go to the
// client exactly as they sit in the segment, and clients skip records before the offset they
// asked for.
//
// Functions take a segment and a byte limit (its readable bytes, i.e. what lies below the
// high watermark) and the caller pins the segment (retain/release), except readFrom, which
// picks and pins the segment itself. The partition log checks the offset range.

import { decodeBatchRecords } from '../protocol/batch-validation.ts'
import {
  ATTR_TIMESTAMP_TYPE, BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES,
  BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_LAST_OFFSET_DELTA, BATCH_OFFSET_MAX_TIMESTAMP,
  batchSizeAt, readInt64, type Record,
} from '../protocol/record-batch.ts'
import { KafkaStorageError } from './errors.ts'
import type { Segment } from './segment.ts'

/** How much to read at once while hopping over batch headers from an index entry. */
const HEADER_SCAN_CHUNK_BYTES = 16 * 1024
/** Sequential readers resume where they stopped without an index lookup; this many at once. */
const READ_CURSORS_MAX = 4

export interface ReadResult {
  /** Whole batches, unchanged. Usually one buffer. */
  buffers: Buffer[]
  bytes: number
  /** Offset after the last batch returned (the next fetch offset); the requested offset if none. */
  nextOffset: number
}

export interface BatchLocation {
  positionBytes: number
  sizeBytes: number
  baseOffset: number
  lastOffset: number
  maxTimestampMs: number
}

/** Index of the last segment whose base offset is <= offset (0 if none is). */
export function segmentIndexFor (segments: readonly Segment[], offset: number): number {
  let low = 0
  let high = segments.length - 1
  let found = 0
  while (low <= high) {
    const middle = (low + high) >>> 1
    if (segments[middle]!.baseOffset <= offset) {
      found = middle
      low = middle + 1
    } else {
      high = middle - 1
    }
  }
  return found
}

function corrupt (segment: Segment, position: number, what: string): KafkaStorageError {
  return new KafkaStorageError(`${segment.log.file}: ${what} at byte ${position}`)
}

/**
 * Hops over batch headers from `fromBytes` (a batch boundary, e.g. an index entry) up to
 * `limitBytes`, and returns the first batch whose last offset is >= target (byTimestamp
 * false) or whose maxTimestamp is >= target (byTimestamp true); null if none below the limit.
 */
export async function findBatch (segment: Segment, fromBytes: number, limitBytes: number, target: number, byTimestamp: boolean): Promise<BatchLocation | null> {
  const chunk = Buffer.allocUnsafe(Math.min(HEADER_SCAN_CHUNK_BYTES, Math.max(BATCH_HEADER_BYTES, limitBytes - fromBytes)))
  let chunkStart = 0
  let chunkLength = 0
  let position = fromBytes
  while (position < limitBytes) {
    if (limitBytes - position < BATCH_HEADER_BYTES) throw corrupt(segment, position, 'partial batch header below the readable limit')
    if (position < chunkStart || position + BATCH_HEADER_BYTES > chunkStart + chunkLength) {
      chunkStart = position
      chunkLength = await segment.log.read(chunk, 0, Math.min(chunk.length, limitBytes - position), position)
      if (chunkLength < BATCH_HEADER_BYTES) throw corrupt(segment, position, 'short read of a batch header')
    }
    const at = position - chunkStart
    const sizeBytes = batchSizeAt(chunk, at)
    if (sizeBytes < BATCH_HEADER_BYTES || position + sizeBytes > limitBytes) throw corrupt(segment, position, `batch length ${sizeBytes}`)
    const baseOffset = readInt64(chunk, at)
    const lastOffset = baseOffset + chunk.readInt32BE(at + BATCH_OFFSET_LAST_OFFSET_DELTA)
    const maxTimestampMs = readInt64(chunk, at + BATCH_OFFSET_MAX_TIMESTAMP)
    if (byTimestamp ? maxTimestampMs >= target : lastOffset >= target) {
      return { positionBytes: position, sizeBytes, baseOffset, lastOffset, maxTimestampMs }
    }
    position += sizeBytes
  }
  return null
}

/**
 * Reads whole batches from `positionBytes` (a batch boundary): as many as fit in maxBytes,
 * but always the first one whole even if it is larger (KIP-74), never past `limitBytes`,
 * never a partial trailing batch. `allocate` gives the memory read into (the broker's
 * BufferPool for Fetch responses); the result's buffers are views into it.
 */
export async function readBatchesAt (segment: Segment, positionBytes: number, limitBytes: number, maxBytes: number, fromOffset: number,
  allocate: (bytes: number) => Buffer = Buffer.allocUnsafe): Promise<ReadResult> {
  const availableBytes = limitBytes - positionBytes
  if (availableBytes <= 0) return { buffers: [], bytes: 0, nextOffset: fromOffset }
  let want = Math.min(availableBytes, Math.max(maxBytes, BATCH_HEADER_BYTES))
  let buffer = allocate(want)
  let length = await segment.log.read(buffer, 0, want, positionBytes)
  const firstBytes = length >= BATCH_LOG_OVERHEAD_BYTES ? batchSizeAt(buffer, 0) : -1
  if (firstBytes < BATCH_HEADER_BYTES || firstBytes > availableBytes) throw corrupt(segment, positionBytes, `batch length ${firstBytes}`)
  if (firstBytes > length) {
    want = firstBytes
    buffer = allocate(want)
    length = await segment.log.read(buffer, 0, want, positionBytes)
    if (length < firstBytes) throw corrupt(segment, positionBytes, 'short read of a batch')
  }
  let end = 0
  let nextOffset = fromOffset
  while (end + BATCH_HEADER_BYTES <= length) {
    const sizeBytes = batchSizeAt(buffer, end)
    if (sizeBytes < BATCH_HEADER_BYTES || end + sizeBytes > length) break
    nextOffset = readInt64(buffer, end) + buffer.readInt32BE(end + BATCH_OFFSET_LAST_OFFSET_DELTA) + 1
    end += sizeBytes
  }
  return { buffers: [buffer.subarray(0, end)], bytes: end, nextOffset }
}

export interface TimestampOffset {
  offset: number
  timestampMs: number
}

/**
 * Within one located batch, the first record whose timestamp is >= target (or, with
 * `exact`, equal to it). LogAppendTime batches are not decoded (every record has the batch's
 * time), and a batch whose records cannot be decoded (stored before Produce checked every
 * record) costs one bounded pass: the answer is then the batch's base offset with its
 * maxTimestamp, as Kafka answers for a batch it does not open.
 */
export async function resolveRecord (segment: Segment, location: BatchLocation, target: number, exact: boolean): Promise<TimestampOffset> {
  const batch = Buffer.allocUnsafe(location.sizeBytes)
  const length = await segment.log.read(batch, 0, location.sizeBytes, location.positionBytes)
  if (length < location.sizeBytes) throw corrupt(segment, location.positionBytes, 'short read of a batch')
  const fallback = { offset: location.baseOffset, timestampMs: location.maxTimestampMs }
  if ((batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_TIMESTAMP_TYPE) !== 0) return fallback
  let records: Record[]
  try {
    records = await decodeBatchRecords(batch)
  } catch {
    return fallback
  }
  for (const record of records) {
    if (exact ? record.timestamp === target : record.timestamp >= target) return { offset: record.offset, timestampMs: record.timestamp }
  }
  return fallback
}

/** First record with timestamp >= timestampMs in `segment` below `limitBytes`, or null. */
async function findOffsetByTimestampIn (segment: Segment, timestampMs: number, limitBytes: number): Promise<TimestampOffset | null> {
  const entry = segment.timeIndex.lastBefore(timestampMs)
  const startOffset = entry < 0 ? segment.baseOffset : segment.baseOffset + segment.timeIndex.relativeOffsetAt(entry)
  const location = await findBatch(segment, segment.lookupPosition(startOffset), limitBytes, timestampMs, true)
  if (location === null) return null
  return resolveRecord(segment, location, timestampMs, false)
}

/** First record with timestamp >= timestampMs in the readable part of `segments` (pinned by the caller), or null. */
export async function findOffsetByTimestamp (segments: readonly Segment[], timestampMs: number): Promise<TimestampOffset | null> {
  for (const segment of segments) {
    if (segment.maxTimestampMs < timestampMs) continue
    const found = await findOffsetByTimestampIn(segment, timestampMs, segment.readableBytes)
    if (found !== null) return found
  }
  return null
}

/** The record with the largest timestamp below the high watermark (KIP-734), or null. */
export async function findMaxTimestampOffset (segments: readonly Segment[], highWatermark: number): Promise<TimestampOffset | null> {
  let best: Segment | null = null
  for (const segment of segments) {
    if (segment.maxTimestampMs >= 0 && (best === null || segment.maxTimestampMs > best.maxTimestampMs)) best = segment
  }
  if (best === null || best.offsetOfMaxTimestamp >= highWatermark) return null
  const location = await findBatch(best, best.lookupPosition(best.offsetOfMaxTimestamp), best.readableBytes, best.offsetOfMaxTimestamp, false)
  if (location === null) return null
  return resolveRecord(best, location, best.maxTimestampMs, true)
}

interface ReadCursor {
  segment: Segment
  offset: number
  positionBytes: number
}

/**
 * Where recent reads stopped: a consumer's next fetch starts at the offset the last one
 * ended, so its position is known without an index lookup or header scan. A handful of
 * entries covers the usual one consumer (or a few groups) per partition.
 */
export class ReadCursors {
  readonly #cursors: ReadCursor[] = []

  /** The cursor for `offset`, if one is still usable (its segment exists and has bytes there). */
  take (offset: number): ReadCursor | null {
    for (let i = 0; i < this.#cursors.length; i++) {
      const cursor = this.#cursors[i]!
      if (cursor.offset !== offset) continue
      this.#cursors.splice(i, 1)
      return !cursor.segment.isDeleted && cursor.positionBytes < cursor.segment.readableBytes ? cursor : null
    }
    return null
  }

  /** Forgets every cursor (after a truncation their positions may point at replaced bytes). */
  clear (): void {
    this.#cursors.length = 0
  }

  put (segment: Segment, offset: number, positionBytes: number): void {
    if (this.#cursors.length >= READ_CURSORS_MAX) this.#cursors.shift()
    this.#cursors.push({ segment, offset, positionBytes })
  }
}

/**
 * Whole batches from the one holding `offset` (which the caller checked is below the high
 * watermark): resumes a sequential reader's cursor when it has one, else finds the batch
 * through the segment's index. The segment stays open for the duration (retain/release).
 */
export async function readFrom (segments: readonly Segment[], cursors: ReadCursors, offset: number, maxBytes: number,
  allocate?: (bytes: number) => Buffer): Promise<ReadResult> {
  const cursor = cursors.take(offset)
  const segment = cursor?.segment ?? segments[segmentIndexFor(segments, offset)]!
  segment.retain()
  try {
    let positionBytes = cursor?.positionBytes ?? -1
    if (positionBytes < 0) {
      const location = await findBatch(segment, segment.lookupPosition(offset), segment.readableBytes, offset, false)
      if (location === null) throw new KafkaStorageError(`${segment.log.file}: offset ${offset} is below the high watermark but not in its segment`)
      positionBytes = location.positionBytes
    }
    const result = await readBatchesAt(segment, positionBytes, segment.readableBytes, maxBytes, offset, allocate)
    cursors.put(segment, result.nextOffset, positionBytes + result.bytes)
    return result
  } finally {
    segment.release()
  }
}
