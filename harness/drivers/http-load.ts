// Raw HTTP load on the broker's produce endpoint with autocannon, for the bench runner's
// HTTP path: POST /topics/{topic}/records with a fixed body of `recordsPerRequest`
// records, for a duration or a request count, optionally at a fixed overall rate (then
// autocannon corrects for coordinated omission itself). Returns autocannon's own result
// (latency percentiles p50 ... p99.999 in ms, requests and throughput per second).

import { createRequire } from 'node:module'

export interface HttpLoadOptions {
  /** Base URL of a broker's HTTP API, e.g. http://127.0.0.1:8082. */
  url: string
  topic: string
  durationSeconds?: number
  /** Total requests instead of a duration. */
  amount?: number
  connections?: number
  pipelining?: number
  /** Requests per second across all connections; absent = as fast as possible. */
  overallRate?: number
  recordsPerRequest?: number
  messageSizeBytes?: number
  /** Distinct keys cycled through the body's records (0 = unkeyed). */
  keyCount?: number
}

/** The parts of autocannon's result the harness reads; the full object is returned. */
export interface AutocannonResult {
  requests: { average: number, total: number, sent: number }
  throughput: { average: number, total: number }
  latency: Record<string, number>
  errors: number
  timeouts: number
  non2xx: number
  duration: number
  [key: string]: unknown
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>

// autocannon is CommonJS without type declarations; load it through require so its
// shape is stated once, here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export function produceBody (recordsPerRequest: number, messageSizeBytes: number, keyCount: number): string {
  const value = 'x'.repeat(messageSizeBytes)
  const records = Array.from({ length: recordsPerRequest }, (_, i) => keyCount > 0 ? { key: `key-${i % keyCount}`, value } : { value })
  return JSON.stringify(records)
}

export async function runHttpLoad (opts: HttpLoadOptions): Promise<AutocannonResult> {
  if (opts.durationSeconds === undefined && opts.amount === undefined) throw new RangeError('give durationSeconds or amount')
  const body = produceBody(opts.recordsPerRequest ?? 10, opts.messageSizeBytes ?? 100, opts.keyCount ?? 0)
  return await autocannon({
    url: `${opts.url.replace(/\/+$/, '')}/topics/${encodeURIComponent(opts.topic)}/records`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: opts.connections ?? 10,
    pipelining: opts.pipelining ?? 1,
    ...(opts.durationSeconds !== undefined && { duration: opts.durationSeconds }),
    ...(opts.amount !== undefined && { amount: opts.amount }),
    ...(opts.overallRate !== undefined && { overallRate: opts.overallRate }),
  })
}
