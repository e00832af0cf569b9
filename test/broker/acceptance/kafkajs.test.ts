// kafkajs 2.2.4: admin creates topics and reads offsets; the producer with the
// Java-compatible partitioner writes at acks=-1 and acks=1; what our own Fetch codec reads
// back is identical, and every key sits in the partition Java's murmur2 rule gives.

import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { readPartition } from '../../helpers/topics.ts'

const PARTITIONS = 6

describe('kafkajs 2.2.4', () => {
  let broker: BrokerProcess
  let kafka: Kafka
  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'auto.create.topics.enable': false } })
    kafka = new Kafka({ clientId: 'sluice-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } })
  })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  it('creates topics, lists them and reads offsets through the admin client', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }, { topic: 'admin-b', numPartitions: 1 }] })).toBe(true)
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false)
      expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']))
      const offsets = await admin.fetchTopicOffsets('admin-a')
      expect(offsets.map(o => [o.partition, o.offset, o.low, o.high]).sort()).toEqual([[0, '0', '0', '0'], [1, '0', '0', '0'], [2, '0', '0', '0']])
      const meta = await admin.fetchTopicMetadata({ topics: ['admin-a'] })
      expect(meta.topics[0]!.partitions).toHaveLength(3)
    } finally {
      await admin.disconnect()
    }
  })

  for (const acks of [-1, 1]) {
    it(`produces keyed messages at acks=${acks} that read back identical and correctly partitioned`, async () => {
      const topic = `kafkajs-acks${acks === -1 ? 'all' : acks}`
      const admin = kafka.admin()
      await admin.connect()
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
      await producer.connect()
      const sent: Array<{ key: string, value: string }> = []
      try {
        for (let batch = 0; batch < 20; batch++) {
          const messages = Array.from({ length: 100 }, (_, i) => ({ key: `user-${(batch * 100 + i) % 97}`, value: `v-${batch * 100 + i}` }))
          await producer.send({ topic, acks, messages })
          sent.push(...messages)
        }
        const offsets = await admin.fetchTopicOffsets(topic)
        expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(sent.length)
      } finally {
        await producer.disconnect()
        await admin.disconnect()
      }
      const read: Array<{ key: string, value: string, partition: number }> = []
      for (let p = 0; p < PARTITIONS; p++) {
        for (const r of await readPartition(broker.kafkaPort, topic, p)) read.push({ key: r.key!.toString(), value: r.value!.toString(), partition: p })
      }
      expect(read.map(r => r.value).sort()).toEqual(sent.map(s => s.value).sort())
      for (const r of read) expect(r.partition).toBe(partitionForKey(r.key, PARTITIONS))
      // Within a partition the order is the order of sending.
      for (let p = 0; p < PARTITIONS; p++) {
        const values = read.filter(r => r.partition === p).map(r => Number(r.value.slice(2)))
        expect(values).toEqual([...values].sort((a, b) => a - b))
      }
    })
  }
})
