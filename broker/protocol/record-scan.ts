// Walks the records of a batch's (uncompressed) records section without building objects:
// the produce path's record-level validation, and the bound every decoder relies on.
//
//   Record => length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
//             | keyLength varint | key | valueLength varint | value
//             | headersCount varint | [headerKeyLength varint | key | headerValueLength varint | value]
//
// A record is valid when every varint ends inside it, every length fits, its fields end
// exactly where its length says, its offsetDelta is its index, and its timestamp is exact in
// a double. The section is valid when exactly `count` valid records fill it. A record takes
// at least 7 bytes, so a count larger than bytes / 7 is refused before any work.
//
// The hot loop keeps its cursor in module state (one event loop, no re-entry) so it
// allocates nothing per record.

/** length varint + attributes + timestampDelta + offsetDelta + key, value and header-count varints. */
export const RECORD_BYTES_MIN = 7
const SAFE_MAX = Number.MAX_SAFE_INTEGER

let at = 0
let failed = false

function varint (b: Buffer, limit: number): number {
  let raw = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= limit) break
    const byte = b[at++]!
    raw |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1)
  }
  failed = true
  return 0
}

function varlong (b: Buffer, limit: number): number {
  let raw = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (at >= limit) break
    const byte = b[at++]!
    raw += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) {
      if (raw > SAFE_MAX) break
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
    }
    scale *= 128
  }
  failed = true
  return 0
}

/** Skips `length` bytes of a nullable field (-1 = null); marks failure if it does not fit. */
function skipBytes (length: number, limit: number, nullable: boolean): void {
  if (length < (nullable ? -1 : 0) || length > limit - at) failed = true
  else if (length > 0) at += length
}

export interface RecordsScan {
  /** Why the section is invalid, or null. */
  problem: string | null
  /** Largest timestampDelta of the records (0 when invalid). */
  maxTimestampDelta: number
}

/**
 * Checks `count` records in `section[start, end)` (see the header of this file). Work is
 * bounded by the section's bytes, whatever `count` claims.
 */
export function scanRecords (section: Buffer, start: number, end: number, count: number): RecordsScan {
  if (count < 1 || count > (end - start) / RECORD_BYTES_MIN) {
    return { problem: `${count} records cannot fit in ${end - start} bytes`, maxTimestampDelta: 0 }
  }
  at = start
  failed = false
  let maxDelta = -Infinity
  for (let index = 0; index < count; index++) {
    const recordAt = at
    const length = varint(section, end)
    if (failed || length < RECORD_BYTES_MIN - 1 || length > end - at) return invalid(`record ${index} at byte ${recordAt}: length ${failed ? '(bad varint)' : length} does not fit`)
    const recordEnd = at + length
    at++ // attributes: unused in v2 records
    const timestampDelta = varlong(section, recordEnd)
    const offsetDelta = varint(section, recordEnd)
    if (!failed && offsetDelta !== index) return invalid(`record ${index} has offsetDelta ${offsetDelta}`)
    skipBytes(varint(section, recordEnd), recordEnd, true)
    skipBytes(varint(section, recordEnd), recordEnd, true)
    const headers = failed ? 0 : varint(section, recordEnd)
    if (headers < 0 || headers > (recordEnd - at) / 2) failed = true
    for (let h = 0; h < headers && !failed; h++) {
      skipBytes(varint(section, recordEnd), recordEnd, false)
      if (!failed) skipBytes(varint(section, recordEnd), recordEnd, true)
    }
    if (failed) return invalid(`record ${index} at byte ${recordAt}: a field overruns its ${length}-byte record or is malformed`)
    if (at !== recordEnd) return invalid(`record ${index} at byte ${recordAt}: fields end ${recordEnd - at} bytes before its length says`)
    if (timestampDelta > maxDelta) maxDelta = timestampDelta
  }
  if (at !== end) return invalid(`${end - at} bytes after the last of ${count} records`)
  return { problem: null, maxTimestampDelta: maxDelta }
}

function invalid (problem: string): RecordsScan {
  return { problem, maxTimestampDelta: 0 }
}
