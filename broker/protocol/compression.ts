// The record-batch codecs Kafka defines: gzip and zstd from Node's zlib, snappy and lz4 from
// @platformatic/wasm-utils (WebAssembly, so nothing to build natively). Kafka compresses the
// records section of a batch (bytes [61, end)) as one blob; the header stays in the clear.
//
// Decompression is bounded before it allocates: zlib stops at `bytesMax`; snappy declares its
// uncompressed length up front (a varint, per chunk in Java's xerial framing); an lz4 frame
// cannot yield more than its block count times its block size. A bad blob or one that would
// grow past the bound throws CompressionError with a reason, never anything else.
//
// Used by the broker (produce validation, HTTP API) and by the harness's native client.

import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress } from '@platformatic/wasm-utils'
import type { Compression } from './record-batch.ts'

export type CompressionName = keyof typeof Compression
export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

const gzip = promisify(zlib.gzip)
const gunzip = promisify(zlib.gunzip)
const zstdCompress = promisify(zlib.zstdCompress)
const zstdDecompress = promisify(zlib.zstdDecompress)

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_BYTES = 16
const LZ4_MAGIC = 0x184d2204
const LZ4_BLOCK_BYTES_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024]

export class CompressionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'CompressionError'
  }
}

export function compressionName (codec: number): CompressionName | undefined {
  return COMPRESSION_NAMES[codec]
}

/** Compresses a records section with `name` (none returns it as it is). */
export async function compressRecords (section: Buffer, name: CompressionName): Promise<Buffer> {
  switch (name) {
    case 'none': return section
    case 'gzip': return await gzip(section)
    case 'zstd': return await zstdCompress(section)
    case 'snappy': return snappyCompress(section)
    case 'lz4': return lz4Compress(section)
  }
}

/** The uncompressed length a raw snappy block declares (its leading varint), or -1. */
function snappyDeclaredBytes (blob: Buffer, start: number, end: number): number {
  let value = 0
  for (let i = 0; i < 5 && start + i < end; i++) {
    const byte = blob[start + i]!
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value
  }
  return -1
}

/** Upper bound on what a snappy blob (raw or xerial-framed) decompresses to. */
function snappyBoundBytes (blob: Buffer): number {
  if (blob.length < XERIAL_HEADER_BYTES || !blob.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return snappyDeclaredBytes(blob, 0, blob.length)
  }
  let total = 0
  for (let at = XERIAL_HEADER_BYTES; at < blob.length;) {
    if (at + 4 > blob.length) return -1
    const chunkBytes = blob.readUInt32BE(at)
    if (at + 4 + chunkBytes > blob.length) return -1
    const declared = snappyDeclaredBytes(blob, at + 4, at + 4 + chunkBytes)
    if (declared < 0) return -1
    total += declared
    at += 4 + chunkBytes
  }
  return total
}

function snappyDecode (blob: Buffer): Buffer {
  if (blob.length < XERIAL_HEADER_BYTES || !blob.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return snappyDecompress(blob)
  const chunks: Buffer[] = []
  for (let at = XERIAL_HEADER_BYTES; at < blob.length;) {
    const chunkBytes = blob.readUInt32BE(at)
    chunks.push(snappyDecompress(blob.subarray(at + 4, at + 4 + chunkBytes)))
    at += 4 + chunkBytes
  }
  return Buffer.concat(chunks)
}

/** Upper bound on what an lz4 frame decompresses to: blocks x block size, from its header. */
function lz4BoundBytes (blob: Buffer): number {
  if (blob.length < 7 || blob.readUInt32LE(0) !== LZ4_MAGIC) return -1
  const flags = blob[4]!
  const blockBytesMax = LZ4_BLOCK_BYTES_MAX[(blob[5]! >> 4) & 0x07]!
  if (blockBytesMax === 0) return -1
  let at = 4 + 2 + ((flags & 0x08) !== 0 ? 8 : 0) + ((flags & 0x01) !== 0 ? 4 : 0) + 1
  const blockChecksumBytes = (flags & 0x10) !== 0 ? 4 : 0
  let blocks = 0
  for (;;) {
    if (at + 4 > blob.length) return -1
    const word = blob.readUInt32LE(at)
    at += 4
    if (word === 0) return blocks * blockBytesMax
    const size = word & 0x7fffffff
    if (size > blockBytesMax) return -1
    at += size + blockChecksumBytes
    blocks++
  }
}

function checkBound (name: string, boundBytes: number, bytesMax: number): void {
  if (boundBytes < 0) throw new CompressionError(`${name} data is malformed (bad header or framing)`)
  if (boundBytes > bytesMax) throw new CompressionError(`${name} data would decompress to up to ${boundBytes} bytes, more than the ${bytesMax} bytes allowed`)
}

/**
 * The records section of a batch compressed with `codec`, decompressed, at most `bytesMax`
 * bytes. Throws CompressionError for an unknown codec, bad data or data over the bound.
 */
export async function decompressRecords (blob: Buffer, codec: number, bytesMax: number): Promise<Buffer> {
  const name = compressionName(codec)
  if (name === undefined) throw new CompressionError(`unknown compression codec ${codec}`)
  try {
    switch (name) {
      case 'none': return blob
      case 'gzip': return await gunzip(blob, { maxOutputLength: bytesMax })
      case 'zstd': return await zstdDecompress(blob, { maxOutputLength: bytesMax })
      case 'snappy':
        checkBound(name, snappyBoundBytes(blob), bytesMax)
        return snappyDecode(blob)
      case 'lz4':
        checkBound(name, lz4BoundBytes(blob), bytesMax)
        return lz4Decompress(blob)
    }
  } catch (error) {
    if (error instanceof CompressionError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CompressionError(`${name} data decompresses to more than the ${bytesMax} bytes allowed`)
    }
    // zlib errors and WebAssembly traps on corrupt input end up here.
    throw new CompressionError(`${name} data is corrupt (${(error as Error).message})`)
  }
}
