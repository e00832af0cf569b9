// Group APIs over a real TCP connection with our own codecs, for exact control: stale and
// unknown committers are refused with the right code and leave stored offsets alone; bad
// joins get the Kafka error code and change nothing; the low versions librdkafka needs work.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { OffsetCommit, type OffsetCommitRequest } from '../../../broker/protocol/08-offset-commit.ts'
import { OffsetFetch } from '../../../broker/protocol/09-offset-fetch.ts'
import { FindCoordinator } from '../../../broker/protocol/10-find-coordinator.ts'
import { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from '../../../broker/protocol/11-join-group.ts'
import { Heartbeat } from '../../../broker/protocol/12-heartbeat.ts'
import { LeaveGroup } from '../../../broker/protocol/13-leave-group.ts'
import { SyncGroup } from '../../../broker/protocol/14-sync-group.ts'
import { DescribeGroups } from '../../../broker/protocol/15-describe-groups.ts'
import { ListGroups } from '../../../broker/protocol/16-list-groups.ts'
import { encodeConsumerAssignment, encodeConsumerSubscription } from '../../../broker/protocol/consumer-protocol.ts'
import { createTopic, startTestBroker, type TestBroker } from './helpers.ts'
import { RawClient } from './raw-client.ts'

const TOPIC = 'raw-t'
const subscription = encodeConsumerSubscription({ version: 0, topics: [TOPIC], userData: null, ownedPartitions: [], generationId: -1, rackId: null })

function joinRequest (over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'raw-group', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], ...over,
  }
}

/** Handshake, join and (as the only member, so leader) sync with all partitions. */
async function joinAlone (client: RawClient, groupId = 'raw-group'): Promise<JoinGroupResponse> {
  const first = await client.send(JoinGroup, 5, joinRequest({ groupId }))
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
  const joined = await client.send(JoinGroup, 5, joinRequest({ groupId, memberId: first.memberId }))
  expect(joined.errorCode).toBe(ErrorCode.NONE)
  const assignment = encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: TOPIC, partitions: [0, 1, 2] }], userData: null })
  const synced = await client.send(SyncGroup, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [{ memberId: joined.memberId, assignment }] })
  expect(synced.errorCode).toBe(ErrorCode.NONE)
  return joined
}

function commitRequest (generationId: number, memberId: string, offset: number, over: Partial<OffsetCommitRequest> = {}): OffsetCommitRequest {
  return {
    groupId: 'raw-group', generationId, memberId, groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: TOPIC, partitions: [0, 1, 2].map(partitionIndex => ({ partitionIndex, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null })) }],
    ...over,
  }
}

async function storedOffsets (client: RawClient, groupId = 'raw-group'): Promise<number[]> {
  const fetched = await client.send(OffsetFetch, 5, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }] })
  expect(fetched.errorCode).toBe(ErrorCode.NONE)
  return fetched.topics[0]!.partitions.map(p => p.committedOffset)
}

async function describeGroup (client: RawClient, groupId = 'raw-group'): Promise<unknown> {
  return (await client.send(DescribeGroups, 4, { groups: [groupId], includeAuthorizedOperations: false })).groups[0]
}

