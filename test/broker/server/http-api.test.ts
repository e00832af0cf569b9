// The HTTP API, REST-proxy style: keyed records land in the murmur2 partition, reads
// return what was written, and bad requests get a 4xx that says what to fix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { readPartition } from '../../helpers/topics.ts'

describe('HTTP API', () => {
  let broker: BrokerProcess
  let base: string
  beforeAll(async () => {
    broker = await startBrokerProcess({ overrides: { 'num.partitions': 4 } })
    base = broker.httpUrl!
  })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })

  it('writes keyed records to the murmur2 partition and reads them back', async () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `order-${i}`, value: { amount: i }, headers: { source: 'test' } }))
    const res = await post('/topics/orders/records', JSON.stringify(records))
    expect(res.status).toBe(200)
    const { offsets } = await res.json() as { offsets: Array<{ partition: number, offset: number }> }
    expect(offsets).toHaveLength(40)
    offsets.forEach((o, i) => expect(o.partition).toBe(partitionForKey(`order-${i}`, 4)))

    const p = offsets[7]!.partition
    const read = await (await fetch(`${base}/topics/orders/partitions/${p}/records?offset=0`)).json() as Array<{ offset: number, key: string, value: string, headers: Array<{ key: string, value: string }> }>
    const expected = records.filter((_, i) => offsets[i]!.partition === p)
    expect(read.map(r => r.key)).toEqual(expected.map(r => r.key))
    expect(read.map(r => JSON.parse(r.value))).toEqual(expected.map(r => r.value))
    expect(read[0]!.headers).toEqual([{ key: 'source', value: 'test' }])
    // The Kafka path sees exactly the same records.
    expect((await readPartition(broker.kafkaPort, 'orders', p)).map(r => r.key!.toString())).toEqual(expected.map(r => r.key))
  })

  it('round-trips binary keys and values in the base64: form GET uses', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80])
    const res = await post('/topics/binary/records', JSON.stringify([{ key: `base64:${bytes.toString('base64')}`, value: `base64:${bytes.toString('base64')}` }]))
    const { offsets } = await res.json() as { offsets: Array<{ partition: number }> }
    const [record] = await readPartition(broker.kafkaPort, 'binary', offsets[0]!.partition)
    expect(record!.value).toEqual(bytes)
    const read = await (await fetch(`${base}/topics/binary/partitions/${offsets[0]!.partition}/records`)).json() as Array<{ value: string }>
    expect(read[0]!.value).toBe(`base64:${bytes.toString('base64')}`)
  })

  it('lists topics, reports health and exposes Prometheus metrics', async () => {
    const topics = await (await fetch(`${base}/topics`)).json() as Array<{ name: string, partitions: number }>
    expect(topics).toContainEqual({ name: 'orders', partitions: 4 })
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toMatch(/sluice_bytes_in_total \d+/)
    expect(metrics).toMatch(/sluice_log_end_offset\{topic="orders",partition="\d"\} \d+/)
    expect(metrics).toContain('sluice_request_duration_seconds_count')
  })

  const badRequests: Array<[string, () => Promise<Response>, number, RegExp]> = [
    ['bad JSON', () => post('/topics/orders/records', '{nope'), 400, /not valid JSON/],
    ['a non-array body', () => post('/topics/orders/records', '{"key":"a"}'), 400, /JSON array/],
    ['an unknown record field', () => post('/topics/orders/records', '[{"vlaue":"x"}]'), 400, /unknown field "vlaue"/],
    ['a partition that does not exist', () => post('/topics/orders/records', '[{"value":"x","partition":9}]'), 400, /partition 9 does not exist/],
    ['an unknown topic', () => fetch(`${base}/topics/nope/partitions/0/records`), 404, /unknown topic "nope"/],
    ['a negative offset', () => fetch(`${base}/topics/orders/partitions/0/records?offset=-3`), 400, /offset must be a non-negative integer/],
    ['an offset past the end', () => fetch(`${base}/topics/orders/partitions/0/records?offset=99999`), 416, /out of range/],
    ['a write to an internal topic', () => post('/topics/__consumer_offsets/records', '[{"value":"x"}]'), 403, /is internal/],
    ['an unknown route', () => fetch(`${base}/nothing-here`), 404, /no route/],
  ]
  for (const [what, call, status, message] of badRequests) {
    it(`answers ${what} with ${status} and a message that says what to fix`, async () => {
      const res = await call()
      expect(res.status).toBe(status)
      expect(((await res.json()) as { error: string }).error).toMatch(message)
    })
  }
})
