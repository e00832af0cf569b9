// Opening a partition log after a clean shutdown or a crash.
//
// Everything below the recovery point was fsynced and checked before, so only its index tail
// is re-derived from batch headers. From the recovery point on, every batch is validated —
// length inside the file, magic 2, CRC-32C (checkBatch), offsets increasing — and the log is
// cut at the first byte that fails: a torn tail or a flipped bit is never served. Segments
// after the cut are deleted. The scanned data is then fsynced, so the new recovery point is
// the log end.

import { BATCH_HEADER_BYTES, BATCH_OFFSET_LAST_OFFSET_DELTA, BATCH_OFFSET_LEADER_EPOCH, BATCH_OFFSET_MAGIC, BATCH_OFFSET_MAX_TIMESTAMP, batchSizeAt, checkBatch } from '../protocol/record-batch.ts'
import { ErrorCode } from '../protocol/errors.ts'
import type { LogConfig } from './config.ts'
import { LOG_SUFFIX, Segment, parseSegmentFileName } from './segment.ts'
import type { Storage } from './storage.ts'

/** Read size for scans; a batch larger than this gets a buffer of its own size (bounded by the file). */
const SCAN_CHUNK_BYTES = 1024 * 1024
/** Leftovers of interrupted operations (Kafka's suffixes), removed on open. */
const LEFTOVER_SUFFIXES = ['.tmp', '.deleted', '.swap', '.cleaned']

export interface RecoverOptions {
  storage: Storage
  /** The partition directory, relative to the data dir: `<topic>-<partition>`. */
  dir: string
  config: Readonly<LogConfig>
  /** Offset below which the log is known flushed and valid (0 when unknown). */
  recoveryPoint: number
  nowMs: number
  /** Sees every batch scanned (from the recovery point's index entry on), in log order. */
  onBatch?: BatchVisitor
}

export interface RecoveredLog {
  segments: Segment[]
  logEndOffset: number
  /** Where the log was cut, if it was. */
  truncation: { offset: number, segmentBaseOffset: number, positionBytes: number, droppedBytes: number, reason: string } | null
  deletedSegments: number[]
  scannedBytes: number
}

interface ScanResult {
  valid: boolean
  reason: string
  scannedBytes: number
}

/** Called for each batch a scan accepts: its base offset and partitionLeaderEpoch. */
export type BatchVisitor = (baseOffset: number, leaderEpoch: number) => void

/** Walks the batches of `segment` from its current end (see Segment.rewindTo) to the end of the file. */
export async function scanSegment (segment: Segment, crcFromOffset: number, exactFirstBaseOffset: boolean, onBatch?: BatchVisitor): Promise<ScanResult> {
  const fileBytes = segment.log.sizeBytes
  const startBytes = segment.writtenBytes
  let chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(0, fileBytes - startBytes)))
  let chunkStart = 0
  let chunkLength = 0
  const ensure = async (position: number, length: number): Promise<number> => {
    if (position >= chunkStart && position + length <= chunkStart + chunkLength) return position - chunkStart
    const want = Math.min(Math.max(SCAN_CHUNK_BYTES, length), fileBytes - position)
    if (chunk.length < want) chunk = Buffer.allocUnsafe(want)
    chunkStart = position
    chunkLength = await segment.log.read(chunk, 0, want, position)
    return 0
  }
  const invalid = (reason: string): ScanResult => ({ valid: false, reason, scannedBytes: segment.writtenBytes - startBytes })
  let expectExact = exactFirstBaseOffset
  while (segment.writtenBytes < fileBytes) {
    const position = segment.writtenBytes
    if (fileBytes - position < BATCH_HEADER_BYTES) return invalid(`torn batch header at ${position}`)
    let at = await ensure(position, BATCH_HEADER_BYTES)
    if (chunkLength - at < BATCH_HEADER_BYTES) return invalid(`short read at ${position}`)
    const sizeBytes = batchSizeAt(chunk, at)
    if (sizeBytes < BATCH_HEADER_BYTES) return invalid(`batch at ${position} declares ${sizeBytes} bytes`)
    if (sizeBytes > fileBytes - position) return invalid(`torn batch at ${position}: ${sizeBytes} bytes declared, ${fileBytes - position} in file`)
    const magic = chunk.readInt8(at + BATCH_OFFSET_MAGIC)
    if (magic !== 2) return invalid(`magic ${magic} at ${position}`)
    const baseOffset = Number(chunk.readBigInt64BE(at))
    const lastOffsetDelta = chunk.readInt32BE(at + BATCH_OFFSET_LAST_OFFSET_DELTA)
    const lastOffset = baseOffset + lastOffsetDelta
    if (expectExact && baseOffset !== segment.nextOffset) return invalid(`index mismatch: batch at ${position} has offset ${baseOffset}, index says ${segment.nextOffset}`)
    expectExact = false
    if (baseOffset < segment.nextOffset || lastOffsetDelta < 0 || !Number.isSafeInteger(lastOffset)) {
      return invalid(`offsets not increasing at ${position}: batch ${baseOffset}..${lastOffset} after ${segment.nextOffset - 1}`)
    }
    const maxTimestampMs = Number(chunk.readBigInt64BE(at + BATCH_OFFSET_MAX_TIMESTAMP))
    if (lastOffset >= crcFromOffset) {
      at = await ensure(position, sizeBytes)
      if (chunkLength - at < sizeBytes) return invalid(`short read of batch at ${position}`)
      const check = checkBatch(chunk.subarray(at, at + sizeBytes), false)
      if (check.errorCode !== ErrorCode.NONE) return invalid(`batch ${baseOffset} at ${position}: ${check.reason}`)
    }
    segment.recordBatch(position, sizeBytes, baseOffset, lastOffset, maxTimestampMs)
    onBatch?.(baseOffset, chunk.readInt32BE(at + BATCH_OFFSET_LEADER_EPOCH))
  }
  return { valid: true, reason: '', scannedBytes: segment.writtenBytes - startBytes }
}

