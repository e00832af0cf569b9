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
    const probesSeen: Array<{ consumer: number, partition: number, value: string }> = []
    /** Each client's member id and assignment from its latest GROUP_JOIN event. */
    const joined = new Map<number, { memberId: string, partitions: number[] }>()
    const start = async (): Promise<Consumer> => {
      const index = consumers.length
      const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
      consumers.push(consumer)
      consumer.on(consumer.events.GROUP_JOIN, event => {
        joined.set(index, { memberId: event.payload.memberId, partitions: event.payload.memberAssignment[topic] ?? [] })
      })
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = message.value!.toString()
          if (value.startsWith('probe')) probesSeen.push({ consumer: index, partition, value })
          else seen.set(value, (seen.get(value) ?? 0) + 1)
        },
      })
      return consumer
    }
    /**
     * The broker being Stable says nothing about the clients' fetch loops: waits until every
     * running client reports the assignment the broker holds for it, then sends a probe per
     * partition and waits for each to reach its owner. A fetch parked under the previous
     * generation can hand the old owner one more record; that record is a probe.
     */
    const settle = async (owners: Map<number, string>, running: number[]): Promise<void> => {
      await waitFor('clients on the broker\'s assignment', () => running.every(i => {
        const mine = joined.get(i)
        return mine !== undefined && [...owners].filter(([, m]) => m === mine.memberId).map(([p]) => p).sort().join() === [...mine.partitions].sort().join()
      }))
      const ownerIndex = (p: number): number => running.find(i => joined.get(i)!.memberId === owners.get(p))!
      const round = probesSeen.length
      for (let p = 0; p < PARTITIONS; p++) await appendRecords(env.broker, topic, p, [{ key: null, value: `probe-${round}-${p}` }])
      await waitFor('each probe at its owner', () => Array.from({ length: PARTITIONS }, (_, p) => p)
        .every(p => probesSeen.some(r => r.value === `probe-${round}-${p}` && r.consumer === ownerIndex(p))))
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
    await settle(await waitFor('one member owning all partitions', () => exclusiveAssignment(env.broker, groupId, topic, 1)), [0])
    await produceRound(1)

    const second = await start()
    await start()
    const three = await waitFor('three members sharing the partitions', () => exclusiveAssignment(env.broker, groupId, topic, 3))
    expect(new Set(three.values()).size).toBe(3)
    await settle(three, [0, 1, 2])
    await produceRound(2)

    await second.disconnect()
    const two = await waitFor('two members after one left', () => exclusiveAssignment(env.broker, groupId, topic, 2))
    expect(new Set(two.values()).size).toBe(2)
    await settle(two, [0, 2])
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
    const end = [0, 1, 2, 3, 4, 5].map(p => env.broker.partition(topic, p)!.highWatermark)
    expect(end.every(hw => hw === 3 * PER_PARTITION + 3)).toBe(true)
    expect(detail.offsets.map(o => [o.partition, o.committedOffset, o.lag])).toEqual([0, 1, 2, 3, 4, 5].map(p => [p, end[p], 0]))
    const missing = await fetch(`${env.httpUrl}/groups/no-such-group`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: string }).error).toMatch(/unknown group "no-such-group".*GET \/groups/)
  })
})
