// What every driver shares: the send-time header, turning client errors into
// DriverError, and header conversion.
//
// End-to-end latency is receive time minus the producer's send time. Every driver puts
// the send time in the record twice: as the record timestamp (wall-clock ms, what Kafka
// tools show) and as the header `sluice-ts-us`, whose format measure/clock.ts owns: the
// monotonic clock in µs as 8 big-endian bytes. The monotonic clock is one clock for every
// process on the machine and does not jump when NTP steps the wall clock; consumers read
// the header with decodeTimestampHeader and subtract from monotonicUs().

import { KafkaClientError } from '../../broker/client/errors.ts'
import { encodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../measure/clock.ts'
import { DriverError, type RecordHeaders } from './driver.ts'

/**
 * The send-time header value for a record sent now, unless the caller's headers already
 * carry one (the bench runner stamps the time it sends, before a driver batches), in which
 * case undefined.
 */
export function sendTimestampHeader (headers: RecordHeaders | undefined): Buffer | undefined {
  if (headers !== undefined && headers[TIMESTAMP_HEADER] !== undefined) return undefined
  return encodeTimestampHeader(monotonicUs())
}

/** Wraps anything a client library threw into a DriverError that keeps the Kafka code. */
export function toDriverError (err: unknown, context: string): DriverError {
  if (err instanceof DriverError) return err
  if (err instanceof KafkaClientError) {
    return new DriverError(`${context}: ${err.message}`, { code: err.code, kafkaErrorCode: err.kafkaErrorCode, retriable: err.retriable, cause: err })
  }
  const e = err as LibraryError
  const inner = findKafkaError(e, 0) ?? e
  const kafkaErrorCode = typeof inner.apiCode === 'number' ? inner.apiCode : typeof inner.errorCode === 'number' ? inner.errorCode : null
  const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : 'ERR_DRIVER'
  const retriable = inner.retriable === true || inner.canRetry === true || e.retriable === true || e.canRetry === true
  const detail = inner !== e && inner.message !== undefined ? ` (${inner.message})` : ''
  return new DriverError(`${context}: ${e.message ?? String(err)}${detail}`, { code, kafkaErrorCode, retriable, cause: err })
}

// kafkajs sets `type` to the Kafka error name and `retriable`; platformatic sets
// `apiCode` (the Kafka number) and `canRetry`, often on an error nested in `errors` or
// `cause` of the one thrown.
interface LibraryError {
  message?: string
  code?: unknown
  type?: unknown
  retriable?: unknown
  canRetry?: unknown
  apiCode?: unknown
  errorCode?: unknown
  errors?: unknown
  cause?: unknown
}

const NESTING_DEPTH_MAX = 4

function findKafkaError (e: LibraryError | undefined, depth: number): LibraryError | null {
  if (e === undefined || e === null || typeof e !== 'object' || depth > NESTING_DEPTH_MAX) return null
  if (typeof e.apiCode === 'number' || typeof e.errorCode === 'number') return e
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors as LibraryError[]) {
      const found = findKafkaError(inner, depth + 1)
      if (found !== null) return found
    }
  }
  return findKafkaError(e.cause as LibraryError | undefined, depth + 1)
}

/** Map<Buffer|string, Buffer|string> (platformatic) or kafkajs's header object to RecordHeaders. */
export function headersFrom (entries: Iterable<[unknown, unknown]> | Record<string, unknown> | undefined): RecordHeaders {
  const out: RecordHeaders = {}
  if (entries === undefined) return out
  const pairs = Symbol.iterator in entries ? entries as Iterable<[unknown, unknown]> : Object.entries(entries)
  for (const [k, v] of pairs) {
    const name = Buffer.isBuffer(k) ? k.toString('utf8') : String(k)
    const value = Array.isArray(v) ? v[v.length - 1] : v
    if (value === undefined || value === null) out[name] = Buffer.alloc(0)
    else out[name] = Buffer.isBuffer(value) ? value : Buffer.from(String(value))
  }
  return out
}
