// The classic rebalance protocol, driven through the coordinator with a hand-moved clock:
// handshake, generations, leader and follower paths, protocol choice, session and
// rebalance timeouts, static members, and requests that must change nothing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import type { JoinParams } from '../../../broker/group/rebalance.ts'
import type { JoinResult } from '../../../broker/group/types.ts'
import { joinNew, joinParams, openFixture, peek, snapshot, subscription, type Fixture } from './coordinator-fixture.ts'

interface StableGroup {
  ids: string[]
  generationId: number
  leader: string
}

/** Members join at once (handshakes first, so nobody completes alone) and sync; the group ends Stable. */
async function stableGroup (f: Fixture, members: Array<Partial<JoinParams>>): Promise<StableGroup> {
  const ids: string[] = []
  for (const over of members) ids.push((await f.coordinator.join(joinParams(over))).memberId)
  const results = await Promise.all(ids.map((memberId, i) => f.coordinator.join(joinParams({ ...members[i], memberId }))))
  const { generationId, leader } = results[0]!
  await Promise.all(ids.map(memberId => f.coordinator.sync({
    groupId: 'g', generationId, memberId, groupInstanceId: null,
    assignments: memberId === leader ? ids.map(id => ({ memberId: id, assignment: Buffer.from(`for-${id}`) })) : [],
  })))
  expect(f.coordinator.get('g')!.state).toBe('Stable')
  return { ids, generationId, leader }
}

function hb (f: Fixture, memberId: string, generationId: number): number {
  return f.coordinator.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId: null })
}

