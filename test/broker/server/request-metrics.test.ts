// Kafka-style RequestMetrics in /metrics (issue 13 item 3): a real broker process, real
// requests over TCP. Counts match the requests sent, each request's total is at least the
// sum of its parts (checked one request at a time, by the difference of two scrapes, and
// for the exported sums after a pipelined burst), and a long-poll fetch's wait shows up as
// remote time, not local time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fetch, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { REQUEST_PARTS } from '../../../broker/server/request-metrics.ts'
import { parsePrometheusText } from '../../../harness/measure/prometheus-text.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const TOPIC = 'request-metrics'
const SINGLE_REQUESTS = 5
const BURST_REQUESTS = 50
const LONG_POLL_MS = 300
const EPSILON_MS = 1e-6
const PARTS = REQUEST_PARTS.filter(p => p !== 'TotalTimeMs')

const family = (part: string): string => `kafka_network_requestmetrics_${part.toLowerCase()}`

function fetchRequest (fetchOffset: number, maxWaitMs: number, minBytes: number): FetchRequest {
  return {
    replicaId: -1, maxWaitMs, minBytes, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
    forgottenTopics: [], rackId: '',
  }
}

const produceRequest = (i: number, acks = 1) => ({
  transactionalId: null, acks, timeoutMs: 1000,
  topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(1000, 48 + (i % 10)) }] }) }] }],
})

describe('RequestMetrics in /metrics', () => {
  let broker: BrokerProcess
  let conn: RawConnection
  beforeAll(async () => {
    broker = await startBrokerProcess({})
    await createTopic(broker.kafkaPort, TOPIC, 1)
    conn = await RawConnection.open(broker.kafkaPort)
  })
  afterAll(async () => {
    conn?.close()
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  const scrape = async (): Promise<Map<string, number>> => parsePrometheusText(await (await fetch(`${broker.httpUrl!}/metrics`)).text())
  const value = (m: Map<string, number>, name: string, request: string): number => m.get(`${name}{request="${request}"}`) ?? 0
  /** One request's parts: the difference of the sums between two scrapes around it. */
  const delta = (before: Map<string, number>, after: Map<string, number>, request: string): Record<string, number> =>
    Object.fromEntries(REQUEST_PARTS.map(p => [p, value(after, `${family(p)}_sum`, request) - value(before, `${family(p)}_sum`, request)]))

  it('times each Produce and Fetch, and each total is at least the sum of its parts', async () => {
    for (const [api, send] of [
      ['Produce', (i: number) => conn.request(Produce, 8, produceRequest(i))],
      ['Fetch', () => conn.request(Fetch, 11, fetchRequest(0, 0, 0))],
    ] as const) {
      for (let i = 0; i < SINGLE_REQUESTS; i++) {
        const before = await scrape()
        await send(i)
        const after = await scrape()
        expect(value(after, `${family('TotalTimeMs')}_count`, api) - value(before, `${family('TotalTimeMs')}_count`, api)).toBe(1)
        const parts = delta(before, after, api)
        for (const p of REQUEST_PARTS) expect(parts[p], `${api} ${p}`).toBeGreaterThanOrEqual(0)
        const sum = PARTS.reduce((s, p) => s + parts[p]!, 0)
        expect(parts.TotalTimeMs).toBeGreaterThan(0)
        expect(parts.TotalTimeMs! + EPSILON_MS).toBeGreaterThanOrEqual(sum)
        // A fetch that finds data at once never parks.
        expect(parts.RemoteTimeMs).toBe(0)
      }
    }
  })

  it('counts a pipelined burst exactly, with cumulative buckets and sums that add up', async () => {
    const before = await scrape()
    for (let i = 0; i < BURST_REQUESTS; i++) conn.writeBytes(conn.encode(Produce, 8, produceRequest(i)))
    for (let i = 0; i < BURST_REQUESTS; i++) await conn.readResponse(Produce, 8)
    const after = await scrape()
    const total = family('TotalTimeMs')
    expect(value(after, `${total}_count`, 'Produce') - value(before, `${total}_count`, 'Produce')).toBe(BURST_REQUESTS)
    expect(after.get(`${total}_bucket{request="Produce",le="+Inf"}`)).toBe(value(after, `${total}_count`, 'Produce'))
    const parts = delta(before, after, 'Produce')
    expect(parts.TotalTimeMs! + EPSILON_MS * BURST_REQUESTS).toBeGreaterThanOrEqual(PARTS.reduce((s, p) => s + parts[p]!, 0))
    // Responses go out in order, so requests behind a slower one wait in the response queue
    // or the request queue: some of the burst's time is queueing, not all of it local.
    expect(parts.RequestQueueTimeMs! + parts.ResponseQueueTimeMs!).toBeGreaterThan(0)
  })

  it('counts an acks=0 produce, which gets no response, with no response time', async () => {
    const before = await scrape()
    conn.writeBytes(conn.encode(Produce, 8, produceRequest(0, 0)))
    const total = `${family('TotalTimeMs')}_count`
    let after = await scrape()
    for (let i = 0; i < 50 && value(after, total, 'Produce') === value(before, total, 'Produce'); i++) after = await scrape()
    expect(value(after, total, 'Produce') - value(before, total, 'Produce')).toBe(1)
    const parts = delta(before, after, 'Produce')
    expect(parts.ResponseQueueTimeMs).toBe(0)
    expect(parts.ResponseSendTimeMs).toBe(0)
    expect(parts.TotalTimeMs! + EPSILON_MS).toBeGreaterThanOrEqual(PARTS.reduce((s, p) => s + parts[p]!, 0))
  })

  it('shows a long-poll fetch wait as remote time', async () => {
    const end = (await conn.request(Fetch, 11, fetchRequest(0, 0, 0))).response.topics[0]!.partitions[0]!.highWatermark
    const before = await scrape()
    const started = performance.now()
    await conn.request(Fetch, 11, fetchRequest(Number(end), LONG_POLL_MS, 1))
    const waitedMs = performance.now() - started
    const after = await scrape()
    const parts = delta(before, after, 'Fetch')
    expect(waitedMs).toBeGreaterThanOrEqual(LONG_POLL_MS - 5)
    expect(parts.RemoteTimeMs).toBeGreaterThanOrEqual(LONG_POLL_MS * 0.9)
    expect(parts.LocalTimeMs).toBeLessThan(LONG_POLL_MS / 2)
    expect(parts.TotalTimeMs! + EPSILON_MS).toBeGreaterThanOrEqual(PARTS.reduce((s, p) => s + parts[p]!, 0))
    expect(after.get(`${family('RemoteTimeMs')}_bucket{request="Fetch",le="250"}`)).toBe(before.get(`${family('RemoteTimeMs')}_bucket{request="Fetch",le="250"}`))
  })
})
