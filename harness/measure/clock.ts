// The one clock every latency is measured with, and the record header that carries it from
// producer to consumer.
//
// The clock is process.hrtime: CLOCK_MONOTONIC on Linux, which is one clock for every
// thread and process on the machine. The harness runs all its clients on one machine, so a
// timestamp taken in a producer worker can be subtracted from one taken in a consumer
// worker. Wall-clock time (Date.now) would be worse: it has millisecond resolution and can
// jump when NTP steps it mid-run.
//
// Reading it allocates nothing: process.hrtime.bigint() makes a BigInt per call (about a
// thousand young-generation collections per 20 million readings), so the clock reads
// performance.now(), which Node takes from the same monotonic source (uv_hrtime) minus
// this thread's start, and adds back that start once, calibrated against hrtime at load.

import { performance } from 'node:perf_hooks'

/**
 * Header the producer stamps on every record: its monotonic clock when sending, in µs, as
 * 8 big-endian bytes. This module is the only owner of the format: every driver, the
 * native client's batch builder and the bench runner write it with encodeTimestampHeader
 * or writeTimestampHeader, and consumers read it with decodeTimestampHeader. A second
 * encoding under the same name (there used to be a decimal wall-clock one) would make a
 * latency depend on which code stamped the record.
 */
export const TIMESTAMP_HEADER = 'sluice-ts-us'

/** Bytes of a timestamp header value. */
export const TIMESTAMP_HEADER_BYTES = 8

/**
 * hrtime (µs) minus performance.now() (µs) in this thread: constant, as both count from
 * uv_hrtime. Taken from the tightest of a few paired readings, so it is within a fraction
 * of a microsecond of the true offset.
 */
function calibrateOffsetUs (): number {
  let bestWidthNs = Infinity
  let offsetUs = 0
  for (let i = 0; i < 25; i++) {
    const beforeNs = process.hrtime.bigint()
    const nowMs = performance.now()
    const widthNs = Number(process.hrtime.bigint() - beforeNs)
    if (widthNs < bestWidthNs) {
      bestWidthNs = widthNs
      offsetUs = Number(beforeNs) / 1000 + widthNs / 2000 - nowMs * 1000
    }
  }
  return offsetUs
}

const OFFSET_US = calibrateOffsetUs()

/** Monotonic time in microseconds (process.hrtime's clock), with sub-microsecond fraction; allocates nothing. */
export function monotonicUs (): number {
  return OFFSET_US + performance.now() * 1000
}

const TWO_POW_32 = 2 ** 32

/**
 * Writes the header value for `timestampUs` into `target` at `offset` (for encoders that
 * build records in place) and returns the bytes written.
 */
export function writeTimestampHeader (target: Buffer, offset: number, timestampUs: number): number {
  // Byte by byte from two 32-bit halves: no BigInt, and no per-call argument checks of
  // writeUInt32BE (this runs once per produced record).
  const us = Math.max(0, Math.floor(timestampUs))
  const hi = Math.floor(us / TWO_POW_32)
  const lo = us >>> 0
  if (offset < 0 || offset + TIMESTAMP_HEADER_BYTES > target.length) throw new RangeError(`timestamp header at ${offset} does not fit in ${target.length} bytes`)
  target[offset] = hi >>> 24
  target[offset + 1] = (hi >>> 16) & 0xff
  target[offset + 2] = (hi >>> 8) & 0xff
  target[offset + 3] = hi & 0xff
  target[offset + 4] = lo >>> 24
  target[offset + 5] = (lo >>> 16) & 0xff
  target[offset + 6] = (lo >>> 8) & 0xff
  target[offset + 7] = lo & 0xff
  return TIMESTAMP_HEADER_BYTES
}

/** The header value: the timestamp as an 8-byte big-endian unsigned integer of µs. */
export function encodeTimestampHeader (timestampUs: number): Buffer {
  const buffer = Buffer.allocUnsafe(TIMESTAMP_HEADER_BYTES)
  writeTimestampHeader(buffer, 0, timestampUs)
  return buffer
}

/**
 * Reads a timestamp header written by encodeTimestampHeader. Null for anything else
 * (another length, or a value past 2^53 that no monotonic clock reaches), so a stray
 * header never turns into a nonsense latency.
 */
export function decodeTimestampHeader (value: Buffer | null | undefined): number | null {
  if (value === null || value === undefined) return null
  return readTimestampHeader(value, 0, value.length)
}

/**
 * decodeTimestampHeader for a value of `length` bytes at `offset` inside `source`, for
 * consumers that walk a record batch in place instead of cutting a Buffer per header.
 */
export function readTimestampHeader (source: Buffer, offset: number, length: number): number | null {
  if (length !== TIMESTAMP_HEADER_BYTES || offset < 0 || offset + length > source.length) return null
  const timestampUs = source.readUInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4)
  return timestampUs <= Number.MAX_SAFE_INTEGER ? timestampUs : null
}
