// The kafkajs driver against a reference broker process: Java-compatible
// partitioning (3 partitions, where non-Java partitioners disagree with
// Java) and a real consumer group reading from the beginning.

import { afterAll, beforeAll, describe, it } from 'vitest'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { createDriver } from '../../../harness/drivers/index.ts'
import type { BenchmarkDriver } from '../../../harness/drivers/driver.ts'
import { driverOptions, roundTrip } from './round-trip.ts'

describe('kafkajs driver', () => {
  let cluster: ProcessCluster
  let driver: BenchmarkDriver
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: { 'group.initial.rebalance.delay.ms': 0 } })
    driver = createDriver('kafkajs', driverOptions(cluster))
  })
  afterAll(async () => {
    await driver?.close()
    await cluster?.stop()
  })

  it('round-trips 1000 keyed messages into Java murmur2 partitions through a consumer group', async () => {
    await roundTrip(driver, { topic: 'kafkajs-rt', subscription: 'kafkajs-group' })
  })
})
