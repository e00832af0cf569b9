// kafkajs 2.2.4 consumer groups against a real in-process broker: three members share a
// six-partition topic while members join and leave. After every rebalance each partition
// belongs to exactly one member, every message is consumed exactly once across the group,
// and the committed offsets end at the high watermarks. The HTTP view agrees.

import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeConsumerAssignment } from '../../../broker/protocol/consumer-protocol.ts'
import type { Broker } from '../../../broker/server/broker.ts'
import { appendRecords, createTopic, startTestBroker, waitFor, type TestBroker } from './helpers.ts'

const PARTITIONS = 6
const PER_PARTITION = 10

/** Partition -> member, when the group is Stable and every partition has exactly one owner. */
function exclusiveAssignment (broker: Broker, groupId: string, topic: string, memberCount: number): Map<number, string> | undefined {
  const group = broker.groups.get(groupId)
  if (group === undefined || group.state !== 'Stable' || group.members.size !== memberCount) return undefined
  const owners = new Map<number, string>()
  for (const member of group.members.values()) {
    for (const tp of decodeConsumerAssignment(member.assignment).assignedPartitions) {
      if (tp.topic !== topic) continue
      for (const p of tp.partitions) {
        if (owners.has(p)) throw new Error(`partition ${p} is assigned to ${owners.get(p)} and ${member.memberId}`)
        owners.set(p, member.memberId)
      }
    }
  }
  return owners.size === PARTITIONS ? owners : undefined
}

function allCommitted (broker: Broker, groupId: string, topic: string): boolean {
  const group = broker.groups.get(groupId)
  if (group === undefined) return false
  for (let p = 0; p < PARTITIONS; p++) {
    if (group.offset(topic, p)?.offset !== broker.partition(topic, p)!.highWatermark) return false
  }
  return true
}

describe('kafkajs consumer group', () => {
  let env: TestBroker
  const consumers: Consumer[] = []
  beforeEach(async () => { env = await startTestBroker() })
  afterEach(async () => {
    await Promise.allSettled(consumers.splice(0).map(c => c.disconnect()))
    await env.close()
  })

  it('shares six partitions among members that join and leave, consuming every message exactly once', async () => {
    const topic = 'kjs-shared'
    const groupId = 'kjs-group'
    await createTopic(env.broker, topic, PARTITIONS)
    const kafka = new Kafka({ clientId: 'kjs', brokers: [env.bootstrap], logLevel: logLevel.NOTHING })
    const seen = new Map<string, number>()
    const start = async (): Promise<Consumer> => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
      consumers.push(consumer)
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value!.toString()
          seen.set(value, (seen.get(value) ?? 0) + 1)
        },
      })
      return consumer
    }
    let produced = 0
    const produceRound = async (round: number): Promise<void> => {
      for (let p = 0; p < PARTITIONS; p++) {
        await appendRecords(env.broker, topic, p, Array.from({ length: PER_PARTITION }, (_, i) => ({ key: `k${i}`, value: `r${round}-p${p}-${i}` })))
      }
      produced += PARTITIONS * PER_PARTITION
      await waitFor(`all ${produced} messages consumed`, () => seen.size === produced)
      // Membership changes only once the group has committed what it consumed, so a
      // partition that moves is picked up exactly where its previous owner stopped.
      await waitFor('offsets committed up to the high watermarks', () => allCommitted(env.broker, groupId, topic))
    }

    await start()
    await waitFor('one member owning all partitions', () => exclusiveAssignment(env.broker, groupId, topic, 1))
    await produceRound(1)

    const second = await start()
    await start()
    const three = await waitFor('three members sharing the partitions', () => exclusiveAssignment(env.broker, groupId, topic, 3))
    expect(new Set(three.values()).size).toBe(3)
    await produceRound(2)

    await second.disconnect()
    const two = await waitFor('two members after one left', () => exclusiveAssignment(env.broker, groupId, topic, 2))
    expect(new Set(two.values()).size).toBe(2)
    await produceRound(3)

    expect(seen.size).toBe(3 * PARTITIONS * PER_PARTITION)
    const duplicates = [...seen].filter(([, count]) => count !== 1)
    expect(duplicates).toEqual([])

    // The HTTP view: the group, its members' assignments and zero lag.
    const list = await (await fetch(`${env.httpUrl}/groups`)).json() as Array<{ groupId: string, state: string, members: number }>
    expect(list).toContainEqual(expect.objectContaining({ groupId, state: 'Stable', members: 2 }))
    const detail = await (await fetch(`${env.httpUrl}/groups/${groupId}`)).json() as {
      state: string
      protocolType: string
      members: Array<{ clientId: string, assignment: Array<{ topic: string, partitions: number[] }> }>
      offsets: Array<{ topic: string, partition: number, committedOffset: number, lag: number }>
    }
    expect(detail.state).toBe('Stable')
    expect(detail.protocolType).toBe('consumer')
    expect(detail.members.map(m => m.clientId)).toEqual(['kjs', 'kjs'])
    expect(detail.members.flatMap(m => m.assignment.flatMap(a => a.partitions)).sort()).toEqual([0, 1, 2, 3, 4, 5])
    expect(detail.offsets.map(o => [o.partition, o.committedOffset, o.lag])).toEqual([0, 1, 2, 3, 4, 5].map(p => [p, 3 * PER_PARTITION, 0]))
    const missing = await fetch(`${env.httpUrl}/groups/no-such-group`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: string }).error).toMatch(/unknown group "no-such-group".*GET \/groups/)
  })
})