/**
 * Index entry to resume scanning from: the last one at or below `offsetLimit`, and no later
 * than the entry before the batch holding the max timestamp (so the max is re-derived).
 */
function scanStartEntry (segment: Segment, offsetLimit: number): number {
  if (offsetLimit < segment.baseOffset) return -1
  let entry = segment.offsetIndex.floorIndex(Math.min(offsetLimit - segment.baseOffset, 2 ** 31 - 1))
  if (segment.timeIndex.count > 0) entry = Math.min(entry, segment.offsetIndex.floorIndex(segment.timeIndex.lastRelativeOffset))
  return entry
}

/**
 * Re-derives the segment's bookkeeping (indexes, sizes, max timestamp) for the part of the
 * file after its last index entry at or below `offsetLimit`; with crcFromOffset = Infinity
 * only headers are checked. Truncation uses it after cutting the file.
 */
export async function recoverSegment (segment: Segment, offsetLimit: number, crcFromOffset: number, onBatch?: BatchVisitor): Promise<ScanResult> {
  const entry = scanStartEntry(segment, offsetLimit)
  if (entry >= 0) {
    segment.rewindTo(segment.offsetIndex.positionAt(entry), segment.baseOffset + segment.offsetIndex.relativeOffsetAt(entry))
    const result = await scanSegment(segment, crcFromOffset, true, onBatch)
    if (result.valid || !result.reason.startsWith('index mismatch')) return result
  }
  // No usable index entry: scan the whole segment.
  segment.rewindTo(0, segment.baseOffset)
  return scanSegment(segment, crcFromOffset, false, onBatch)
}

async function openSegments (options: RecoverOptions): Promise<Segment[]> {
  const { storage, dir, config, nowMs } = options
  const entries = await storage.list(dir)
  const logs = new Set<number>()
  for (const entry of entries) {
    const parsed = parseSegmentFileName(entry.name)
    if (entry.isFile && parsed !== null && parsed.suffix === LOG_SUFFIX) logs.add(parsed.baseOffset)
  }
  for (const entry of entries) {
    if (!entry.isFile) continue
    const parsed = parseSegmentFileName(entry.name)
    const orphanIndex = parsed !== null && parsed.suffix !== LOG_SUFFIX && !logs.has(parsed.baseOffset)
    if (orphanIndex || LEFTOVER_SUFFIXES.some(suffix => entry.name.endsWith(suffix))) await storage.unlink(`${dir}/${entry.name}`)
  }
  const segments: Segment[] = []
  for (const baseOffset of [...logs].sort((a, b) => a - b)) {
    segments.push(await Segment.open(storage, dir, baseOffset, config, nowMs))
  }
  return segments
}

/** Opens, validates and (if needed) truncates the segments of one partition directory. */
export async function recoverLog (options: RecoverOptions): Promise<RecoveredLog> {
  const { storage, dir, config, nowMs, recoveryPoint } = options
  const segments = await openSegments(options)
  const result: RecoveredLog = { segments, logEndOffset: 0, truncation: null, deletedSegments: [], scannedBytes: 0 }
  let recoveryIndex = 0
  while (recoveryIndex + 1 < segments.length && segments[recoveryIndex + 1]!.baseOffset <= recoveryPoint) recoveryIndex++
  let keep = segments.length
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    // A segment starts where the previous one ends; a gap means a lost segment (one never made
    // durable), an overlap means garbage. Either way the log is cut before it.
    if (i > 0 && segment.baseOffset !== segments[i - 1]!.nextOffset) {
      const reason = `segment ${segment.baseOffset} does not start where the previous one ends (${segments[i - 1]!.nextOffset})`
      result.truncation = { offset: segments[i - 1]!.nextOffset, segmentBaseOffset: segment.baseOffset, positionBytes: 0, droppedBytes: segment.log.sizeBytes, reason }
      keep = i
      break
    }
    const offsetLimit = i < recoveryIndex ? Infinity : i === recoveryIndex ? recoveryPoint : -1
    const crcFromOffset = i < recoveryIndex ? Infinity : recoveryPoint
    const scan = await recoverSegment(segment, offsetLimit, crcFromOffset, options.onBatch)
    result.scannedBytes += scan.scannedBytes
    if (!scan.valid) {
      const droppedBytes = segment.log.sizeBytes - segment.writtenBytes
      result.truncation = { offset: segment.nextOffset, segmentBaseOffset: segment.baseOffset, positionBytes: segment.writtenBytes, droppedBytes, reason: scan.reason }
      await segment.log.truncate(segment.writtenBytes)
      keep = i + 1
      break
    }
  }
  for (const segment of segments.splice(keep)) {
    result.deletedSegments.push(segment.baseOffset)
    await segment.destroy(storage)
  }
  if (segments.length === 0) segments.push(await Segment.create(storage, dir, Math.max(0, recoveryPoint), config, nowMs))
  // What was just validated becomes durable, so the recovery point can move to the log end.
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    await segment.persistIndexes()
    if (i >= recoveryIndex) await segment.syncLog()
    segment.syncedNextOffset = segment.nextOffset
    segment.readableBytes = segment.writtenBytes
  }
  await segments[segments.length - 1]!.loadFirstBatchTimestamp()
  result.logEndOffset = segments[segments.length - 1]!.nextOffset
  return result
}
