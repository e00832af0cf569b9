// @platformatic/kafka consumers in one group: once the two members share the partitions,
// keyed messages are consumed exactly once, each partition by one member, in offset order,
// so every key's messages arrive in the order they were written; autocommit reaches the
// high watermarks.

import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { appendRecords, createTopic, startTestBroker, waitFor, type TestBroker } from './helpers.ts'

const PARTITIONS = 4
const KEYS = 24
const PER_KEY = 15

describe('@platformatic/kafka consumer group', () => {
  let env: TestBroker
  const consumers: Array<Consumer<string, string, string, string>> = []
  const streams: Array<MessagesStream<string, string, string, string>> = []
  beforeEach(async () => { env = await startTestBroker() })
  afterEach(async () => {
    await Promise.allSettled(streams.splice(0).map(s => s.close()))
    await Promise.allSettled(consumers.splice(0).map(c => c.close(true)))
    await env.close()
  })

  it('consumes keyed messages exactly once and in per-partition order', async () => {
    const topic = 'plt-keyed'
    const groupId = 'plt-group'
    await createTopic(env.broker, topic, PARTITIONS)
    const received: Array<{ member: number, partition: number, offset: bigint, key: string, value: string }> = []
    for (let member = 0; member < 2; member++) {
      const consumer = new Consumer({
        groupId,
        clientId: `plt-${member}`,
        bootstrapBrokers: [env.bootstrap],
        deserializers: stringDeserializers,
        sessionTimeout: 6000,
        heartbeatInterval: 300,
        rebalanceTimeout: 10_000,
        maxWaitTime: 100,
      })
      consumers.push(consumer)
      const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 })
      streams.push(stream)
      stream.on('data', message => {
        received.push({ member, partition: message.partition, offset: message.offset, key: message.key, value: message.value })
      })
    }
    // Both clients must have taken their new assignment (the broker's Stable state alone says
    // nothing about a client's fetch loop), and a probe per partition must have reached its
    // owner: a fetch parked under the previous generation can still hand a first record to the
    // old owner, and that record is the probe, not one of the messages under test.
    await waitFor('both clients on the same generation with disjoint assignments of every partition', () => {
      const group = env.broker.groups.get(groupId)
      if (group?.state !== 'Stable' || group.members.size !== 2) return false
      if (consumers.some(c => c.generationId !== group.generationId || c.assignments === null)) return false
      const owned = consumers.flatMap(c => c.assignments!.flatMap(a => a.partitions))
      return owned.length === PARTITIONS && new Set(owned).size === PARTITIONS
    })
    const ownerOf = (p: number): number => consumers.findIndex(c => c.assignments!.some(a => a.partitions.includes(p)))
    for (let p = 0; p < PARTITIONS; p++) await appendRecords(env.broker, topic, p, [{ key: 'probe', value: `probe-${p}` }])
    await waitFor('each probe at its owner', () => Array.from({ length: PARTITIONS }, (_, p) => p)
      .every(p => received.some(r => r.value === `probe-${p}` && r.member === ownerOf(p))))
    received.length = 0

    // Each key's messages go to the partition Java's murmur2 rule picks, one append per message.
    for (let seq = 0; seq < PER_KEY; seq++) {
      for (let k = 0; k < KEYS; k++) {
        const key = `key-${k}`
        await appendRecords(env.broker, topic, partitionForKey(key, PARTITIONS), [{ key, value: `${key}:${seq}` }])
      }
    }
    await waitFor(`all ${KEYS * PER_KEY} messages`, () => received.filter(r => r.key !== 'probe').length >= KEYS * PER_KEY)
    received.splice(0, received.length, ...received.filter(r => r.key !== 'probe'))
    expect(received).toHaveLength(KEYS * PER_KEY)
    expect(new Set(received.map(r => r.value)).size).toBe(KEYS * PER_KEY)

    for (let p = 0; p < PARTITIONS; p++) {
      const inPartition = received.filter(r => r.partition === p)
      expect(new Set(inPartition.map(r => r.member))).toEqual(new Set([ownerOf(p)]))
      const offsets = inPartition.map(r => Number(r.offset))
      expect(offsets).toEqual(offsets.map((_, i) => i + 1))
    }
    for (let k = 0; k < KEYS; k++) {
      const sequence = received.filter(r => r.key === `key-${k}`).map(r => Number(r.value.split(':')[1]))
      expect(sequence).toEqual(Array.from({ length: PER_KEY }, (_, i) => i))
    }
    await waitFor('autocommit up to the high watermarks', () => {
      const group = env.broker.groups.get(groupId)!
      return Array.from({ length: PARTITIONS }, (_, p) => p).every(p => group.offset(topic, p)?.offset === env.broker.partition(topic, p)!.highWatermark)
    })
  })
})
