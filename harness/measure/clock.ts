// The one clock every latency is measured with, and the record header that carries it from
// producer to consumer.
//
// The clock is process.hrtime: CLOCK_MONOTONIC on Linux, which is one clock for every
// thread and process on the machine. The harness runs all its clients on one machine, so a
// timestamp taken in a producer worker can be subtracted from one taken in a consumer
// worker. Wall-clock time (Date.now) would be worse: it has millisecond resolution and can
// jump when NTP steps it mid-run.

/** Header the producer stamps on every record: its monotonic clock when sending, in µs. */
export const TIMESTAMP_HEADER = 'sluice-ts-us'

const TIMESTAMP_HEADER_BYTES = 8
// A decimal rendering of a µs timestamp has at most 16 digits for any plausible uptime;
// anything longer is not ours.
const TIMESTAMP_TEXT_LENGTH_MAX = 20

/** Monotonic time in microseconds, with sub-microsecond fraction. */
export function monotonicUs (): number {
  return Number(process.hrtime.bigint()) / 1000
}

/** The header value: the timestamp as an 8-byte big-endian unsigned integer of µs. */
export function encodeTimestampHeader (timestampUs: number): Buffer {
  const buffer = Buffer.allocUnsafe(TIMESTAMP_HEADER_BYTES)
  buffer.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(timestampUs))))
  return buffer
}

/**
 * Reads a timestamp header written by encodeTimestampHeader, or a decimal string of µs
 * (what a person or another tool would write). Null when the value is neither, so a stray
 * header never turns into a nonsense latency.
 */
export function decodeTimestampHeader (value: Buffer | null | undefined): number | null {
  if (value === null || value === undefined) return null
  if (value.length === TIMESTAMP_HEADER_BYTES) {
    const asBinary = Number(value.readBigUInt64BE(0))
    // A binary value below 2^53 is exact; text of 8 decimal digits would decode to a
    // huge binary number, so try text when the binary reading is implausible.
    if (asBinary <= Number.MAX_SAFE_INTEGER) return asBinary
  }
  if (value.length === 0 || value.length > TIMESTAMP_TEXT_LENGTH_MAX) return null
  const text = value.toString('latin1')
  if (!/^\d+$/.test(text)) return null
  const parsed = Number(text)
  return Number.isSafeInteger(parsed) ? parsed : null
}
