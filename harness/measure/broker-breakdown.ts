// Where a message's time goes, from the broker's side: when the target is the reference
// broker, the runner scrapes every broker's GET /metrics at the start and at the end of the
// measured phase, and the difference of the Kafka-style RequestMetrics histograms
// (broker/server/request-metrics.ts) gives each API's mean time per part over exactly that
// phase. Set next to the harness's own end-to-end mean, they split a message's trip into
// the broker's parts and the rest (network, client batching, the consumer's fetch cadence).
//
// Approximate by construction: the broker's figures are means per request (a produce
// request carries a batch of many messages), the harness's are means per message, and the
// scrapes are taken within a few ms of the phase edges. The report says so. A target
// without these metrics (Apache Kafka, an external cluster, an unreachable /metrics)
// yields null and the report leaves the section out.

import { parsePrometheusText } from './prometheus-text.ts'

const SCRAPE_TIMEOUT_MS = 2000
const FAMILY_PREFIX = 'kafka_network_requestmetrics_'
const PARTS = ['RequestQueueTimeMs', 'LocalTimeMs', 'RemoteTimeMs', 'ResponseQueueTimeMs', 'ResponseSendTimeMs', 'TotalTimeMs'] as const
type Part = typeof PARTS[number]
const APIS = ['Produce', 'Fetch'] as const

export type Samples = Map<string, number>

export interface ApiTimesMean {
  request: string
  /** Requests completed during the measured phase. */
  count: number
  meanMs: Record<Part, number>
}

export interface BreakdownRow {
  label: string
  meanMs: number
  /** Whether the part lies on a message's path from send to receipt (and is subtracted). */
  onPath: boolean
  note: string
}

export interface BrokerBreakdown {
  approximate: true
  method: string
  apis: ApiTimesMean[]
  /** The end-to-end mean split into parts; null without consumers (no end-to-end latency). */
  endToEnd: { meanMs: number, rows: BreakdownRow[], restMs: number } | null
}

/** Sum of every broker's samples, or null when any broker's /metrics could not be read. */
export async function scrapeBrokers (httpUrls: readonly string[], timeoutMs = SCRAPE_TIMEOUT_MS): Promise<Samples | null> {
  if (httpUrls.length === 0) return null
  try {
    const texts = await Promise.all(httpUrls.map(async url => {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })
      if (!response.ok) throw new Error(`GET ${url}/metrics: HTTP ${response.status}`)
      return await response.text()
    }))
    const total: Samples = new Map()
    for (const text of texts) {
      for (const [key, value] of parsePrometheusText(text)) total.set(key, (total.get(key) ?? 0) + value)
    }
    return total
  } catch {
    return null
  }
}

/** How much a sample grew between two scrapes; null when the later one lacks it. */
export function sampleDelta (before: Samples, after: Samples, key: string): number | null {
  const a = after.get(key)
  return a === undefined ? null : a - (before.get(key) ?? 0)
}

function apiMeans (before: Samples, after: Samples, request: string): ApiTimesMean | null {
  const delta = (name: string): number | null => sampleDelta(before, after, `${name}{request="${request}"}`)
  const count = delta(`${FAMILY_PREFIX}totaltimems_count`)
  if (count === null || count <= 0) return null
  const meanMs = {} as Record<Part, number>
  for (const part of PARTS) meanMs[part] = (delta(`${FAMILY_PREFIX}${part.toLowerCase()}_sum`) ?? 0) / count
  return { request, count, meanMs }
}

/**
 * The breakdown from two scrapes and the harness's means (µs); null when the scrapes are
 * missing or hold no Produce timing (a target that is not the reference broker).
 */
export function computeBrokerBreakdown (before: Samples | null, after: Samples | null, endToEndMeanUs: number | null, publishDelayMeanUs: number | null): BrokerBreakdown | null {
  if (before === null || after === null) return null
  const apis = APIS.map(api => apiMeans(before, after, api)).filter((a): a is ApiTimesMean => a !== null)
  const produce = apis.find(a => a.request === 'Produce')
  if (produce === undefined) return null
  const fetch = apis.find(a => a.request === 'Fetch')
  const p = produce.meanMs
  const f = fetch?.meanMs
  const rows: BreakdownRow[] = [
    { label: 'producer send delay (publish delay)', meanMs: (publishDelayMeanUs ?? 0) / 1000, onPath: false, note: 'before the timestamp is taken: not part of end-to-end, shown for scale' },
    { label: 'broker: produce queued + local (decode, validate, append)', meanMs: p.RequestQueueTimeMs + p.LocalTimeMs, onPath: true, note: 'Produce RequestQueueTimeMs + LocalTimeMs' },
    { label: 'broker: produce waiting (replication)', meanMs: p.RemoteTimeMs, onPath: true, note: 'Produce RemoteTimeMs' },
    { label: 'broker: produce response queue + send', meanMs: p.ResponseQueueTimeMs + p.ResponseSendTimeMs, onPath: false, note: 'goes back to the producer: in publish latency, not end-to-end' },
  ]
  if (f !== undefined) {
    rows.push(
      { label: 'broker: fetch parked (consumer waiting for data)', meanMs: f.RemoteTimeMs, onPath: false, note: 'Fetch RemoteTimeMs: mostly waiting for messages not yet sent; the part a message waits is in the rest' },
      { label: 'broker: fetch queued + local + response queue + send', meanMs: f.RequestQueueTimeMs + f.LocalTimeMs + f.ResponseQueueTimeMs + f.ResponseSendTimeMs, onPath: true, note: 'Fetch times except parked' },
    )
  }
  const endToEnd = endToEndMeanUs === null
    ? null
    : { meanMs: endToEndMeanUs / 1000, rows, restMs: endToEndMeanUs / 1000 - rows.filter(r => r.onPath).reduce((sum, r) => sum + r.meanMs, 0) }
  return {
    approximate: true,
    method: 'means over the measured phase: broker parts per request from GET /metrics (scraped at the phase edges), end-to-end and publish delay per message from the harness; the rest is end-to-end minus the on-path parts (network, client batching and the consumer\'s fetch cadence). Approximate: per-request and per-message means mixed, no percentiles',
    apis,
    endToEnd,
  }
}

/**
 * Scrapes at the measured phase's edges: `phaseChanged` is called on every phase change;
 * entering 'measure' starts the first scrape, leaving it the second. Scrapes run in the
 * background (never delaying a tick); `samples()` waits for them.
 */
export class MeasuredPhaseScrapes {
  readonly #httpUrls: readonly string[]
  #before: Promise<Samples | null> | null = null
  #after: Promise<Samples | null> | null = null

  constructor (httpUrls: readonly string[]) {
    this.#httpUrls = httpUrls
  }

  phaseChanged (from: string, to: string): void {
    if (this.#httpUrls.length === 0) return
    if (to === 'measure' && this.#before === null) this.#before = scrapeBrokers(this.#httpUrls)
    else if (from === 'measure' && this.#before !== null && this.#after === null) this.#after = scrapeBrokers(this.#httpUrls)
  }

  async samples (): Promise<{ before: Samples | null, after: Samples | null }> {
    return { before: await this.#before, after: await this.#after }
  }
}
