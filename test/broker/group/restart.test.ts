// Committed offsets survive SIGKILL: a broker child process is killed right after a kafkajs
// consumer's commit resolved, a new broker starts on the same data dir, and a new consumer
// in the same group starts every partition exactly at the last successful commit.

import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { OffsetFetch } from '../../../broker/protocol/09-offset-fetch.ts'
import { makeDataDir, removeDir, spawnBroker, waitFor, type BrokerChild } from './helpers.ts'
import { RawClient } from './raw-client.ts'

const TOPIC = 'restart-topic'
const GROUP = 'restart-group'
const PARTITIONS = 3

function consumerFor (kafka: Kafka): Consumer {
  return kafka.consumer({ groupId: GROUP, sessionTimeout: 3000, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 })
}

describe('committed offsets across SIGKILL', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  it('resumes a restarted group exactly at the last successful commit', async () => {
    const dataDir = await makeDataDir()
    cleanups.push(() => removeDir(dataDir))
    const first: BrokerChild = await spawnBroker(dataDir)
    cleanups.push(() => first.kill())
    const kafka = new Kafka({ clientId: 'restart', brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
    const admin = kafka.admin()
    cleanups.push(() => admin.disconnect())
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
    await admin.disconnect()
    const producer = kafka.producer()
    cleanups.push(() => producer.disconnect())
    await producer.connect()
    for (let p = 0; p < PARTITIONS; p++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ partition: p, value: `p${p}-${i}` })) })
    }
    await producer.disconnect()

    const consumer = consumerFor(kafka)
    cleanups.push(() => consumer.disconnect())
    let joined = false
    consumer.on(consumer.events.GROUP_JOIN, () => { joined = true })
    await consumer.connect()
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
    await consumer.run({ autoCommit: false, eachMessage: async () => {} })
    await waitFor('the first consumer in the group', () => joined)
    // Several commits; only the last successful one counts.
    await consumer.commitOffsets([0, 1, 2].map(p => ({ topic: TOPIC, partition: p, offset: '3' })))
    const last = [17, 4, 29]
    await consumer.commitOffsets(last.map((offset, p) => ({ topic: TOPIC, partition: p, offset: String(offset) })))
    await first.kill()
    expect(first.child.signalCode).toBe('SIGKILL')
    await consumer.disconnect().catch(() => {})

    const second = await spawnBroker(dataDir)
    cleanups.push(() => second.stop())
    const raw = await RawClient.connect(second.port)
    cleanups.push(async () => { raw.close() })
    const fetched = await raw.send(OffsetFetch, 5, { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }] })
    expect(fetched.topics[0]!.partitions.map(p => p.committedOffset)).toEqual(last)

    const resumed = consumerFor(new Kafka({ clientId: 'restart-2', brokers: [second.bootstrap], logLevel: logLevel.NOTHING }))
    cleanups.push(() => resumed.disconnect())
    const firstOffset = new Map<number, number>()
    await resumed.connect()
    await resumed.subscribe({ topics: [TOPIC], fromBeginning: true })
    await resumed.run({
      eachMessage: async ({ partition, message }) => {
        if (!firstOffset.has(partition)) firstOffset.set(partition, Number(message.offset))
      },
    })
    // The dead consumer's membership was restored too; it lapses after its 3 s session.
    await waitFor('a message from every partition after the restart', () => firstOffset.size === PARTITIONS, 25_000)
    expect([0, 1, 2].map(p => firstOffset.get(p))).toEqual(last)
  })
})