describe('group APIs over raw TCP', () => {
  let env: TestBroker
  let client: RawClient
  beforeEach(async () => {
    env = await startTestBroker()
    await createTopic(env.broker, TOPIC, 3)
    client = await RawClient.connect(env.port)
  })
  afterEach(async () => {
    client?.close()
    await env.close()
  })

  it('refuses commits with a stale generation or an unknown member and keeps the stored offsets', async () => {
    const { generationId, memberId } = await joinAlone(client)
    const ok = await client.send(OffsetCommit, 7, commitRequest(generationId, memberId, 100))
    expect(ok.topics[0]!.partitions.map(p => p.errorCode)).toEqual([0, 0, 0])
    expect(await storedOffsets(client)).toEqual([100, 100, 100])

    const refusals: Array<[number, OffsetCommitRequest, number]> = [
      [7, commitRequest(generationId - 1, memberId, 200), ErrorCode.ILLEGAL_GENERATION],
      [7, commitRequest(generationId + 5, memberId, 200), ErrorCode.ILLEGAL_GENERATION],
      [2, commitRequest(generationId - 1, memberId, 200), ErrorCode.ILLEGAL_GENERATION],
      [7, commitRequest(generationId, 'who-is-this', 200), ErrorCode.UNKNOWN_MEMBER_ID],
      [5, commitRequest(generationId, 'who-is-this', 200), ErrorCode.UNKNOWN_MEMBER_ID],
      // A simple commit (assign() consumer) into a group that has members.
      [7, commitRequest(-1, '', 200), ErrorCode.UNKNOWN_MEMBER_ID],
      [0, commitRequest(-1, '', 200), ErrorCode.UNKNOWN_MEMBER_ID],
      [7, commitRequest(generationId, memberId, 200, { groupId: '' }), ErrorCode.INVALID_GROUP_ID],
    ]
    for (const [version, request, code] of refusals) {
      const response = await client.send(OffsetCommit, version, request)
      expect(response.topics[0]!.partitions.map(p => p.errorCode), `v${version}`).toEqual([code, code, code])
      expect(await storedOffsets(client)).toEqual([100, 100, 100])
    }

    // Per-partition problems do not stop the rest of the commit.
    const mixed = await client.send(OffsetCommit, 7, {
      ...commitRequest(generationId, memberId, 150),
      topics: [
        { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 150, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'x'.repeat(4097) }, { partitionIndex: 1, committedOffset: 150, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'ok' }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] },
      ],
    })
    expect(mixed.topics.map(t => t.partitions.map(p => p.errorCode))).toEqual([[ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    expect(await storedOffsets(client)).toEqual([100, 150, 100])
  })

  it('refuses bad joins with the Kafka error code and changes nothing', async () => {
    const joined = await joinAlone(client)
    const before = await describeGroup(client)
    expect(before).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    const bad: Array<[Partial<JoinGroupRequest>, number]> = [
      [{ protocolType: 'connect' }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ protocols: [{ name: 'cooperative-sticky', metadata: subscription }] }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ memberId: joined.memberId, protocolType: 'connect' }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ protocols: [{ name: 'range', metadata: Buffer.alloc(1024 * 1024 + 1) }] }, ErrorCode.INVALID_REQUEST],
      [{ memberId: joined.memberId, protocols: [{ name: 'range', metadata: Buffer.alloc(1024 * 1024 + 1) }] }, ErrorCode.INVALID_REQUEST],
      [{ memberId: 'made-up-member' }, ErrorCode.UNKNOWN_MEMBER_ID],
      [{ memberId: joined.memberId + 'x' }, ErrorCode.UNKNOWN_MEMBER_ID],
      [{ sessionTimeoutMs: 100 }, ErrorCode.INVALID_SESSION_TIMEOUT],
      [{ groupId: '' }, ErrorCode.INVALID_GROUP_ID],
    ]
    for (const [over, code] of bad) {
      const response = await client.send(JoinGroup, 5, joinRequest(over))
      expect(response.errorCode, JSON.stringify(Object.keys(over))).toBe(code)
      expect(response.generationId).toBe(-1)
      expect(await describeGroup(client)).toEqual(before)
    }
    // A brand-new group refused for its protocol type leaves no group behind.
    expect((await client.send(JoinGroup, 5, joinRequest({ groupId: 'fresh', protocolType: '' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    const listed = await client.send(ListGroups, 2, {})
    expect(listed.groups).toEqual([{ groupId: 'raw-group', protocolType: 'consumer' }])
    // Heartbeats and syncs from strangers or old generations.
    const hb = (memberId: string, generationId: number): Promise<{ errorCode: number }> => client.send(Heartbeat, 3, { groupId: 'raw-group', memberId, generationId, groupInstanceId: null })
    expect((await hb('made-up-member', joined.generationId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await hb(joined.memberId, joined.generationId - 1)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect((await hb(joined.memberId, joined.generationId)).errorCode).toBe(ErrorCode.NONE)
    expect(await describeGroup(client)).toEqual(before)
  })

  it('serves the low versions librdkafka needs: FindCoordinator v0, JoinGroup v0, SyncGroup v0, Heartbeat v0, LeaveGroup v0', async () => {
    for (const version of [0, 1, 2]) {
      const found = await client.send(FindCoordinator, version, { key: 'old-group', keyType: 0 })
      expect(found).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: env.broker.nodeId, host: '127.0.0.1', port: env.port })
    }
    expect((await client.send(FindCoordinator, 2, { key: 'txn', keyType: 1 })).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    const joined = await client.send(JoinGroup, 0, joinRequest({ groupId: 'old-group' }))
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 })
    expect(joined.memberId).toMatch(/^raw-test-/)
    expect(joined.members.map(m => m.memberId)).toEqual([joined.memberId])
    const synced = await client.send(SyncGroup, 0, { groupId: 'old-group', generationId: 1, memberId: joined.memberId, groupInstanceId: null, assignments: [{ memberId: joined.memberId, assignment: Buffer.from([0, 0]) }] })
    expect(synced).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from([0, 0]) })
    expect((await client.send(Heartbeat, 0, { groupId: 'old-group', generationId: 1, memberId: joined.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.NONE)
    const described = await client.send(DescribeGroups, 0, { groups: ['old-group', 'never-seen'], includeAuthorizedOperations: false })
    expect(described.groups.map(g => [g.groupId, g.groupState, g.members.length])).toEqual([['old-group', 'Stable', 1], ['never-seen', 'Dead', 0]])
    expect(described.groups[0]!.members[0]).toMatchObject({ clientId: 'raw-test', clientHost: '127.0.0.1', memberAssignment: Buffer.from([0, 0]) })
    expect((await client.send(LeaveGroup, 0, { groupId: 'old-group', memberId: joined.memberId, members: [] })).errorCode).toBe(ErrorCode.NONE)
    expect((await client.send(LeaveGroup, 1, { groupId: 'old-group', memberId: joined.memberId, members: [] })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(await describeGroup(client, 'old-group')).toMatchObject({ groupState: 'Empty', members: [] })
    // OffsetFetch v1 carries a group error on each partition (there is no group-level field).
    const v1 = await client.send(OffsetFetch, 1, { groupId: '', topics: [{ name: TOPIC, partitionIndexes: [0] }] })
    expect(v1.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
  })
})
