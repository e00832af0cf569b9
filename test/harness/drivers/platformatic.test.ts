// The platformatic driver against a reference broker process: Java-compatible
// partitioning (3 partitions, where the library's default partitioner disagrees with
// Java) and a real consumer group reading from the beginning.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { createDriver } from '../../../harness/drivers/index.ts'
import type { BenchmarkDriver } from '../../../harness/drivers/driver.ts'
import { driverOptions, roundTrip } from './round-trip.ts'

describe('platformatic driver', () => {
  let cluster: ProcessCluster
  let driver: BenchmarkDriver
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: { 'group.initial.rebalance.delay.ms': 0 } })
    driver = createDriver('platformatic', driverOptions(cluster))
  })
  afterAll(async () => {
    await driver?.close()
    await cluster?.stop()
  })

  it('round-trips 1000 keyed messages into Java murmur2 partitions through a consumer group', async () => {
    await roundTrip(driver, { topic: 'plt-rt', subscription: 'plt-group' })
  })
})

describe('platformatic driver acks', () => {
  // One broker with min.insync.replicas=2 refuses every acks=all write (NOT_ENOUGH_REPLICAS)
  // and takes acks=1: the driver must send the workload's acks, not the library's default.
  let cluster: ProcessCluster
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: { 'min.insync.replicas': 2, 'group.initial.rebalance.delay.ms': 0 } })
  })
  afterAll(async () => { await cluster?.stop() })

  it('sends acks=all when the workload says so, and acks=1 when it says that', async () => {
    const outcome = async (acks: -1 | 1): Promise<string> => {
      const driver = createDriver('platformatic', driverOptions(cluster, { acks, retries: 0, lingerMs: 0 }))
      try {
        await driver.createTopic(`plt-acks${acks}`, 1)
        const producer = await driver.createProducer(`plt-acks${acks}`)
        try {
          await producer.send(null, Buffer.from('x'))
          await producer.close()
          return 'ok'
        } catch (err) {
          return (err as Error).message
        }
      } finally {
        await driver.close()
      }
    }
    expect(await outcome(1)).toBe('ok')
    expect(await outcome(-1)).not.toBe('ok')
  })
})
