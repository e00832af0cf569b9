// The admin APIs issue 16 found missing, through the clients that use them: kafkajs 2.2.4
// (CreatePartitions v1, DeleteRecords v1, DeleteGroups v1, OffsetFetch v4) and
// @platformatic/kafka (CreatePartitions v3, DeleteRecords v2, DeleteGroups v2, OffsetDelete
// v0, ListGroups v4 with a state filter, OffsetFetch v8 for several groups at once).

import { Admin, Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { makeDataDir, removeDir, spawnBroker, waitFor, type BrokerChild } from '../group/helpers.ts'

function kafkaFor (broker: BrokerChild): Kafka {
  return new Kafka({ clientId: 'admin-apis', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
}

/** The Kafka error codes inside a platformatic error (it nests them per request path). */
function errorCodes (err: unknown): number[] {
  const codes: number[] = []
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return
    const o = e as { apiCode?: number, errors?: unknown[], response?: unknown }
    if (typeof o.apiCode === 'number') codes.push(o.apiCode)
    for (const inner of o.errors ?? []) walk(inner)
  }
  walk(err)
  return codes
}

describe('admin APIs through real clients', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  async function broker (dataDir?: string): Promise<BrokerChild> {
    const dir = dataDir ?? await makeDataDir()
    if (dataDir === undefined) cleanups.push(() => removeDir(dir))
    const child = await spawnBroker(dir, { 'auto.create.topics.enable': false })
    cleanups.push(() => child.stop())
    return child
  }

  it('kafkajs: createPartitions, deleteTopicRecords (kept across a restart), deleteGroups', async () => {
    const dataDir = await makeDataDir()
    cleanups.push(() => removeDir(dataDir))
    const first = await broker(dataDir)
    const admin = kafkaFor(first).admin()
    cleanups.push(() => admin.disconnect())
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] })
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] })
    expect((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions).toHaveLength(3)
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] })).rejects.toThrow()

    const producer = kafkaFor(first).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    cleanups.push(() => producer.disconnect())
    await producer.connect()
    await producer.send({ topic: 'grow', messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })) })
    await producer.send({ topic: 'grow', messages: [{ partition: 2, value: 'in a new partition' }] })
    await producer.disconnect()
    await admin.deleteTopicRecords({ topic: 'grow', partitions: [{ partition: 0, offset: '4' }] })
    const low = async (a: typeof admin): Promise<string | undefined> => (await a.fetchTopicOffsets('grow')).find(o => o.partition === 0)?.low
    expect(await low(admin)).toBe('4')
    await expect(admin.deleteTopicRecords({ topic: 'grow', partitions: [{ partition: 0, offset: '99' }] })).rejects.toThrow()

    await admin.setOffsets({ groupId: 'to-delete', topic: 'grow', partitions: [{ partition: 0, offset: '5' }] })
    expect((await admin.fetchOffsets({ groupId: 'to-delete', topics: ['grow'] }))[0]!.partitions.find(p => p.partition === 0)!.offset).toBe('5')
    await admin.deleteGroups(['to-delete'])
    expect((await admin.listGroups()).groups.map(g => g.groupId)).not.toContain('to-delete')
    await expect(admin.deleteGroups(['never-existed'])).rejects.toThrow()
    await admin.disconnect()

    await first.kill()
    const second = await broker(dataDir)
    const again = kafkaFor(second).admin()
    cleanups.push(() => again.disconnect())
    await again.connect()
    expect(await low(again)).toBe('4')
    expect((await again.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions).toHaveLength(3)
    expect((await again.fetchOffsets({ groupId: 'to-delete', topics: ['grow'] }))[0]!.partitions.find(p => p.partition === 0)!.offset).toBe('-1')
  })

  it('platformatic: listGroups by state, OffsetFetch v8 for two groups, OffsetDelete, deleteRecords, createPartitions, deleteGroups', async () => {
    const child = await broker()
    const admin = new Admin({ clientId: 'admin-apis', bootstrapBrokers: [child.bootstrap] })
    cleanups.push(() => admin.close())
    await admin.createTopics({ topics: ['plt-admin'], partitions: 2, replicas: 1 })
    await admin.createPartitions({ topics: [{ name: 'plt-admin', count: 4 }] })
    expect((await admin.metadata({ topics: ['plt-admin'] })).topics.get('plt-admin')!.partitionsCount).toBe(4)

    const kafkajs = kafkaFor(child).admin()
    cleanups.push(() => kafkajs.disconnect())
    await kafkajs.connect()
    const producer = kafkaFor(child).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    cleanups.push(() => producer.disconnect())
    await producer.connect()
    await producer.send({ topic: 'plt-admin', messages: Array.from({ length: 6 }, (_, i) => ({ partition: 1, value: `v${i}` })) })
    await admin.deleteRecords({ topics: [{ name: 'plt-admin', partitions: [{ partition: 1, offset: 3n }] }] })
    expect((await kafkajs.fetchTopicOffsets('plt-admin')).find(o => o.partition === 1)!.low).toBe('3')
    await kafkajs.setOffsets({ groupId: 'offsets-only', topic: 'plt-admin', partitions: [{ partition: 3, offset: '1' }] })

    const consumer = new Consumer({
      groupId: 'live', clientId: 'live', bootstrapBrokers: [child.bootstrap], deserializers: stringDeserializers,
      sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTime: 100,
    })
    cleanups.push(() => consumer.close(true))
    const stream: MessagesStream<string, string, string, string> = await consumer.consume({ topics: ['plt-admin'], mode: 'earliest', autocommit: 100 })
    cleanups.push(() => stream.close())
    stream.on('data', () => {})
    const stable = await waitFor('the live group in Stable', async () => {
      const groups = await admin.listGroups({ states: ['STABLE'] })
      return groups.get('live')
    })
    expect(stable.state).toBe('Stable')
    expect([...(await admin.listGroups({ states: ['EMPTY'] })).keys()]).toEqual(['offsets-only'])
    await waitFor('the live group committed partition 1', async () => {
      const committed = await admin.listConsumerGroupOffsets({ groups: ['live'] })
      return committed[0]!.topics.some(t => t.partitions.some(p => p.partitionIndex === 1 && p.committedOffset === 6n))
    })
    const both = await admin.listConsumerGroupOffsets({ groups: ['live', 'offsets-only'] })
    expect(both.map(g => g.groupId).sort()).toEqual(['live', 'offsets-only'])
    expect(both.find(g => g.groupId === 'offsets-only')!.topics).toEqual([
      { name: 'plt-admin', partitions: [{ partitionIndex: 3, committedOffset: 1n, committedLeaderEpoch: -1, metadata: '' }] },
    ])

    const subscribed = await admin.deleteConsumerGroupOffsets({ groupId: 'live', topics: [{ name: 'plt-admin', partitionIndexes: [1] }] }).catch((e: unknown) => e)
    expect(errorCodes(subscribed)).toContain(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC)
    await admin.deleteConsumerGroupOffsets({ groupId: 'offsets-only', topics: [{ name: 'plt-admin', partitionIndexes: [3] }] })
    expect((await kafkajs.fetchOffsets({ groupId: 'offsets-only', topics: ['plt-admin'] }))[0]!.partitions.find(p => p.partition === 3)!.offset).toBe('-1')

    const notEmpty = await admin.deleteGroups({ groups: ['live'] }).catch((e: unknown) => e)
    expect(errorCodes(notEmpty)).toContain(ErrorCode.NON_EMPTY_GROUP)
    await admin.deleteGroups({ groups: ['offsets-only'] })
    expect([...(await admin.listGroups()).keys()]).toEqual(['live'])
  })
})
