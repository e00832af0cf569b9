// Batch compression for the native driver, with what Node ships: gzip and zstd (Node
// 24's zlib). Kafka compresses the records section of a batch as one blob and keeps the
// 61-byte header in the clear, so compressing a sealed batch means: compress bytes
// [61, end), set the codec in the attributes, fix batchLength, recompute the CRC-32C.
// lz4 and snappy would need native packages; asking for them is a clear error.

import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import {
  ATTR_COMPRESSION_MASK, BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_ATTRIBUTES,
  BATCH_OFFSET_CRC, BATCH_OFFSET_LENGTH, batchCrc, Compression,
} from '../../broker/protocol/record-batch.ts'
import { KafkaClientError } from './errors.ts'

export type CompressionName = keyof typeof Compression

const gzip = promisify(zlib.gzip)
const gunzip = promisify(zlib.gunzip)
const zstdCompress = promisify(zlib.zstdCompress)
const zstdDecompress = promisify(zlib.zstdDecompress)

/** Codecs this client can write and read. */
export const SUPPORTED_COMPRESSION: readonly CompressionName[] = ['none', 'gzip', 'zstd']

export function checkCompression (name: CompressionName): void {
  if (!SUPPORTED_COMPRESSION.includes(name)) {
    throw new KafkaClientError('ERR_PROTOCOL', `compression "${name}" is not available in the native client (it supports ${SUPPORTED_COMPRESSION.join(', ')}); use the kafkajs or platformatic driver, or another codec`)
  }
}

/** Returns a new batch with its records compressed; `none` returns the batch itself. */
export async function compressBatch (batch: Buffer, name: CompressionName): Promise<Buffer> {
  if (name === 'none') return batch
  checkCompression(name)
  const records = batch.subarray(BATCH_HEADER_BYTES)
  const packed = name === 'gzip' ? await gzip(records) : await zstdCompress(records)
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
  const section = batch.subarray(BATCH_HEADER_BYTES)
  switch (codec) {
    case Compression.none: return section
    case Compression.gzip: return await gunzip(section)
    case Compression.zstd: return await zstdDecompress(section)
    default: throw new KafkaClientError('ERR_PROTOCOL', `fetched a batch compressed with codec ${codec} (lz4 or snappy), which the native client cannot read`)
  }
}
