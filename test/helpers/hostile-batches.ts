// Hand-made record batches that are well-formed on the outside (length, magic, CRC-32C all
// valid) and wrong inside: the inputs that once got past Produce and later broke readers.

import {
  BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_CRC, BATCH_OFFSET_LAST_OFFSET_DELTA, BATCH_OFFSET_LENGTH,
  BATCH_OFFSET_MAX_TIMESTAMP, BATCH_OFFSET_RECORDS_COUNT, batchCrc, encodeRecordBatch,
} from '../../broker/protocol/record-batch.ts'

/** Recomputes the CRC after a deliberate edit, so the batch reaches the checks after it. */
export function resealed (batch: Buffer): Buffer {
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  return batch
}

/** A batch whose header claims `count` records (lastOffsetDelta to match) over `records` bytes. */
export function batchClaiming (count: number, records: Buffer): Buffer {
  const template = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x'), timestamp: 1_700_000_000_000 }] })
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + records.length)
  template.copy(batch, 0, 0, BATCH_HEADER_BYTES)
  records.copy(batch, BATCH_HEADER_BYTES)
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_LENGTH)
  batch.writeInt32BE(count - 1, BATCH_OFFSET_LAST_OFFSET_DELTA)
  batch.writeInt32BE(count, BATCH_OFFSET_RECORDS_COUNT)
  return resealed(batch)
}

/**
 * Issue 17 item 1: 68 bytes, a valid CRC, a record count of 2^31-1 and one record of
 * length -1. Decoding it naively loops two billion times and exhausts the heap.
 */
export function bombBatch (): Buffer {
  return batchClaiming(2 ** 31 - 1, Buffer.from([0x01, 0, 0, 0, 0, 0, 0]))
}

/** A valid batch of `count` records whose header says maxTimestamp = -1 (issue 16 bug 4). */
export function batchWithoutMaxTimestamp (timestampsMs: number[]): Buffer {
  const batch = encodeRecordBatch({ records: timestampsMs.map((timestamp, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })) })
  batch.writeBigInt64BE(-1n, BATCH_OFFSET_MAX_TIMESTAMP)
  return resealed(batch)
}
