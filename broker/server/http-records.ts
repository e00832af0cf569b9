// Parses and checks the body of POST /topics/{topic}/records. Every problem names the
// record index and the field, so a curl user can fix the request.

import { HttpError } from './http-error.ts'

export interface HttpRecord {
  key: Buffer | null
  value: Buffer | null
  headers: Array<{ key: string, value: Buffer | null }>
  partition: number | undefined
}

const RECORDS_PER_REQUEST_MAX = 100_000

const BASE64_PREFIX = 'base64:'

/**
 * Strings are stored as UTF-8, other JSON values as their JSON text, and "base64:..." as
 * the bytes it encodes: the same form GET uses for bytes that are not UTF-8, so binary
 * records round-trip.
 */
function bytesOf (v: unknown): Buffer | null {
  if (v === null || v === undefined) return null
  if (typeof v !== 'string') return Buffer.from(JSON.stringify(v))
  if (v.startsWith(BASE64_PREFIX)) return Buffer.from(v.slice(BASE64_PREFIX.length), 'base64')
  return Buffer.from(v)
}

export function parseProduceBody (body: Buffer): HttpRecord[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON (${(err as Error).message}); send a JSON array like [{"key":"k","value":"v"}]`)
  }
  if (!Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON array of records like [{"key":"k","value":"v"}]')
  if (parsed.length === 0) throw new HttpError(400, 'body has no records; send at least one')
  if (parsed.length > RECORDS_PER_REQUEST_MAX) throw new HttpError(413, `at most ${RECORDS_PER_REQUEST_MAX} records per request (got ${parsed.length})`)
  return parsed.map((raw: unknown, i): HttpRecord => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, `record ${i} must be an object with "value" (and optional "key", "headers", "partition")`)
    const rec = raw as Record<string, unknown>
    for (const field of Object.keys(rec)) {
      if (!['key', 'value', 'headers', 'partition'].includes(field)) throw new HttpError(400, `record ${i}: unknown field "${field}"; allowed: key, value, headers, partition`)
    }
    if (rec.partition !== undefined && (!Number.isInteger(rec.partition) || (rec.partition as number) < 0)) {
      throw new HttpError(400, `record ${i}: partition must be a non-negative integer (got ${JSON.stringify(rec.partition)})`)
    }
    let headers: HttpRecord['headers'] = []
    if (rec.headers !== undefined) {
      if (rec.headers === null || typeof rec.headers !== 'object' || Array.isArray(rec.headers)) throw new HttpError(400, `record ${i}: headers must be an object of name: value`)
      headers = Object.entries(rec.headers as Record<string, unknown>).map(([key, value]) => ({ key, value: bytesOf(value) }))
    }
    return { key: bytesOf(rec.key), value: bytesOf(rec.value), headers, partition: rec.partition as number | undefined }
  })
}