describe('rebalance state machine', () => {
  let f: Fixture
  beforeEach(async () => { f = await openFixture() })
  afterEach(async () => { await f.close() })

  it('answers a first v4+ join with MEMBER_ID_REQUIRED and an id; joining with it makes generation 1', async () => {
    const first = await f.coordinator.join(joinParams({ clientId: 'alice' }))
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    expect(first.memberId).toMatch(/^alice-[0-9a-f-]{36}$/)
    expect(f.coordinator.get('g')!.members.size).toBe(0)
    const joined = await f.coordinator.join(joinParams({ memberId: first.memberId }))
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range', leader: first.memberId, memberId: first.memberId })
    expect(joined.members.map(m => m.memberId)).toEqual([first.memberId])
    expect(f.coordinator.get('g')!.state).toBe('CompletingRebalance')
    const synced = await f.coordinator.sync({ groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] })
    expect(synced).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('mine') })
    expect(f.coordinator.get('g')!.state).toBe('Stable')
  })

  it('gives v0-3 joiners a generated id together with their generation', async () => {
    const joined = await f.coordinator.join(joinParams({ requireKnownMemberId: false, clientId: 'old' }))
    expect(joined.errorCode).toBe(ErrorCode.NONE)
    expect(joined.memberId).toMatch(/^old-/)
    expect(joined.generationId).toBe(1)
  })

  it('makes the first member rejoin when a second arrives; followers wait in SyncGroup for the leader', async () => {
    const a = await joinNew(f, { clientId: 'a' })
    expect((await a.join).generationId).toBe(1)
    await f.coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, assignments: [] })
    const b = await joinNew(f, { clientId: 'b' })
    expect(await peek(b.join)).toBeUndefined()
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
    expect(hb(f, a.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    const [ra, rb] = await Promise.all([f.coordinator.join(joinParams({ memberId: a.memberId })), b.join])
    expect(ra).toMatchObject({ generationId: 2, leader: a.memberId })
    expect(ra.members.map(m => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort())
    expect(rb).toMatchObject({ generationId: 2, leader: a.memberId, members: [] })
    const followerSync = f.coordinator.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] })
    expect(await peek(followerSync)).toBeUndefined()
    const leaderSync = f.coordinator.sync({
      groupId: 'g', generationId: 2, memberId: a.memberId, groupInstanceId: null,
      assignments: [{ memberId: a.memberId, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }],
    })
    expect(await leaderSync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('A') })
    expect(await followerSync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('B') })
    expect(f.coordinator.get('g')!.state).toBe('Stable')
  })

  it('drops a member that stops heartbeating after its session timeout and rebalances the rest', async () => {
    const { ids: [a, b], generationId } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    f.advance(6000)
    expect(hb(f, a!, generationId)).toBe(ErrorCode.NONE)
    f.advance(4000)
    expect(f.coordinator.get('g')!.members.size).toBe(2)
    f.advance(1)
    expect(f.coordinator.get('g')!.members.has(b!)).toBe(false)
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
    expect(hb(f, a!, generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    const rejoined = await f.coordinator.join(joinParams({ memberId: a! }))
    expect(rejoined).toMatchObject({ generationId: generationId + 1, leader: a })
    expect(rejoined.members.map(m => m.memberId)).toEqual([a])
    expect(hb(f, b!, generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('drops members that heartbeat but do not rejoin within the rebalance timeout', async () => {
    const { ids: [a, b], generationId } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    const c = await joinNew(f, { clientId: 'c' })
    const ja = f.coordinator.join(joinParams({ memberId: a! }))
    for (let i = 0; i < 5; i++) {
      f.advance(5000)
      expect(hb(f, b!, generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
      expect(await peek(ja)).toBeUndefined()
    }
    f.advance(5000)
    const [ra, rc] = await Promise.all([ja, c.join]) as JoinResult[]
    expect(ra!.generationId).toBe(generationId + 1)
    expect(ra!.members.map(m => m.memberId).sort()).toEqual([a, c.memberId].sort())
    expect(rc!.generationId).toBe(generationId + 1)
    expect(hb(f, b!, generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('picks the protocol most members prefer among those every member supports', async () => {
    const p = (names: string[]): JoinParams['protocols'] => names.map(name => ({ name, metadata: subscription(['t']) }))
    await stableGroup(f, [
      { clientId: 'a', protocols: p(['range', 'roundrobin']) },
      { clientId: 'b', protocols: p(['roundrobin', 'range']) },
      { clientId: 'c', protocols: p(['sticky', 'roundrobin', 'range']) },
    ])
    expect(f.coordinator.get('g')!.protocolName).toBe('roundrobin')
  })

  it('answers an unchanged follower rejoin in Stable with the current generation; a leader rejoin rebalances', async () => {
    const { ids, generationId, leader } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    const follower = ids.find(id => id !== leader)!
    const again = await f.coordinator.join(joinParams({ memberId: follower }))
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId, leader, members: [] })
    expect(f.coordinator.get('g')!.state).toBe('Stable')
    const leaderJoin = f.coordinator.join(joinParams({ memberId: leader }))
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
    void f.coordinator.join(joinParams({ memberId: follower }))
    expect((await leaderJoin).generationId).toBe(generationId + 1)
  })

  it('rebalances at once when the leader leaves; the remaining member leads', async () => {
    const { ids, generationId, leader } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    const other = ids.find(id => id !== leader)!
    expect(f.coordinator.leave('g', [{ memberId: leader, groupInstanceId: null }])).toEqual({ errorCode: ErrorCode.NONE, members: [{ memberId: leader, groupInstanceId: null, errorCode: ErrorCode.NONE }] })
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
    expect(f.coordinator.leave('g', [{ memberId: leader, groupInstanceId: null }]).members[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const rejoined = await f.coordinator.join(joinParams({ memberId: other }))
    expect(rejoined).toMatchObject({ generationId: generationId + 1, leader: other })
  })

  it('goes Empty when the last member leaves and writes that down', async () => {
    const { ids: [a], generationId } = await stableGroup(f, [{ clientId: 'a' }])
    f.coordinator.leave('g', [{ memberId: a!, groupInstanceId: null }])
    const group = f.coordinator.get('g')!
    expect(group.state).toBe('Empty')
    expect(group.generationId).toBe(generationId + 1)
    await f.reopen()
    expect(f.coordinator.get('g')).toMatchObject({ state: 'Empty', generationId: generationId + 1, protocolType: 'consumer' })
  })

  it('answers a join superseded by a newer one from the same member with REBALANCE_IN_PROGRESS', async () => {
    const { ids: [a] } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    const first = f.coordinator.join(joinParams({ memberId: a! }))
    const second = f.coordinator.join(joinParams({ memberId: a! }))
    expect((await first).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(await peek(second)).toBeUndefined()
  })

  it('drops a leader that never sends SyncGroup once the rebalance timeout passes', async () => {
    const ids: string[] = []
    for (const clientId of ['a', 'b']) ids.push((await f.coordinator.join(joinParams({ clientId }))).memberId)
    const joins = await Promise.all(ids.map(memberId => f.coordinator.join(joinParams({ memberId }))))
    const { leader, generationId } = joins[0]!
    const follower = ids.find(id => id !== leader)!
    const followerSync = f.coordinator.sync({ groupId: 'g', generationId, memberId: follower, groupInstanceId: null, assignments: [] })
    for (let i = 0; i < 5; i++) {
      f.advance(5000)
      expect(hb(f, leader, generationId)).toBe(ErrorCode.NONE)
    }
    f.advance(5000)
    expect(await followerSync).toEqual({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) })
    expect(f.coordinator.get('g')!.members.has(leader)).toBe(false)
    expect(f.coordinator.get('g')!.state).toBe('PreparingRebalance')
  })

  it('lets a MEMBER_ID_REQUIRED id lapse after the session timeout, dropping the empty shell', async () => {
    const first = await f.coordinator.join(joinParams())
    f.advance(10_001)
    expect(f.coordinator.get('g')).toBeUndefined()
    expect((await f.coordinator.join(joinParams({ memberId: first.memberId }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(f.coordinator.get('g')).toBeUndefined()
  })
})

describe('static leader restart (KIP-345)', () => {
  let f: Fixture
  beforeEach(async () => { f = await openFixture() })
  afterEach(async () => { await f.close() })

  it('a restarted static leader keeps the generation and every assignment: no rebalance', async () => {
    const a = await f.coordinator.join(joinParams({ clientId: 'a', groupInstanceId: 'ia' }))
    const bJoin = f.coordinator.join(joinParams({ clientId: 'b', groupInstanceId: 'ib' }))
    const [ra, rb] = await Promise.all([f.coordinator.join(joinParams({ clientId: 'a', groupInstanceId: 'ia', memberId: a.memberId })), bJoin])
    const { generationId, leader } = ra
    expect(leader).toBe(a.memberId)
    const assignments = [{ memberId: a.memberId, assignment: Buffer.from('A') }, { memberId: rb.memberId, assignment: Buffer.from('B') }]
    await Promise.all([
      f.coordinator.sync({ groupId: 'g', generationId, memberId: a.memberId, groupInstanceId: 'ia', assignments }),
      f.coordinator.sync({ groupId: 'g', generationId, memberId: rb.memberId, groupInstanceId: 'ib', assignments: [] }),
    ])
    const restarted = await f.coordinator.join(joinParams({ clientId: 'a', groupInstanceId: 'ia' }))
    // As Kafka: the old leader id, so the restarted leader does not run a trivial assignment.
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId, leader: a.memberId, members: [] })
    expect(restarted.memberId).not.toBe(a.memberId)
    const group = f.coordinator.get('g')!
    expect([group.state, group.generationId, group.leaderId]).toEqual(['Stable', generationId, restarted.memberId])
    expect(f.coordinator.heartbeat({ groupId: 'g', memberId: rb.memberId, generationId, groupInstanceId: 'ib' })).toBe(ErrorCode.NONE)
    expect(await f.coordinator.sync({ groupId: 'g', generationId, memberId: restarted.memberId, groupInstanceId: 'ia', assignments: [] }))
      .toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('A') })
  })
})

describe('initial rebalance delay and static members', () => {
  let f: Fixture
  beforeEach(async () => { f = await openFixture({ initialRebalanceDelayMs: 1000 }) })
  afterEach(async () => { await f.close() })

  it('waits group.initial.rebalance.delay.ms for company, again while members keep arriving', async () => {
    const a = await joinNew(f, { clientId: 'a' })
    f.advance(500)
    const b = await joinNew(f, { clientId: 'b' })
    f.advance(500)
    expect(await peek(a.join)).toBeUndefined()
    f.advance(999)
    expect(await peek(b.join)).toBeUndefined()
    f.advance(1)
    const [ra, rb] = await Promise.all([a.join, b.join])
    expect(ra!.generationId).toBe(1)
    expect(rb!.generationId).toBe(1)
    expect(ra!.members.length + rb!.members.length).toBe(2)
  })

  it('joins static members without a handshake; a restarted instance fences its old id without a rebalance', async () => {
    const dynamic = await joinNew(f, { clientId: 'dyn' })
    const staticJoin = f.coordinator.join(joinParams({ clientId: 'stat', groupInstanceId: 'instance-1' }))
    // The second arrival during the initial delay extends it once.
    f.advance(1000)
    f.advance(1000)
    const [rd, rs] = await Promise.all([dynamic.join, staticJoin])
    expect(rs!.errorCode).toBe(ErrorCode.NONE)
    const generationId = rd!.generationId
    const leader = rd!.leader
    expect(leader).toBe(dynamic.memberId)
    await Promise.all([
      f.coordinator.sync({ groupId: 'g', generationId, memberId: leader, groupInstanceId: null, assignments: [{ memberId: rs!.memberId, assignment: Buffer.from('S') }] }),
      f.coordinator.sync({ groupId: 'g', generationId, memberId: rs!.memberId, groupInstanceId: 'instance-1', assignments: [] }),
    ])
    const restarted = await f.coordinator.join(joinParams({ clientId: 'stat', groupInstanceId: 'instance-1' }))
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId, leader })
    expect(restarted.memberId).not.toBe(rs!.memberId)
    expect(f.coordinator.get('g')!.state).toBe('Stable')
    expect(f.coordinator.heartbeat({ groupId: 'g', memberId: rs!.memberId, generationId, groupInstanceId: 'instance-1' })).toBe(ErrorCode.FENCED_INSTANCE_ID)
    expect(f.coordinator.heartbeat({ groupId: 'g', memberId: restarted.memberId, generationId, groupInstanceId: 'instance-1' })).toBe(ErrorCode.NONE)
    expect(await f.coordinator.sync({ groupId: 'g', generationId, memberId: restarted.memberId, groupInstanceId: 'instance-1', assignments: [] }))
      .toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('S') })
    const left = f.coordinator.leave('g', [{ memberId: '', groupInstanceId: 'instance-1' }])
    expect(left.members[0]!.errorCode).toBe(ErrorCode.NONE)
    expect(f.coordinator.get('g')!.staticMembers.size).toBe(0)
  })
})

describe('requests that must change nothing', () => {
  let f: Fixture
  beforeEach(async () => { f = await openFixture() })
  afterEach(async () => { await f.close() })

  it('refuses bad joins with the Kafka error code and leaves the group as it was', async () => {
    expect((await f.coordinator.join(joinParams({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await f.coordinator.join(joinParams({ sessionTimeoutMs: 999 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await f.coordinator.join(joinParams({ sessionTimeoutMs: 60_001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await f.coordinator.join(joinParams({ protocolType: '' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await f.coordinator.join(joinParams({ protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await f.coordinator.join(joinParams({ memberId: 'nobody' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(f.coordinator.get('g')).toBeUndefined()

    const { ids, generationId, leader } = await stableGroup(f, [{ clientId: 'a' }, { clientId: 'b' }])
    const before = snapshot(f)
    const huge = Buffer.alloc(1024 * 1024 + 1)
    const refused: Array<[Partial<JoinParams>, number]> = [
      [{ protocolType: 'connect' }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ protocols: [{ name: 'mine-only', metadata: subscription(['t']) }] }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ memberId: ids[0]!, protocols: [{ name: 'mine-only', metadata: subscription(['t']) }] }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
      [{ protocols: [{ name: 'range', metadata: huge }] }, ErrorCode.INVALID_REQUEST],
      [{ memberId: ids[0]!, protocols: [{ name: 'range', metadata: huge }] }, ErrorCode.INVALID_REQUEST],
      [{ protocols: Array.from({ length: 65 }, (_, i) => ({ name: `p${i}`, metadata: Buffer.alloc(1) })) }, ErrorCode.INVALID_REQUEST],
      [{ memberId: 'not-a-member' }, ErrorCode.UNKNOWN_MEMBER_ID],
      [{ memberId: 'x'.repeat(5000) }, ErrorCode.UNKNOWN_MEMBER_ID],
      [{ memberId: ids[0]!, sessionTimeoutMs: 10 }, ErrorCode.INVALID_SESSION_TIMEOUT],
    ]
    for (const [over, code] of refused) {
      expect((await f.coordinator.join(joinParams(over))).errorCode, JSON.stringify(Object.keys(over))).toBe(code)
      expect(snapshot(f)).toEqual(before)
    }
    const sync = (memberId: string, gen: number): unknown => f.coordinator.sync({ groupId: 'g', generationId: gen, memberId, groupInstanceId: null, assignments: [] })
    expect(await sync('not-a-member', generationId)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID })
    expect(await sync(leader, generationId + 1)).toMatchObject({ errorCode: ErrorCode.ILLEGAL_GENERATION })
    expect(hb(f, 'not-a-member', generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(hb(f, leader, generationId - 1)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(f.coordinator.heartbeat({ groupId: 'other', memberId: leader, generationId, groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(f.coordinator.heartbeat({ groupId: '', memberId: leader, generationId, groupInstanceId: null })).toBe(ErrorCode.INVALID_GROUP_ID)
    expect(snapshot(f)).toEqual(before)
    expect(f.coordinator.get('other')).toBeUndefined()
  })

  it('refuses an oversized assignment from the leader and stays in CompletingRebalance', async () => {
    const a = await joinNew(f)
    const joined = await a.join
    const result = await f.coordinator.sync({
      groupId: 'g', generationId: joined.generationId, memberId: a.memberId, groupInstanceId: null,
      assignments: [{ memberId: a.memberId, assignment: Buffer.alloc(1024 * 1024 + 1) }],
    })
    expect(result.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(f.coordinator.get('g')!.state).toBe('CompletingRebalance')
  })
})
