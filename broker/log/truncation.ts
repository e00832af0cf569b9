// The file side of truncating a partition log (a follower cutting its divergent tail, KIP-101),
// and the checks on batches a follower appends with the offsets its leader gave them.
//
// Truncation works on batch boundaries: the log keeps batches whole, so when the requested
// offset falls inside a batch, the cut is at that batch's base offset (the whole batch goes;
// the caller re-fetches from the returned end). Segments that start above the cut are
// deleted, newest first, so a crash midway leaves a shorter but gap-free log. The segment
// holding the cut has its file cut (the storage layer fsyncs a truncate) and its indexes,
// sizes and max timestamp re-derived from the last index entry below the cut, exactly as
// recovery does, so a reopen finds the same state.

import { BATCH_OFFSET_LEADER_EPOCH, batchRecordCount, checkBatch, readInt64 } from '../protocol/record-batch.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { CorruptRecordError, KafkaStorageError } from './errors.ts'
import { findBatch, segmentIndexFor } from './log-reader.ts'
import { recoverSegment } from './recovery.ts'
import type { Segment } from './segment.ts'
import type { Storage } from './storage.ts'

/**
 * Cuts `segments` (in place) so the log ends at the batch boundary at or below `offset`;
 * returns the new log end offset. The caller has stopped appends and flushes.
 */
export async function cutSegments (segments: Segment[], storage: Storage, offset: number): Promise<number> {
  const holder = segmentIndexFor(segments, offset)
  const later = segments.splice(holder + 1)
  for (const segment of later.reverse()) await segment.destroy(storage)
  const segment = segments[holder]!
  let cutBytes = 0
  let endOffset = segment.baseOffset
  if (offset > segment.baseOffset) {
    const location = await findBatch(segment, segment.lookupPosition(offset), segment.writtenBytes, offset, false)
    cutBytes = location?.positionBytes ?? segment.writtenBytes
    endOffset = location?.baseOffset ?? segment.nextOffset
  }
  if (cutBytes === segment.writtenBytes && segment.log.sizeBytes === cutBytes) return endOffset
  await segment.log.truncate(cutBytes)
  const scan = await recoverSegment(segment, endOffset - 1, Infinity)
  if (!scan.valid || segment.nextOffset !== endOffset) {
    throw new KafkaStorageError(`${segment.log.file}: rescan after truncation to ${endOffset} failed (${scan.reason || `ends at ${segment.nextOffset}`})`)
  }
  segment.readableBytes = segment.writtenBytes
  segment.syncedNextOffset = Math.min(segment.syncedNextOffset, segment.nextOffset)
  await segment.persistIndexes()
  return endOffset
}

export interface FollowerBatches {
  bytes: number
  /** Offset after the last batch. */
  endOffset: number
  /** (base offset, partitionLeaderEpoch) of each batch, for the leader-epoch cache. */
  epochs: Array<{ baseOffset: number, epoch: number }>
}

/**
 * Checks batches appended with their leader's offsets: each whole and CRC-valid, each starting
 * where the previous ends, the first at `logEndOffset`, none larger than a segment.
 */
export function checkFollowerBatches (batches: readonly Buffer[], logEndOffset: number, segmentBytes: number): FollowerBatches {
  const result: FollowerBatches = { bytes: 0, endOffset: logEndOffset, epochs: [] }
  for (const batch of batches) {
    const check = checkBatch(batch, false)
    if (check.errorCode !== ErrorCode.NONE) throw new CorruptRecordError(`follower batch at ${result.endOffset}: ${check.reason}`)
    if (batch.length > segmentBytes) throw new CorruptRecordError(`follower batch of ${batch.length} bytes does not fit in a segment of ${segmentBytes} bytes`)
    const baseOffset = readInt64(batch, 0)
    if (baseOffset !== result.endOffset) throw new CorruptRecordError(`follower batch has base offset ${baseOffset}, the log ends at ${result.endOffset}`)
    result.epochs.push({ baseOffset, epoch: batch.readInt32BE(BATCH_OFFSET_LEADER_EPOCH) })
    result.bytes += batch.length
    result.endOffset = baseOffset + batchRecordCount(batch)
  }
  return result
}
