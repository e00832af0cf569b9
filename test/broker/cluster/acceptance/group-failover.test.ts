// A consumer group on a three-node cluster losing its coordinator: three kafkajs consumers
// consume and commit, the broker leading the group's __consumer_offsets partition is
// SIGKILLed, and the group must come back on the new leader of that partition with every
// committed offset intact (an OffsetCommit is answered only once replicated), consuming
// from them: nothing below a committed offset is read again, everything after it is read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Consumer } from 'kafkajs'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { Connection } from '../../../../broker/client/connection.ts'
import { COORDINATOR_KEY_TYPE_GROUP, FindCoordinator } from '../../../../broker/protocol/10-find-coordinator.ts'
import { eventually, kafkaOf, startCluster } from './helpers.ts'

const TOPIC = 'work'
const PARTITIONS = 3
const GROUP = 'workers'
const BATCH = 60

interface Seen { partition: number, offset: number, value: string, afterKill: boolean }

/** The coordinator one broker names for the group (NONE answers only). */
async function coordinatorAt (address: string): Promise<number | undefined> {
  const [host, port] = address.split(':')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'test', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(FindCoordinator, { key: GROUP, keyType: COORDINATOR_KEY_TYPE_GROUP })
    return r.errorCode === 0 ? r.nodeId : undefined
  } finally {
    conn.close()
  }
}

async function produce (cluster: ProcessCluster, from: number, count: number): Promise<void> {
  const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    const messages = Array.from({ length: count }, (_, i) => ({ partition: (from + i) % PARTITIONS, value: `m${from + i}` }))
    await producer.send({ topic: TOPIC, acks: -1, messages })
  } finally {
    await producer.disconnect()
  }
}

describe('a three-node cluster: a consumer group losing its coordinator', () => {
  let cluster: ProcessCluster
  const consumers: Consumer[] = []
  beforeAll(async () => {
    cluster = await startCluster({ 'offsets.topic.replication.factor': 3 })
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] })
    await admin.disconnect()
  }, 60_000)
  afterAll(async () => {
    await Promise.all(consumers.map(c => c.disconnect().catch(() => {})))
    await cluster?.stop()
  })

  it('re-forms on the new coordinator with its committed offsets and resumes from them', async () => {
    const seen: Seen[] = []
    let killed = false
    for (let i = 0; i < 3; i++) {
      // kafkajs gets over a dead coordinator only by exhausting its retries, crashing and
      // restarting the consumer (which finds the coordinator again): few, short retries.
      const consumer = kafkaOf(cluster).consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 1000 } })
      consumers.push(consumer)
      await consumer.connect()
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ partition, message }) => { seen.push({ partition, offset: Number(message.offset), value: message.value!.toString(), afterKill: killed }) } })
    }
    await produce(cluster, 0, BATCH)
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    const committedTotal = async (): Promise<Map<number, number>> => {
      const [group] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
      return new Map(group!.partitions.map(p => [p.partition, Number(p.offset)]))
    }
    const perPartition = BATCH / PARTITIONS
    const { value: before } = await eventually('every first-batch message consumed and committed', 40_000, async () => {
      const offsets = await committedTotal()
      return [...Array(PARTITIONS).keys()].every(p => offsets.get(p) === perPartition) ? offsets : undefined
    })
    const { value: members } = await eventually('the group stable with three members', 20_000, async () => {
      const { groups: [g] } = await admin.describeGroups([GROUP])
      return g?.state === 'Stable' && g.members.length === 3 ? g.members.length : undefined
    })
    expect(members).toBe(3)
    await admin.disconnect()

    const { value: coordinatorId } = await eventually('the coordinator', 10_000, () => coordinatorAt(cluster.bootstrap[0]!))
    const victim = cluster.brokers.find(b => b.id === coordinatorId)!
    const survivors = cluster.brokers.filter(b => b.id !== coordinatorId).map(b => b.kafkaAddress)
    killed = true
    await victim.kill()

    const { value: newCoordinator } = await eventually('a new coordinator', 30_000, async () => {
      const id = await coordinatorAt(survivors[0]!)
      return id !== undefined && id !== coordinatorId ? id : undefined
    })
    expect(newCoordinator).not.toBe(coordinatorId)
    const survivorAdmin = kafkaOf(cluster, survivors).admin()
    await survivorAdmin.connect()
    try {
      // Nothing was produced since: the new coordinator must hold exactly what was committed.
      const { value: after } = await eventually('committed offsets on the new coordinator', 30_000, async () => {
        const [group] = await survivorAdmin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
        return new Map(group!.partitions.map(p => [p.partition, Number(p.offset)]))
      })
      expect(after).toEqual(before)

      await produce(cluster, BATCH, BATCH)
      await eventually('the group re-formed on the new coordinator and everything consumed', 40_000, async () => {
        const [group] = await survivorAdmin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
        const { groups: [g] } = await survivorAdmin.describeGroups([GROUP])
        const done = group!.partitions.every(p => Number(p.offset) === 2 * perPartition)
        if (done && g?.state === 'Stable' && g.members.length === 3) return true
        throw new Error(`offsets ${group!.partitions.map(p => p.offset).join(',')}, group ${g?.state ?? 'unknown'} with ${g?.members.length ?? 0} members`)
      })
    } finally {
      await survivorAdmin.disconnect()
    }
    const reread = seen.filter(s => s.afterKill && s.offset < before.get(s.partition)!)
    expect(reread, 'messages consumed again below a committed offset').toEqual([])
    const values = new Set(seen.map(s => s.value))
    const missing = Array.from({ length: 2 * BATCH }, (_, i) => `m${i}`).filter(v => !values.has(v))
    expect(missing).toEqual([])
    process.stdout.write(`group failover: coordinator ${String(coordinatorId)} killed, group on ${String(newCoordinator)}; ${seen.filter(s => s.afterKill).length} messages consumed after the kill\n`)
  }, 150_000)
})
