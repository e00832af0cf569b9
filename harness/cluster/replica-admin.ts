// The harness side of a reference broker's GET /admin/replicas: one request with a timeout,
// the answer parsed and shape-checked, failures as a typed error that says which broker and
// why (unreachable, HTTP status and the broker's message, or a malformed answer). Busy (503)
// and changed-underneath (409) answers are retried a few times, since both pass.

import type { ReplicasReport } from '../../broker/server/replica-report.ts'

export type { ReplicaReport, ReplicasReport, ReplicaRole } from '../../broker/server/replica-report.ts'

export interface ReplicaQuery {
  topic?: string
  partition?: number
  fromOffset?: number
  upToOffset?: number
  checksum?: boolean
  bytesMax?: number
  /** The broker's own limit for the checksum work. */
  checksumTimeoutMs?: number
}

export class ReplicaAdminError extends Error {
  readonly code = 'ERR_REPLICA_ADMIN'
  readonly httpUrl: string
  /** HTTP status, or null when no answer came. */
  readonly status: number | null
  readonly retriable: boolean
  constructor (httpUrl: string, status: number | null, message: string) {
    super(message)
    this.name = 'ReplicaAdminError'
    this.httpUrl = httpUrl
    this.status = status
    this.retriable = status === null || status === 409 || status === 503
  }
}

const ATTEMPTS_MAX_DEFAULT = 3
const RETRY_DELAY_MS = 200

export interface FetchOptions {
  /** Per attempt. */
  timeoutMs?: number
  /** 1: no retry (the HW sampler, which would rather miss a sample than fall behind). */
  attemptsMax?: number
}

export function replicasUrl (httpUrl: string, query: ReplicaQuery): string {
  const url = new URL('/admin/replicas', httpUrl)
  if (query.topic !== undefined) url.searchParams.set('topic', query.topic)
  if (query.partition !== undefined) url.searchParams.set('partition', String(query.partition))
  if (query.fromOffset !== undefined) url.searchParams.set('from', String(query.fromOffset))
  if (query.upToOffset !== undefined) url.searchParams.set('upTo', String(query.upToOffset))
  if (query.checksum !== undefined) url.searchParams.set('checksum', String(query.checksum))
  if (query.bytesMax !== undefined) url.searchParams.set('maxBytes', String(query.bytesMax))
  if (query.checksumTimeoutMs !== undefined) url.searchParams.set('timeoutMs', String(query.checksumTimeoutMs))
  return url.href
}

async function requestOnce (httpUrl: string, query: ReplicaQuery, timeoutMs: number): Promise<ReplicasReport> {
  const url = replicasUrl(httpUrl, query)
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new ReplicaAdminError(httpUrl, null, `GET ${url}: no answer (${(err as Error).message})`)
  }
  const text = await response.text().catch((err: Error) => { throw new ReplicaAdminError(httpUrl, null, `GET ${url}: answer cut off (${err.message})`) })
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ReplicaAdminError(httpUrl, response.status, `GET ${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`)
  }
  if (!response.ok) {
    const message = (body as { error?: unknown }).error
    throw new ReplicaAdminError(httpUrl, response.status, `GET ${url}: HTTP ${response.status}: ${typeof message === 'string' ? message : text.slice(0, 200)}`)
  }
  const report = body as ReplicasReport
  if (typeof report.brokerId !== 'number' || typeof report.incarnation !== 'string' || !Array.isArray(report.replicas)) {
    throw new ReplicaAdminError(httpUrl, response.status, `GET ${url}: not a replicas report (no brokerId, incarnation or replicas): ${text.slice(0, 200)}`)
  }
  return report
}

/** GET /admin/replicas on one broker; retries busy/changed answers and lost connections. */
export async function fetchReplicas (httpUrl: string, query: ReplicaQuery = {}, options: FetchOptions = {}): Promise<ReplicasReport> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const attemptsMax = options.attemptsMax ?? ATTEMPTS_MAX_DEFAULT
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestOnce(httpUrl, query, timeoutMs)
    } catch (err) {
      if (!(err instanceof ReplicaAdminError) || !err.retriable || attempt >= attemptsMax) throw err
      await new Promise(resolve => setTimeout(resolve, RETRY_DELAY_MS * attempt))
    }
  }
}
