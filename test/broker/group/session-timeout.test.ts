// A member that stops heartbeating is removed after its session timeout and its partitions
// go to the members that remain. The silent member is a raw client that joins (through the
// MEMBER_ID_REQUIRED handshake), takes the assignment a kafkajs leader gives it, and then
// says nothing more; the kafkajs consumer must end up owning and consuming its partitions.

import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { JoinGroup } from '../../../broker/protocol/11-join-group.ts'
import { SyncGroup } from '../../../broker/protocol/14-sync-group.ts'
import { decodeConsumerAssignment, encodeConsumerSubscription } from '../../../broker/protocol/consumer-protocol.ts'
import { appendRecords, createTopic, startTestBroker, waitFor, type TestBroker } from './helpers.ts'
import { RawClient } from './raw-client.ts'

const PARTITIONS = 6
const SILENT_SESSION_MS = 1500

describe('session timeout', () => {
  let env: TestBroker
  let consumer: Consumer | undefined
  let silent: RawClient | undefined
  beforeEach(async () => { env = await startTestBroker() })
  afterEach(async () => {
    silent?.close()
    await consumer?.disconnect().catch(() => {})
    await env.close()
  })

  it('removes a member that stops heartbeating and reassigns its partitions', async () => {
    const topic = 'hb-topic'
    const groupId = 'hb-group'
    await createTopic(env.broker, topic, PARTITIONS)
    const kafka = new Kafka({ clientId: 'survivor', brokers: [env.bootstrap], logLevel: logLevel.NOTHING })
    consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 })
    const consumed = new Set<string>()
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { consumed.add(message.value!.toString()) } })
    await waitFor('the kafkajs member alone in a stable group', () => {
      const group = env.broker.groups.get(groupId)
      return group?.state === 'Stable' && group.members.size === 1
    })

    // The silent member offers kafkajs's default assigner so the kafkajs leader includes it.
    silent = await RawClient.connect(env.port, 'silent')
    const metadata = encodeConsumerSubscription({ version: 0, topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
    const request = { groupId, sessionTimeoutMs: SILENT_SESSION_MS, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata }] }
    const handshake = await silent.send(JoinGroup, 5, request)
    expect(handshake.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    const joined = await silent.send(JoinGroup, 5, { ...request, memberId: handshake.memberId })
    expect(joined.errorCode).toBe(ErrorCode.NONE)
    expect(joined.leader).not.toBe(joined.memberId)
    const synced = await silent.send(SyncGroup, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [] })
    expect(synced.errorCode).toBe(ErrorCode.NONE)
    const silentPartitions = decodeConsumerAssignment(synced.assignment).assignedPartitions.flatMap(tp => tp.partitions)
    expect(silentPartitions.length).toBe(PARTITIONS / 2)
    const silentSinceMs = Date.now()
    expect(env.broker.groups.get(groupId)!.members.has(joined.memberId)).toBe(true)

    // No heartbeat from here on.
    await waitFor('the silent member removed', () => !env.broker.groups.get(groupId)!.members.has(joined.memberId), 20_000)
    // Timers are coarse (100 ms ticks), hence the small allowance.
    expect(Date.now() - silentSinceMs).toBeGreaterThanOrEqual(SILENT_SESSION_MS - 200)
    await waitFor('the kafkajs member owning all partitions', () => {
      const group = env.broker.groups.get(groupId)!
      if (group.state !== 'Stable' || group.members.size !== 1) return false
      const member = [...group.members.values()][0]!
      return decodeConsumerAssignment(member.assignment).assignedPartitions.flatMap(tp => tp.partitions).length === PARTITIONS
    })
    for (const p of silentPartitions) await appendRecords(env.broker, topic, p, [{ key: null, value: `orphan-${p}` }])
    await waitFor('the orphaned partitions consumed by the survivor', () => silentPartitions.every(p => consumed.has(`orphan-${p}`)))
  })
})
