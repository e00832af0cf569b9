// Counters the broker keeps for GET /metrics, in Prometheus text format. Request latency
// is a fixed-bucket histogram per API: cheap to update on every request, and it is what
// Prometheus users expect. Kafka-style per-part request timing lives in RequestMetrics.

import type { BufferPoolStats } from '../protocol/buffer-pool.ts'
import { RequestMetrics } from './request-metrics.ts'
import { processGcPauses } from './gc-pauses.ts'

const LATENCY_BUCKETS_SECONDS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]

interface ApiStats {
  count: number
  sumSeconds: number
  buckets: number[]
}

export interface PartitionGauge {
  topic: string
  partition: number
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
}

export class Metrics {
  bytesIn = 0
  bytesOut = 0
  httpRequests = 0
  connectionsOpen = 0
  connectionsTotal = 0
  connectionsRefused = 0
  connectionsIdleClosed = 0
  internalErrors = 0
  /** The listener's request memory pool, for its gauge. */
  requestMemory: { readonly usedBytes: number } | null = null
  /** The memory lent to large frames and Fetch reads (set by the listener). */
  bufferPool: { readonly stats: BufferPoolStats } | null = null
  /** Long-poll fetches parked now (the broker wires its FetchWaiters in). */
  fetchesParked: () => number = () => 0
  /** Kafka-style RequestMetrics: queue, local, remote, response queue, send, total per API. */
  readonly requests = new RequestMetrics()
  /** The process's GC pauses (shared by every broker in it), counted from the first broker's start. */
  readonly gcPauses = processGcPauses()
  readonly #apis = new Map<string, ApiStats>()
  readonly #started = Date.now()

  observeRequest (api: string, receivedNs: bigint): void {
    const seconds = Number(process.hrtime.bigint() - receivedNs) / 1e9
    let stats = this.#apis.get(api)
    if (stats === undefined) {
      stats = { count: 0, sumSeconds: 0, buckets: new Array<number>(LATENCY_BUCKETS_SECONDS.length).fill(0) }
      this.#apis.set(api, stats)
    }
    stats.count++
    stats.sumSeconds += seconds
    for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) {
      if (seconds <= LATENCY_BUCKETS_SECONDS[i]!) stats.buckets[i]!++
    }
  }

  requestCount (api: string): number {
    return this.#apis.get(api)?.count ?? 0
  }

  render (partitions: readonly PartitionGauge[]): string {
    const lines: string[] = []
    const counter = (name: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`)
    }
    counter('sluice_bytes_in_total', 'Bytes received on Kafka connections.', this.bytesIn)
    counter('sluice_bytes_out_total', 'Bytes sent on Kafka connections.', this.bytesOut)
    counter('sluice_connections_total', 'Kafka connections accepted.', this.connectionsTotal)
    counter('sluice_http_requests_total', 'HTTP API requests.', this.httpRequests)
    counter('sluice_connections_refused_total', 'Kafka connections closed on accept by max.connections or max.connections.per.ip.', this.connectionsRefused)
    counter('sluice_connections_idle_closed_total', 'Kafka connections closed after connections.max.idle.ms without traffic.', this.connectionsIdleClosed)
    counter('sluice_internal_errors_total', 'Requests whose handler or response encoder failed (a bug); each closed its connection.', this.internalErrors)
    const pool = this.bufferPool?.stats
    counter('sluice_buffer_pool_reused_total', 'Large frames and Fetch reads given memory a finished request gave back.', pool?.reused ?? 0)
    counter('sluice_buffer_pool_allocated_total', 'Large frames and Fetch reads given new memory (the pool had none of that size).', pool?.allocated ?? 0)
    const simpleGauge = (name: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`)
    }
    simpleGauge('sluice_connections_open', 'Kafka connections open now.', this.connectionsOpen)
    simpleGauge('sluice_request_memory_bytes', 'Request bytes held (partial frames and requests in flight), bounded by queued.max.request.bytes.', this.requestMemory?.usedBytes ?? 0)
    simpleGauge('sluice_fetch_parked', 'Long-poll fetches parked now, bounded by fetch.max.parked.', this.fetchesParked())
    simpleGauge('sluice_uptime_seconds', 'Seconds since the broker started.', (Date.now() - this.#started) / 1000)
    lines.push('# HELP sluice_request_duration_seconds Time from a request frame arriving to its response being ready.', '# TYPE sluice_request_duration_seconds histogram')
    for (const [api, stats] of this.#apis) {
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => lines.push(`sluice_request_duration_seconds_bucket{api="${api}",le="${le}"} ${stats.buckets[i]}`))
      lines.push(`sluice_request_duration_seconds_bucket{api="${api}",le="+Inf"} ${stats.count}`)
      lines.push(`sluice_request_duration_seconds_sum{api="${api}"} ${stats.sumSeconds}`)
      lines.push(`sluice_request_duration_seconds_count{api="${api}"} ${stats.count}`)
    }
    const gauge = (name: string, help: string, pick: (p: PartitionGauge) => number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`)
      for (const p of partitions) lines.push(`${name}{topic="${p.topic}",partition="${p.partition}"} ${pick(p)}`)
    }
    gauge('sluice_log_end_offset', 'Next offset to be assigned in the partition.', p => p.logEndOffset)
    gauge('sluice_log_start_offset', 'First offset still in the partition.', p => p.logStartOffset)
    gauge('sluice_high_watermark', 'Offset below which records are readable.', p => p.highWatermark)
    lines.push(...this.requests.render())
    lines.push(...this.gcPauses.render())
    return lines.join('\n') + '\n'
  }
}
