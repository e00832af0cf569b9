// A SHA-256 over the raw bytes of a run of whole batches of a partition log, for the
// white-box consistency check: replicas must be byte-identical below the high watermark
// (replication.md), so two replicas that agree hash the same bytes to the same value. The
// hash covers each batch exactly as stored (offsets, leader epoch, CRC and records), from the
// batch holding `fromOffset` up to the last batch that ends below `upToOffset`; it stops at a
// batch boundary and says where.
//
// Reading is streamed in chunks of `chunkBytes` (plus at most one oversized batch), so memory
// stays bounded whatever the log's size; `bytesMax` and a deadline bound the work, and going
// past either throws a ChecksumLimitError that the caller answers as an error.

import { createHash } from 'node:crypto'
import { batchBaseOffset, batchLastOffset, splitBatches } from '../protocol/record-batch.ts'
import type { PartitionLog } from './partition-log.ts'

export const CHECKSUM_ALGORITHM = 'sha256'

export interface ChecksumRequest {
  /** First offset wanted; the batch holding it is hashed whole. Raised to the log start. */
  fromOffset: number
  /** Batches are hashed only if they end below this offset. Lowered to the log end. */
  upToOffset: number
  /** Bytes asked of the log per read. */
  chunkBytes: number
  /** More batch bytes than this to hash: ChecksumLimitError('bytes'). */
  bytesMax: number
  /** Date.now() past this between chunks: ChecksumLimitError('time'). */
  deadlineMs: number
}

export interface LogChecksum {
  algorithm: typeof CHECKSUM_ALGORITHM
  /** Base offset of the first batch hashed (the requested start when nothing was hashed). */
  startOffset: number
  /** Offset after the last batch hashed: the batch boundary the checksum stops at. */
  stopOffset: number
  batchCount: number
  sizeBytes: number
  /** Hex SHA-256 of the batches' bytes, concatenated. */
  value: string
}

export class ChecksumLimitError extends Error {
  readonly limit: 'bytes' | 'time'
  constructor (limit: 'bytes' | 'time', message: string) {
    super(message)
    this.name = 'ChecksumLimitError'
    this.limit = limit
  }
}

/**
 * Hashes the batches of `log` in [fromOffset, upToOffset) as described above. Reads go
 * through PartitionLog.read, so a log changed underneath (truncated, retention) surfaces as
 * the log's own errors (OffsetOutOfRangeError, LogError) for the caller to report.
 */
export async function checksumLog (log: PartitionLog, request: ChecksumRequest): Promise<LogChecksum> {
  const start = Math.max(request.fromOffset, log.logStartOffset)
  const limit = Math.min(request.upToOffset, log.highWatermark)
  const hash = createHash(CHECKSUM_ALGORITHM)
  const result: LogChecksum = { algorithm: CHECKSUM_ALGORITHM, startOffset: start, stopOffset: start, batchCount: 0, sizeBytes: 0, value: '' }
  let offset = start
  let done = offset >= limit
  while (!done) {
    const read = await log.read(offset, request.chunkBytes)
    if (read.buffers.length === 0) break
    // Usually one buffer; joined so that no batch is split between two.
    const bytes = read.buffers.length === 1 ? read.buffers[0]! : Buffer.concat(read.buffers)
    for (const batch of splitBatches(bytes)) {
      if (batchLastOffset(batch) >= limit) { done = true; break }
      if (result.batchCount === 0) result.startOffset = batchBaseOffset(batch)
      result.sizeBytes += batch.length
      if (result.sizeBytes > request.bytesMax) {
        throw new ChecksumLimitError('bytes', `${log.topic}-${log.partition}: more than ${request.bytesMax} bytes below offset ${limit} (stopped at offset ${result.stopOffset}); raise maxBytes or lower upTo`)
      }
      hash.update(batch)
      result.batchCount++
      result.stopOffset = batchLastOffset(batch) + 1
    }
    if (read.nextOffset <= offset) break
    offset = read.nextOffset
    if (offset >= limit) done = true
    if (!done && Date.now() > request.deadlineMs) {
      throw new ChecksumLimitError('time', `${log.topic}-${log.partition}: checksum not done by its deadline (reached offset ${result.stopOffset} of ${limit}); raise timeoutMs or lower upTo`)
    }
  }
  result.value = hash.digest('hex')
  return result
}
