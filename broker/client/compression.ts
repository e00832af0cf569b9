// Batch compression for the native driver, with the broker's codec module (gzip and zstd
// from Node's zlib, snappy and lz4 in WebAssembly). Kafka compresses the records section of
// a batch as one blob and keeps the 61-byte header in the clear, so compressing a sealed
// batch means: compress bytes [61, end), set the codec in the attributes, fix batchLength,
// recompute the CRC-32C.

import {
  COMPRESSION_NAMES, CompressionError, compressRecords, decompressRecords, type CompressionName,
} from '../protocol/compression.ts'
import {
  ATTR_COMPRESSION_MASK, BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_ATTRIBUTES,
  BATCH_OFFSET_CRC, BATCH_OFFSET_LENGTH, batchCrc, Compression,
} from '../protocol/record-batch.ts'
import { DECOMPRESSED_BATCH_BYTES_MAX } from '../protocol/batch-validation.ts'
import { KafkaClientError } from './errors.ts'

export type { CompressionName } from '../protocol/compression.ts'

/** Codecs this client can write and read: all of Kafka's. */
export const SUPPORTED_COMPRESSION: readonly CompressionName[] = COMPRESSION_NAMES

export function checkCompression (name: CompressionName): void {
  if (!SUPPORTED_COMPRESSION.includes(name)) {
    throw new KafkaClientError('ERR_PROTOCOL', `compression "${name}" is not one of ${SUPPORTED_COMPRESSION.join(', ')}`)
  }
}

/** Returns a new batch with its records compressed; `none` returns the batch itself. */
export async function compressBatch (batch: Buffer, name: CompressionName): Promise<Buffer> {
  if (name === 'none') return batch
  checkCompression(name)
  const packed = await compressRecords(batch.subarray(BATCH_HEADER_BYTES), name)
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + packed.length)
  batch.copy(out, 0, 0, BATCH_HEADER_BYTES)
  packed.copy(out, BATCH_HEADER_BYTES)
  out.writeInt32BE(out.length - BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_LENGTH)
  const attributes = out.readInt16BE(BATCH_OFFSET_ATTRIBUTES)
  out.writeInt16BE((attributes & ~ATTR_COMPRESSION_MASK) | Compression[name], BATCH_OFFSET_ATTRIBUTES)
  out.writeUInt32BE(batchCrc(out), BATCH_OFFSET_CRC)
  return out
}

/** The records section of a batch, decompressed when needed. */
export async function batchRecordsSection (batch: Buffer): Promise<Buffer> {
  const codec = batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK
  try {
    return await decompressRecords(batch.subarray(BATCH_HEADER_BYTES), codec, DECOMPRESSED_BATCH_BYTES_MAX)
  } catch (error) {
    if (error instanceof CompressionError) throw new KafkaClientError('ERR_PROTOCOL', `fetched batch: ${error.message}`)
    throw error
  }
}
