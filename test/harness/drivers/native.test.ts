// The native driver against a reference broker process.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { createDriver } from '../../../harness/drivers/index.ts'
import type { BenchmarkConsumer, BenchmarkDriver } from '../../../harness/drivers/driver.ts'
import { decodeTimestampHeader, TIMESTAMP_HEADER } from '../../../harness/measure/clock.ts'
import { driverOptions, roundTrip } from './round-trip.ts'

describe('native driver', () => {
  let cluster: ProcessCluster
  let driver: BenchmarkDriver
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: {} })
  })
  afterAll(async () => {
    await driver?.close()
    await cluster?.stop()
  })

  it('round-trips 1000 keyed messages into Java murmur2 partitions', async () => {
    driver = createDriver('native', driverOptions(cluster))
    await roundTrip(driver, { topic: 'native-rt', subscription: 'sub-a' })
  })

  it('gives each subscription its own position from offset 0', async () => {
    const again = await roundTripOnExisting(driver, 'native-rt', 'sub-b')
    expect(again).toBe(1000)
  })

  it('createTimedConsumer reports every record\'s value size and send stamp, as createConsumer delivers them', async () => {
    const expected: Array<[number, number | null]> = []
    await readAll(driver, 'native-rt', 'sub-m', listener => driver.createConsumer('native-rt', 'sub-m', m => listener(m.value?.length ?? 0, decodeTimestampHeader(m.headers[TIMESTAMP_HEADER]))), expected)
    const timed: Array<[number, number | null]> = []
    await readAll(driver, 'native-rt', 'sub-t', listener => driver.createTimedConsumer!('native-rt', 'sub-t', { received: listener }), timed)
    expect(timed).toHaveLength(1000)
    expect(timed.every(([, us]) => us !== null && us > 0)).toBe(true)
    const byValue = (a: [number, number | null], b: [number, number | null]): number => a[1]! - b[1]! || a[0] - b[0]
    expect(timed.sort(byValue)).toEqual(expected.sort(byValue))
  })

  it('compresses with zstd and acks=-1, and reads it back', async () => {
    const zstd = createDriver('native', driverOptions(cluster, { compression: 'zstd', acks: -1, lingerMs: 0 }))
    try {
      await roundTrip(zstd, { topic: 'native-zstd', subscription: 's', messages: 300 })
    } finally {
      await zstd.close()
    }
  })

  it('acks=0 resolves sends without broker answers and the records still arrive', async () => {
    const fire = createDriver('native', driverOptions(cluster, { acks: 0 }))
    try {
      await roundTrip(fire, { topic: 'native-acks0', subscription: 's', messages: 200 })
    } finally {
      await fire.close()
    }
  })

  it('compresses with lz4 (the shared codec module) and reads it back', async () => {
    const lz4 = createDriver('native', driverOptions(cluster, { compression: 'lz4', lingerMs: 0 }))
    try {
      await roundTrip(lz4, { topic: 'native-lz4', subscription: 's', messages: 300 })
    } finally {
      await lz4.close()
    }
  })
})

async function roundTripOnExisting (driver: BenchmarkDriver, topic: string, subscription: string): Promise<number> {
  let count = 0
  const { promise, resolve } = Promise.withResolvers<void>()
  const consumer = await driver.createConsumer(topic, subscription, () => { if (++count === 1000) resolve() })
  const timer = setTimeout(resolve, 15_000)
  await promise
  clearTimeout(timer)
  await consumer.close()
  return count
}

/** Reads 1000 records through `create`'s consumer into `out` (size, decoded stamp). */
async function readAll (driver: BenchmarkDriver, topic: string, subscription: string,
  create: (listener: (sizeBytes: number, stampUs: number | null) => void) => Promise<BenchmarkConsumer>, out: Array<[number, number | null]>): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>()
  const consumer = await create((sizeBytes, stampUs) => { if (out.push([sizeBytes, stampUs]) === 1000) resolve() })
  const timer = setTimeout(resolve, 15_000)
  await promise
  clearTimeout(timer)
  await consumer.close()
}
