// The one clock every latency is measured with, and the record header that carries it from
// producer to consumer.
//
// The clock is process.hrtime: CLOCK_MONOTONIC on Linux, which is one clock for every
// thread and process on the machine. The harness runs all its clients on one machine, so a
// timestamp taken in a producer worker can be subtracted from one taken in a consumer
// worker. Wall-clock time (Date.now) would be worse: it has millisecond resolution and can
// jump when NTP steps it mid-run.

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

/** Monotonic time in microseconds, with sub-microsecond fraction. */
export function monotonicUs (): number {
  return Number(process.hrtime.bigint()) / 1000
}

/**
 * Writes the header value for `timestampUs` into `target` at `offset` (for encoders that
 * build records in place) and returns the bytes written.
 */
export function writeTimestampHeader (target: Buffer, offset: number, timestampUs: number): number {
  target.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(timestampUs))), offset)
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
  if (value === null || value === undefined || value.length !== TIMESTAMP_HEADER_BYTES) return null
  const timestampUs = Number(value.readBigUInt64BE(0))
  return timestampUs <= Number.MAX_SAFE_INTEGER ? timestampUs : null
}
