// Committed offsets: who may commit in which state, that a commit is one batch applied only
// after its append resolved, that offsets and group metadata come back after a restart, and
// that offsets of empty groups expire after offsets.retention.minutes.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { decodeRecordBatch, encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { OFFSETS_TOPIC } from '../../../broker/group/offsets-store.ts'
import type { CommitEntry, CommitParams } from '../../../broker/group/commits.ts'
import { joinNew, joinParams, openFixture, TEST_GROUP_CONFIG, type Fixture } from './coordinator-fixture.ts'

const SIMPLE: CommitParams = { groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null }

function entries (offset: number, partitions = [0, 1, 2]): CommitEntry[] {
  return partitions.map(partition => ({ topic: 't', partition, offset, leaderEpoch: 0, metadata: `m${offset}` }))
}

function committed (f: Fixture, groupId = 'g'): number[] {
  const { topics } = f.coordinator.fetchOffsets(groupId, [{ name: 't', partitionIndexes: [0, 1, 2] }])
  return topics[0]!.partitions.map(p => p.committedOffset)
}

/** One member in a Stable group; returns its id and generation. */
async function oneMember (f: Fixture, groupId = 'g'): Promise<{ memberId: string, generationId: number }> {
  const a = await joinNew(f, { groupId })
  const { generationId } = await a.join
  await f.coordinator.sync({ groupId, generationId, memberId: a.memberId, groupInstanceId: null, assignments: [] })
  return { memberId: a.memberId, generationId }
}

describe('offset commits', () => {
  let f: Fixture
  beforeEach(async () => { f = await openFixture() })
  afterEach(async () => { await f.close() })

  it('accepts simple commits while the group has no members, refuses them once it has', async () => {
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(5))).toBe(ErrorCode.NONE)
    expect(committed(f)).toEqual([5, 5, 5])
    expect(f.coordinator.get('g')).toMatchObject({ state: 'Empty', protocolType: null })
    await oneMember(f)
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(9))).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(committed(f)).toEqual([5, 5, 5])
  })

  it('refuses stale generations and unknown members without changing offsets', async () => {
    const { memberId, generationId } = await oneMember(f)
    const as = (over: Partial<CommitParams>): CommitParams => ({ groupId: 'g', generationId, memberId, groupInstanceId: null, ...over })
    expect(await f.coordinator.commitOffsets(as({}), entries(10))).toBe(ErrorCode.NONE)
    expect(await f.coordinator.commitOffsets(as({ generationId: generationId - 1 }), entries(20))).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(await f.coordinator.commitOffsets(as({ generationId: generationId + 1 }), entries(20))).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(await f.coordinator.commitOffsets(as({ memberId: 'stranger' }), entries(20))).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(await f.coordinator.commitOffsets(as({ groupId: '' }), entries(20))).toBe(ErrorCode.INVALID_GROUP_ID)
    expect(await f.coordinator.commitOffsets({ ...as({}), groupId: 'unknown-group' }, entries(20))).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(f.coordinator.get('unknown-group')).toBeUndefined()
    expect(committed(f)).toEqual([10, 10, 10])
  })

  it('lets current members commit while PreparingRebalance; refuses with REBALANCE_IN_PROGRESS while CompletingRebalance', async () => {
    const { memberId, generationId } = await oneMember(f)
    const as = (gen: number): CommitParams => ({ groupId: 'g', generationId: gen, memberId, groupInstanceId: null })
    const b = await joinNew(f, { clientId: 'b' })
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
    expect(await f.coordinator.commitOffsets(as(generationId), entries(7))).toBe(ErrorCode.NONE)
    const rejoin = f.coordinator.join(joinParams({ memberId }))
    await Promise.all([rejoin, b.join])
    expect(f.coordinator.get('g')!.state).toBe('CompletingRebalance')
    expect(await f.coordinator.commitOffsets(as(generationId), entries(8))).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(await f.coordinator.commitOffsets(as(generationId + 1), entries(8))).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(await f.coordinator.commitOffsets(as(generationId - 1), entries(8))).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(committed(f)).toEqual([7, 7, 7])
  })

  it('writes a commit as one batch and applies it only after the append resolved', async () => {
    const partition = f.coordinator.store.partitionFor('g')
    const log = f.logs.partition(OFFSETS_TOPIC, partition)!
    const before = log.highWatermark
    const pending = f.coordinator.commitOffsets(SIMPLE, entries(42, [0, 1, 2, 0]))
    expect(committed(f)).toEqual([-1, -1, -1])
    expect(await pending).toBe(ErrorCode.NONE)
    expect(committed(f)).toEqual([42, 42, 42])
    expect(log.highWatermark - before).toBe(4)
    const read = await log.read(before, 1024 * 1024)
    const batches = splitBatches(Buffer.concat(read.buffers))
    expect(batches).toHaveLength(1)
    expect(decodeRecordBatch(batches[0]!)).toHaveLength(4)
  })

  it('answers NOT_COORDINATOR and keeps the old offsets when the append fails', async () => {
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(1))).toBe(ErrorCode.NONE)
    f.logs.storage.failNextWrite(undefined, new RegExp(`${OFFSETS_TOPIC}-${f.coordinator.store.partitionFor('g')}/`))
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(2))).toBe(ErrorCode.NOT_COORDINATOR)
    expect(committed(f)).toEqual([1, 1, 1])
  })

  it('brings offsets and group metadata back after a restart; restored members get one session to return', async () => {
    const { memberId, generationId } = await oneMember(f)
    expect(await f.coordinator.commitOffsets({ groupId: 'g', generationId, memberId, groupInstanceId: null }, entries(11))).toBe(ErrorCode.NONE)
    expect(await f.coordinator.commitOffsets({ ...SIMPLE, groupId: 'simple' }, entries(3))).toBe(ErrorCode.NONE)
    await f.reopen()
    expect(committed(f)).toEqual([11, 11, 11])
    expect(committed(f, 'simple')).toEqual([3, 3, 3])
    const group = f.coordinator.get('g')!
    expect(group).toMatchObject({ state: 'Stable', generationId, leaderId: memberId, protocolName: 'range' })
    expect(f.coordinator.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId: null })).toBe(ErrorCode.NONE)
    f.advance(TEST_GROUP_CONFIG.sessionTimeoutMaxMs)
    expect(f.coordinator.get('g')!.members.size).toBe(0)
    expect(f.coordinator.get('g')!.state).toBe('Empty')
    expect(committed(f)).toEqual([11, 11, 11])
  })

  it('expires offsets of empty groups after offsets.retention.minutes, and the group with them', async () => {
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(4))).toBe(ErrorCode.NONE)
    const { memberId } = await oneMember(f)
    // A group with a member keeps its offsets however old they are.
    f.clock.nowMs += TEST_GROUP_CONFIG.offsetsRetentionMs + 1
    expect((await f.coordinator.housekeeping()).expired).toBe(0)
    expect(committed(f)).toEqual([4, 4, 4])
    f.coordinator.leave('g', [{ memberId, groupInstanceId: null }])
    expect(f.coordinator.get('g')!.state).toBe('Empty')
    // Retention counts from when the group became empty.
    f.clock.nowMs += TEST_GROUP_CONFIG.offsetsRetentionMs - 1
    expect((await f.coordinator.housekeeping()).expired).toBe(0)
    f.clock.nowMs += 1
    expect((await f.coordinator.housekeeping()).expired).toBe(3)
    expect(f.coordinator.get('g')).toBeUndefined()
    await f.reopen()
    expect(f.coordinator.get('g')).toBeUndefined()
    expect(committed(f)).toEqual([-1, -1, -1])
  })

  it('skips records it cannot read at replay instead of refusing to start', async () => {
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(5))).toBe(ErrorCode.NONE)
    const log = f.logs.partition(OFFSETS_TOPIC, f.coordinator.store.partitionFor('g'))!
    // What a client producing to the internal topic could leave there.
    await log.append([encodeRecordBatch({ records: [{ key: Buffer.from('not ours'), value: Buffer.from('junk') }, { key: null, value: null }] })], 0)
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(6))).toBe(ErrorCode.NONE)
    await f.reopen()
    expect(committed(f)).toEqual([6, 6, 6])
    expect(f.logLines.join('\n')).toMatch(/skipped 2 records this broker cannot read \(first: offset 3: /)
  })
})

