// @platformatic/kafka: a producer using its Java-compatible partitioner sends keyed
// messages; our Fetch codec reads back exactly what was sent, each key in the partition
// Java's murmur2 rule gives (platformatic's default partitioner would differ at 6).

import { compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const PARTITIONS = 6

describe('@platformatic/kafka', () => {
  let broker: BrokerProcess
  beforeAll(async () => { broker = await startBrokerProcess({ httpPort: 'none' }) })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  it('produces keyed messages that read back identical and correctly partitioned', async () => {
    const topic = 'platformatic-keyed'
    await createTopic(broker.kafkaPort, topic, PARTITIONS)
    const producer = new Producer({
      clientId: 'sluice-test',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      partitioner: compatibilityPartitioner,
      acks: -1,
    })
    const sent: Array<{ key: string, value: string }> = []
    try {
      for (let batch = 0; batch < 10; batch++) {
        const messages = Array.from({ length: 100 }, (_, i) => ({ topic, key: `device-${(batch * 100 + i) % 89}`, value: `reading-${batch * 100 + i}` }))
        await producer.send({ messages })
        sent.push(...messages)
      }
    } finally {
      await producer.close()
    }
    const read: Array<{ key: string, value: string, partition: number }> = []
    for (let p = 0; p < PARTITIONS; p++) {
      for (const r of await readPartition(broker.kafkaPort, topic, p)) read.push({ key: r.key!.toString(), value: r.value!.toString(), partition: p })
    }
    expect(read.map(r => `${r.key}=${r.value}`).sort()).toEqual(sent.map(s => `${s.key}=${s.value}`).sort())
    for (const r of read) expect(r.partition).toBe(partitionForKey(r.key, PARTITIONS))
  })
})
