// Per-API request timing like Kafka's RequestMetrics, for GET /metrics: where a request's
// time went between its frame arriving and its response leaving the socket.
//
//   RequestQueueTimeMs   frame received (its last chunk read) -> handler starts (decode, frames ahead in the chunk)
//   LocalTimeMs          handler starts -> response encoded, or -> the request parks
//   RemoteTimeMs         parked (long-poll fetch; later, waiting on replication) -> response encoded
//   ResponseQueueTimeMs  response encoded -> written to the socket (waits for earlier responses: replies go in order)
//   ResponseSendTimeMs   written -> the socket's write callback (bytes handed to the kernel)
//   TotalTimeMs          frame received -> write callback; the parts telescope, so total = their sum
//
// Exported as Prometheus histograms with fixed millisecond buckets, named the way the JMX
// exporter names Kafka's beans (kafka_network_requestmetrics_totaltimems{request="Produce"}).
// Histograms rather than Kafka's quantile summaries: they add up across scrapes and brokers,
// and updating one is a bucket increment (typed arrays, nothing allocated per request);
// quantiles are read off them with histogram_quantile() or by the bench report.

/** Upper bounds (le) of the buckets, in ms: 10 us to 30 s, roughly 1-2.5-5 steps. */
export const REQUEST_BUCKETS_MS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
]

/** The parts, in the order `observe` takes them; the names are Kafka's. */
export const REQUEST_PARTS = ['RequestQueueTimeMs', 'LocalTimeMs', 'RemoteTimeMs', 'ResponseQueueTimeMs', 'ResponseSendTimeMs', 'TotalTimeMs'] as const
export type RequestPart = typeof REQUEST_PARTS[number]

const PART_COUNT = REQUEST_PARTS.length
const BUCKET_COUNT = REQUEST_BUCKETS_MS.length + 1 // the last one is +Inf
const BOUNDS = Float64Array.from(REQUEST_BUCKETS_MS)
const API_KEY_MAX = 127

class ApiTimes {
  readonly name: string
  count = 0
  /** Per part, per bucket (not cumulative): part * BUCKET_COUNT + bucket. */
  readonly buckets = new Float64Array(PART_COUNT * BUCKET_COUNT)
  readonly sumsMs = new Float64Array(PART_COUNT)

  constructor (name: string) {
    this.name = name
  }

  add (part: number, ms: number): void {
    let b = 0
    while (b < BOUNDS.length && ms > BOUNDS[b]!) b++
    this.buckets[part * BUCKET_COUNT + b]!++
    this.sumsMs[part]! += ms
  }
}

export class RequestMetrics {
  readonly #byKey: Array<ApiTimes | undefined> = []

  /**
   * One request's times, from monotonic timestamps in ms (performance.now()). `parkedMs` is
   * 0 when the request never parked; `writtenMs` is 0 (with `writeStartMs`) when no
   * response was sent (acks=0 produce): those stop at `readyMs`.
   */
  observe (apiKey: number, apiName: string, receivedMs: number, startMs: number, parkedMs: number, readyMs: number, writeStartMs: number, writtenMs: number): void {
    if (apiKey < 0 || apiKey > API_KEY_MAX) return
    let api = this.#byKey[apiKey]
    if (api === undefined) this.#byKey[apiKey] = api = new ApiTimes(apiName)
    const localEndMs = parkedMs > 0 ? parkedMs : readyMs
    const endMs = writtenMs > 0 ? writtenMs : readyMs
    api.count++
    api.add(0, nonNegative(startMs - receivedMs))
    api.add(1, nonNegative(localEndMs - startMs))
    api.add(2, parkedMs > 0 ? nonNegative(readyMs - parkedMs) : 0)
    api.add(3, writtenMs > 0 ? nonNegative(writeStartMs - readyMs) : 0)
    api.add(4, writtenMs > 0 ? nonNegative(writtenMs - writeStartMs) : 0)
    api.add(5, nonNegative(endMs - receivedMs))
  }

  count (apiName: string): number {
    return this.#byKey.find(a => a?.name === apiName)?.count ?? 0
  }

  /** Prometheus text lines, one histogram family per part. */
  render (): string[] {
    const lines: string[] = []
    const apis = this.#byKey.filter((a): a is ApiTimes => a !== undefined)
    REQUEST_PARTS.forEach((part, p) => {
      const family = `kafka_network_requestmetrics_${part.toLowerCase()}`
      lines.push(`# HELP ${family} Kafka-style RequestMetrics ${part}: per API, in milliseconds.`, `# TYPE ${family} histogram`)
      for (const api of apis) {
        let cumulative = 0
        for (let b = 0; b < BUCKET_COUNT; b++) {
          cumulative += api.buckets[p * BUCKET_COUNT + b]!
          const le = b < BOUNDS.length ? String(BOUNDS[b]) : '+Inf'
          lines.push(`${family}_bucket{request="${api.name}",le="${le}"} ${cumulative}`)
        }
        lines.push(`${family}_sum{request="${api.name}"} ${api.sumsMs[p]}`)
        lines.push(`${family}_count{request="${api.name}"} ${api.count}`)
      }
    })
    return lines
  }
}

// Clocks are monotonic, but a part computed from two reads can come out a hair negative
// only through a bug; it must not pull a sum below zero.
function nonNegative (ms: number): number {
  return ms > 0 ? ms : 0
}