describe('__consumer_offsets under log retention', () => {
  const HOUR_MS = 3_600_000
  let f: Fixture
  // Small segments so old records sit in segments that retention can delete.
  beforeEach(async () => { f = await openFixture({ offsetsTopicRetentionMs: 10 * HOUR_MS, offsetsRetentionMs: 100 * HOUR_MS }, { retentionMs: 10 * HOUR_MS, segmentBytes: 512 }) })
  afterEach(async () => { await f.close() })

  it('rewrites live entries older than half the retention, so deleting old segments loses nothing', async () => {
    expect(await f.coordinator.commitOffsets(SIMPLE, entries(21))).toBe(ErrorCode.NONE)
    const { memberId, generationId } = await oneMember(f, 'live')
    expect(await f.coordinator.commitOffsets({ groupId: 'live', generationId, memberId, groupInstanceId: null }, entries(8))).toBe(ErrorCode.NONE)
    f.clock.nowMs += 4 * HOUR_MS
    expect((await f.coordinator.housekeeping()).rewritten).toBe(0)
    f.clock.nowMs += 2 * HOUR_MS
    // g: 3 offsets; live: 3 offsets and its metadata record.
    expect((await f.coordinator.housekeeping()).rewritten).toBe(7)
    expect((await f.coordinator.housekeeping()).rewritten).toBe(0)
    f.coordinator.heartbeat({ groupId: 'live', memberId, generationId, groupInstanceId: null })
    f.clock.nowMs += 6 * HOUR_MS
    // A fully expired active segment is rolled first and deleted at the next check.
    let deleted = await f.logs.checkRetention()
    await new Promise(resolve => setTimeout(resolve, 50))
    deleted += await f.logs.checkRetention()
    expect(deleted).toBeGreaterThan(0)
    const partitions = [f.coordinator.store.partitionFor('g'), f.coordinator.store.partitionFor('live')]
    expect(partitions.some(p => f.logs.partition(OFFSETS_TOPIC, p)!.logStartOffset > 0)).toBe(true)
    await f.reopen()
    expect(committed(f)).toEqual([21, 21, 21])
    expect(committed(f, 'live')).toEqual([8, 8, 8])
    expect(f.coordinator.get('live')).toMatchObject({ state: 'Stable', generationId })
  })

})

