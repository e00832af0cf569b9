// The http driver against a reference broker process: produce through POST with linger,
// consume by polling each partition, keys placed by the broker's Java murmur2 rule;
// binary payloads and keys survive through the base64: convention.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { runHttpLoad } from '../../../harness/drivers/http-load.ts'
import { createDriver } from '../../../harness/drivers/index.ts'
import type { BenchmarkDriver, ConsumedMessage } from '../../../harness/drivers/driver.ts'
import { driverOptions, roundTrip } from './round-trip.ts'

describe('http driver', () => {
  let cluster: ProcessCluster
  let driver: BenchmarkDriver
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: {} })
    driver = createDriver('http', driverOptions(cluster))
  })
  afterAll(async () => {
    await driver?.close()
    await cluster?.stop()
  })

  it('round-trips 1000 keyed messages into Java murmur2 partitions', async () => {
    // The broker stamps records on arrival, so allow the linger and request time.
    await roundTrip(driver, { topic: 'http-rt', subscription: 'http-sub', timestampLateMsMax: 5_000 })
  })

  it('keeps binary keys and payloads byte for byte and places them by their bytes', async () => {
    await driver.createTopic('http-bin', 3)
    const producer = await driver.createProducer('http-bin')
    const key = Buffer.from([0xff, 0xfe, 0x00, 0x80])
    const payload = Buffer.from([0xc3, 0x28, 0x00, 0xff])
    await producer.send(key, payload)
    await producer.close()
    const got: ConsumedMessage[] = []
    const consumer = await driver.createConsumer('http-bin', 's', m => got.push(m))
    const deadline = Date.now() + 10_000
    while (got.length === 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 50))
    await consumer.close()
    expect(got).toHaveLength(1)
    expect(got[0]!.key).toEqual(key)
    expect(got[0]!.value).toEqual(payload)
    expect(got[0]!.partition).toBe(partitionForKey(key, 3))
  })

  it('runs autocannon against the produce endpoint', async () => {
    await driver.createTopic('http-load', 2)
    const result = await runHttpLoad({ url: cluster.brokers[0]!.httpUrl!, topic: 'http-load', amount: 200, connections: 4, recordsPerRequest: 5, keyCount: 10 })
    expect(result.non2xx).toBe(0)
    expect(result.errors).toBe(0)
    expect(result.requests.total).toBe(200)
    const topics = await (await fetch(`${cluster.brokers[0]!.httpUrl}/topics`)).json() as Array<{ name: string }>
    expect(topics.map(t => t.name)).toContain('http-load')
  })
})
