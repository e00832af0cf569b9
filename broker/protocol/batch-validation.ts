// The one full validation a batch gets, on Produce, so that nothing stored can later fail a
// reader: the header checks of checkBatch (length, magic, CRC-32C, lastOffsetDelta, codec),
// then every record (record-scan.ts), decompressing first when the batch is compressed, as
// Kafka's LogValidator does. The same pass fixes the header's timestamp fields the way Kafka
// does on append: maxTimestamp becomes the true maximum of the records (clients have been
// seen sending -1), or the append time under LogAppendTime, and the CRC is recomputed when
// that changed the header.

import { CompressionError, decompressRecords } from './compression.ts'
import { ErrorCode } from './errors.ts'
import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_BASE_TIMESTAMP,
  BATCH_OFFSET_CRC, BATCH_OFFSET_MAX_TIMESTAMP, BATCH_OFFSET_RECORDS_COUNT, batchCrc, checkBatch, decodeRecordBatch, readInt64, writeInt64, type BatchCheck, type Record,
} from './record-batch.ts'
import { scanRecords } from './record-scan.ts'

/** A compressed batch may not grow past this when decompressed for validation or reading. */
export const DECOMPRESSED_BATCH_BYTES_MAX = 64 * 1024 * 1024

const OK: BatchCheck = { errorCode: ErrorCode.NONE, reason: '' }

export interface ValidateOptions {
  /** Clients may not send control batches. */
  fromClient: boolean
  /** log.message.timestamp.type=LogAppendTime: the append time to stamp; null keeps CreateTime. */
  logAppendTimeMs: number | null
}

function corrupt (reason: string): BatchCheck {
  return { errorCode: ErrorCode.CORRUPT_MESSAGE, reason }
}

/**
 * Whether the batch's records must be decompressed before they can be checked. A batch too
 * short to hold its attributes is not: the plain check refuses it as CORRUPT_MESSAGE (reading
 * past its end here was an internal error that closed the producer's connection).
 */
export function isCompressed (batch: Buffer): boolean {
  if (batch.length < BATCH_OFFSET_ATTRIBUTES + 2) return false
  return (batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK) !== 0
}

/**
 * Record checks and the timestamp rewrite for a batch whose header passed checkBatch, given
 * its records section uncompressed in `section[start, end)`.
 */
function checkRecords (batch: Buffer, section: Buffer, start: number, end: number, options: ValidateOptions): BatchCheck {
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  const scan = scanRecords(section, start, end, count)
  if (scan.problem !== null) return corrupt(scan.problem)
  const baseTimestamp = readInt64(batch, BATCH_OFFSET_BASE_TIMESTAMP)
  const maxTimestamp = baseTimestamp + scan.maxTimestampDelta
  if (!Number.isSafeInteger(maxTimestamp) || !Number.isSafeInteger(baseTimestamp)) {
    return corrupt(`timestamps out of range (base ${baseTimestamp}, largest delta ${scan.maxTimestampDelta})`)
  }
  const attributes = batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES)
  const appendTime = options.logAppendTimeMs !== null
  const wantAttributes = appendTime ? attributes | ATTR_TIMESTAMP_TYPE : attributes & ~ATTR_TIMESTAMP_TYPE
  const wantMaxTimestamp = appendTime ? options.logAppendTimeMs! : maxTimestamp
  if (wantAttributes !== attributes || wantMaxTimestamp !== readInt64(batch, BATCH_OFFSET_MAX_TIMESTAMP)) {
    batch.writeInt16BE(wantAttributes, BATCH_OFFSET_ATTRIBUTES)
    writeInt64(batch, wantMaxTimestamp, BATCH_OFFSET_MAX_TIMESTAMP)
    batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  }
  return OK
}

/** Full validation of an uncompressed batch, synchronously (see isCompressed). */
export function validatePlainBatch (batch: Buffer, options: ValidateOptions): BatchCheck {
  const header = checkBatch(batch, options.fromClient)
  if (header.errorCode !== ErrorCode.NONE) return header
  return checkRecords(batch, batch, BATCH_HEADER_BYTES, batch.length, options)
}

/** Full validation of any batch; may rewrite its maxTimestamp, attributes and CRC in place. */
export async function validateBatch (batch: Buffer, options: ValidateOptions): Promise<BatchCheck> {
  const header = checkBatch(batch, options.fromClient)
  if (header.errorCode !== ErrorCode.NONE) return header
  if (!isCompressed(batch)) return checkRecords(batch, batch, BATCH_HEADER_BYTES, batch.length, options)
  let section: Buffer
  try {
    section = await decompressRecords(batch.subarray(BATCH_HEADER_BYTES), batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK, DECOMPRESSED_BATCH_BYTES_MAX)
  } catch (error) {
    if (error instanceof CompressionError) return corrupt(error.message)
    throw error
  }
  return checkRecords(batch, section, 0, section.length, options)
}

/**
 * The records of any batch, decompressed when needed (bounded by DECOMPRESSED_BATCH_BYTES_MAX).
 * For readers of stored batches: a malformed one throws RangeError or CompressionError with
 * the reason, after at most one pass over its bytes.
 */
export async function decodeBatchRecords (batch: Buffer): Promise<Record[]> {
  if (!isCompressed(batch)) return decodeRecordBatch(batch)
  const codec = batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK
  return decodeRecordBatch(batch, await decompressRecords(batch.subarray(BATCH_HEADER_BYTES), codec, DECOMPRESSED_BATCH_BYTES_MAX))
}
