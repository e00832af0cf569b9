// Every codec through clients that compress (issue 16): kcat's librdkafka 2.0.2 stops
// compressing gzip, snappy and lz4 against a Produce range starting at v3, so these go
// through @platformatic/kafka (gzip, snappy, lz4, zstd), kafkajs (gzip, its only built-in
// codec) and the native client (gzip, zstd). The broker stores each batch as received: the
// codec bits stay, the CRC-32C still checks, and a consumer reads every value back.

import { CompressionAlgorithms, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fetch } from '../../../broker/protocol/01-fetch.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { ATTR_COMPRESSION_MASK, BATCH_OFFSET_ATTRIBUTES, checkBatch, Compression, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { BatchBuilder, compressBatch, KafkaClient } from '../../../harness/client/index.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const COUNT = 20
const value = (topic: string, i: number): string => `${topic}:${i}:${'compressible '.repeat(20)}`

/** The stored batches of partition 0, as the broker serves them. */
async function storedBatches (port: number, topic: string): Promise<Buffer[]> {
  const conn = await RawConnection.open(port)
  try {
    const { response } = await conn.request(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 10 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 10 * 1024 * 1024 }] }],
      forgottenTopics: [], rackId: '',
    })
    const records = response.topics[0]!.partitions[0]!.records
    if (records === null) return []
    return splitBatches(Buffer.isBuffer(records) ? records : Buffer.concat(records as Buffer[]))
  } finally {
    conn.close()
  }
}

describe('compressed batches from real clients', () => {
  let broker: BrokerProcess
  const sent = new Map<string, number>()
  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'auto.create.topics.enable': false } })
    const topics = ['plt-gzip', 'plt-snappy', 'plt-lz4', 'plt-zstd', 'kjs-gzip', 'native-gzip', 'native-zstd']
    for (const topic of topics) await createTopic(broker.kafkaPort, topic, 1)

    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const producer = new Producer({ clientId: `plt-${codec}`, bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, compression: CompressionAlgorithms[codec.toUpperCase() as 'GZIP'] })
      const topic = `plt-${codec}`
      await producer.send({ messages: Array.from({ length: COUNT }, (_, i) => ({ topic, partition: 0, key: String(i), value: value(topic, i) })) })
      await producer.close()
      sent.set(topic, Compression[codec])
    }

    const kafkajs = new Kafka({ clientId: 'kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await kafkajs.connect()
    await kafkajs.send({ topic: 'kjs-gzip', compression: CompressionTypes.GZIP, messages: Array.from({ length: COUNT }, (_, i) => ({ partition: 0, key: String(i), value: value('kjs-gzip', i) })) })
    await kafkajs.disconnect()
    sent.set('kjs-gzip', Compression.gzip)

    const native = new KafkaClient({ bootstrap: [broker.bootstrap], clientId: 'native' })
    try {
      for (const codec of ['gzip', 'zstd'] as const) {
        const topic = `native-${codec}`
        const builder = new BatchBuilder()
        for (let i = 0; i < COUNT; i++) builder.append(Buffer.from(String(i)), Buffer.from(value(topic, i)), null, Date.now())
        const res = await native.produce(0, topic, [{ partition: 0, batch: await compressBatch(builder.seal(), codec) }], { acks: -1, timeoutMs: 5000 })
        expect(res!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
        sent.set(topic, Compression[codec])
      }
    } finally {
      await native.close()
    }
  }, 60_000)
  afterAll(async () => {
    await broker?.stop()
    if (broker !== undefined) await removeDir(broker.dataDir)
  })

  it('stores each batch with its codec and a valid CRC-32C', async () => {
    expect(sent.size).toBe(7)
    for (const [topic, codec] of sent) {
      const batches = await storedBatches(broker.kafkaPort, topic)
      expect(batches.length, topic).toBeGreaterThan(0)
      for (const batch of batches) {
        expect(batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK, topic).toBe(codec)
        expect(checkBatch(batch, false), topic).toMatchObject({ errorCode: ErrorCode.NONE })
      }
    }
  })

  it('reads every value back through a consumer that decompresses all four codecs', async () => {
    const consumer = new Consumer({ groupId: 'compression-readback', clientId: 'readback', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers, maxWaitTime: 100 })
    const got = new Map<string, string[]>()
    try {
      const stream = await consumer.consume({ topics: [...sent.keys()], mode: 'earliest' })
      for await (const message of stream) {
        const list = got.get(message.topic) ?? []
        list.push(message.value)
        got.set(message.topic, list)
        if ([...sent.keys()].every(t => (got.get(t)?.length ?? 0) >= COUNT)) break
      }
      await stream.close()
    } finally {
      await consumer.close(true)
    }
    for (const topic of sent.keys()) expect(got.get(topic), topic).toEqual(Array.from({ length: COUNT }, (_, i) => value(topic, i)))
  })
})
