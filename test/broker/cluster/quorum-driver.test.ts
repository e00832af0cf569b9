// Three QuorumDrivers in one process over real TCP, each with its own controller listener
// and a MemoryRaftLog: election, replication in one order on all nodes, failover when the
// leader goes, quorum-state surviving a restart, and refusals at the wire (another
// cluster's id, a malformed request that must close only its own connection).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Connection } from '../../../broker/client/connection.ts'
import { QuorumDriver } from '../../../broker/cluster/quorum/driver.ts'
import { MemoryRaftLog } from '../../../broker/cluster/raft/memory-log.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { Vote } from '../../../broker/protocol/52-vote.ts'
import { DescribeQuorum } from '../../../broker/protocol/55-describe-quorum.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { CLUSTER_ID, dataOf, QuorumFixture, waitFor, type TestNode } from './quorum-fixture.ts'

let fixture: QuorumFixture | null = null
afterEach(async () => {
  await fixture?.close()
  fixture = null
})

function propose (leader: TestNode, values: string[]): void {
  const result = leader.driver.propose(values.map(v => Buffer.from(v)))
  expect(result.ok, `node ${leader.id} accepts a proposal`).toBe(true)
}

/** Waits until every running node has applied `count` data entries, then checks they agree. */
async function expectSameCommitted (f: QuorumFixture, count: number): Promise<string[]> {
  await waitFor(`${count} data entries on every node`, () => f.running().every(n => dataOf(n.committed).length >= count), 10_000, () => f.describe())
  const [first, ...rest] = f.running().map(n => dataOf(n.committed))
  for (const other of rest) expect(other).toEqual(first)
  return first!
}

function voteRequest (clusterId: string, candidateId: number, epoch: number) {
  return {
    clusterId,
    voterId: 1,
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, replicaEpoch: epoch, replicaId: candidateId, replicaDirectoryId: ZERO_UUID, voterDirectoryId: ZERO_UUID, lastOffsetEpoch: 1000, lastOffset: 1_000_000, preVote: false }] }],
  }
}

describe('QuorumDriver on its own', () => {
  it('delivers entries in order when the listener proposes from onCommitted (a single-voter quorum)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-quorum-single-'))
    const applied: string[] = []
    const calls: string[] = []
    let driver: QuorumDriver | null = null
    try {
      driver = await QuorumDriver.open({
        nodeId: 1, clusterId: CLUSTER_ID, voters: new Map([[1, { host: '127.0.0.1', port: 9 }]]), log: new MemoryRaftLog(), metadataDir: dir,
        timing: { electionTimeoutMs: 50 }, logLine: () => {},
        listener: {
          onCommitted: entries => {
            calls.push('begin')
            for (const e of entries) {
              if (e.kind !== 'data') continue
              const value = Buffer.from(e.data).toString()
              applied.push(value)
              // A follow-up written while the first is being applied: it must be delivered after this call returns.
              if (value.length < 3) driver!.propose([Buffer.from(`${value}+`)])
            }
            calls.push('end')
          },
          onLoadSnapshot: () => {},
          onLeaderReady: () => { driver!.propose([Buffer.from('a')]) },
          onLeaderLost: () => {},
        },
      })
      driver.start()
      await waitFor('a, a+, a++ applied', () => applied.length >= 3)
      expect(applied).toEqual(['a', 'a+', 'a++'])
      expect(calls.join(' '), 'onCommitted calls never nest').toMatch(/^(begin end ?)+$/)
    } finally {
      await driver?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('QuorumDriver over TCP', () => {
  it('elects one leader, commits proposals in the same order on all three, and fails over when the leader closes', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3])
    const leader = await waitFor('a leader all agree on', () => f.agreedLeader())
    await waitFor('onLeaderReady on the leader', () => leader.events.includes(`ready:${leader.driver.status().epoch}`))
    for (const n of f.running()) if (n !== leader) expect(n.driver.propose([Buffer.from('x')]).ok, 'a follower refuses proposals').toBe(false)

    for (let i = 0; i < 10; i++) propose(leader, [`a${i}`, `b${i}`])
    const first = await expectSameCommitted(f, 20)
    expect(first.map(s => s.split(':')[1])).toEqual(Array.from({ length: 10 }, (_, i) => [`a${i}`, `b${i}`]).flat())
    const oldEpoch = leader.driver.status().epoch

    await f.stop(leader.id)
    expect(leader.events.at(-1), 'the closed leader reports leadership lost').toBe('lost')
    const next = await waitFor('a new leader among the two left', () => f.agreedLeader(), 10_000)
    expect(next.id).not.toBe(leader.id)
    expect(next.driver.status().epoch).toBeGreaterThan(oldEpoch)
    await waitFor('the new leader is ready', () => next.events.includes(`ready:${next.driver.status().epoch}`))
    propose(next, ['c0', 'c1', 'c2'])
    const after = await expectSameCommitted(f, 23)
    expect(after.slice(0, 20)).toEqual(first)
    expect(after.slice(20).map(s => s.split(':')[1])).toEqual(['c0', 'c1', 'c2'])
  })

  it('commits with a log whose flush completes asynchronously, as the disk log\'s does', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3], { flushDelayMs: 15 })
    const leader = await waitFor('a leader', () => f.agreedLeader())
    for (let i = 0; i < 30; i++) propose(leader, [`s${i}`])
    const all = await expectSameCommitted(f, 30)
    expect(all.map(s => s.split(':')[1])).toEqual(Array.from({ length: 30 }, (_, i) => `s${i}`))
    for (const n of f.running()) expect(n.log.flushedEndOffset()).toBe(n.log.endOffset())
  })

  it('makes a returning leader drop the entries it appended alone, and take the new leader\'s log', async () => {
    // A 1.5 s fetch timeout keeps the lone leader in office (check-quorum: 2.25 s) while its followers are stopped, even on a loaded machine.
    const f = fixture = await QuorumFixture.create([1, 2, 3], { timing: { fetchTimeoutMs: 1500 } })
    const old = await waitFor('a leader', () => f.agreedLeader())
    propose(old, ['kept'])
    await expectSameCommitted(f, 1)
    const others = f.running().filter(n => n !== old)
    for (const n of others) await f.stop(n.id)
    propose(old, ['lost-1', 'lost-2'])
    await waitFor('the lone leader appended them', () => old.log.flushedEndOffset() === old.log.endOffset() && old.log.endOffset() >= 4)
    await f.stop(old.id)
    for (const n of others) (await f.start(n.id)).driver.start()
    const next = await waitFor('a new leader of the two', () => f.agreedLeader(), 10_000)
    propose(next, ['new'])
    await waitFor('"new" applied on both', () => f.running().every(n => n.values.includes('new')), 10_000, () => f.describe())
    const back = await f.start(old.id)
    back.driver.start()
    await waitFor('the old leader catches up', () => back.values.includes('new'), 10_000, () => f.describe())
    for (const n of f.running()) expect(n.values, `node ${n.id}`).toEqual(['kept', 'new'])
    const entries = back.log.read(back.log.startOffset(), 100).filter(e => e.kind === 'data').map(e => Buffer.from(e.data).toString())
    expect(entries, 'the unreplicated tail is truncated away').toEqual(['kept', 'new'])
    expect(back.lines.some(l => l.includes('metadata log truncated to 2')), back.lines.join('\n')).toBe(true)
  })

  it('parks an idle fetch at the leader and wakes it for new entries', async () => {
    // Timeouts of 2 s let the leader park a fetch for the full 500 ms.
    const f = fixture = await QuorumFixture.create([1, 2, 3], { timing: { requestTimeoutMs: 2000, fetchTimeoutMs: 2000 } })
    const leader = await waitFor('a leader', () => f.agreedLeader())
    propose(leader, ['warm-up'])
    await expectSameCommitted(f, 1)
    const fetchesBefore = leader.metrics.requestCount('Fetch')
    await new Promise(resolve => setTimeout(resolve, 1000))
    const idleFetches = leader.metrics.requestCount('Fetch') - fetchesBefore
    // Without the long poll two followers fetching every 20 ms would send ~100 in a second.
    expect(idleFetches, 'idle fetches in one second').toBeLessThan(20)
    // Each proposal lands at a random point of the followers' 500 ms parked wait; without the
    // wake-up eight of them would take ~2 s in all.
    const startMs = Date.now()
    for (let i = 0; i < 8; i++) {
      await new Promise(resolve => setTimeout(resolve, 10))
      propose(leader, [`wake${i}`])
      await expectSameCommitted(f, 2 + i)
    }
    expect(Date.now() - startMs, 'parked fetches are answered when an entry arrives, not when their wait ends').toBeLessThan(500)
  })

  it('serves an observer (not a voter), which learns a compacted log from the leader\'s snapshot over FetchSnapshot', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3], { snapshotAfterEntries: 5 })
    const leader = await waitFor('a leader', () => f.agreedLeader())
    for (let i = 0; i < 4; i++) propose(leader, [`v${3 * i}`, `v${3 * i + 1}`, `v${3 * i + 2}`])
    // A follower one fetch behind may itself get the snapshot (the leader drops the prefix), so compare state machines.
    const all = Array.from({ length: 12 }, (_, i) => `v${i}`)
    await waitFor('12 values on every voter', () => f.running().every(n => n.values.length === 12), 10_000, () => f.describe())
    for (const n of f.running()) expect(n.values).toEqual(all)
    await waitFor('a snapshot on the leader', () => leader.log.latestSnapshot() !== null && leader.log.startOffset() > 0)
    const observer = await f.start(9)
    observer.driver.start()
    await waitFor('the observer catches up', () => observer.values.length === 12)
    expect(observer.snapshots.length, 'the observer started from a snapshot').toBeGreaterThan(0)
    expect(leader.metrics.requestCount('FetchSnapshot'), 'FetchSnapshot requests the leader served').toBeGreaterThan(0)
    expect(observer.values).toEqual(all)
    expect(observer.driver.status().role).toBe('follower')
    propose(leader, ['after'])
    await waitFor('the observer gets new entries', () => observer.values.at(-1) === 'after')
    const observers = leader.driver.describeQuorum()!.observers.map(o => o.replicaId)
    expect(observers).toEqual([9])
  })

  it('keeps epoch and vote in quorum-state across a restart, and the restarted node catches up', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3])
    const leader = await waitFor('a leader', () => f.agreedLeader())
    propose(leader, ['p0'])
    await expectSameCommitted(f, 1)
    const follower = f.running().find(n => n !== leader)!
    const before = follower.driver.status()
    await f.stop(follower.id)

    const json = JSON.parse(readFileSync(join(follower.dir, 'quorum-state'), 'utf8'))
    expect(json).toMatchObject({ leaderEpoch: before.epoch, leaderId: before.leaderId, votedId: before.votedFor, clusterId: CLUSTER_ID })

    const again = await f.start(follower.id)
    const restored = again.driver.status()
    expect([restored.epoch, restored.votedFor, restored.leaderId]).toEqual([before.epoch, before.votedFor, before.leaderId])
    again.driver.start()
    propose(leader, ['p1', 'p2'])
    await expectSameCommitted(f, 3)
    expect(f.agreedLeader()?.id).toBe(leader.id)
  })

  it('refuses a Vote from another cluster and one from a node that is not a voter, without changing state; DescribeQuorum only on the leader', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3])
    const leader = await waitFor('a leader', () => f.agreedLeader())
    const target = f.running().find(n => n !== leader)!
    const epochBefore = target.driver.status().epoch
    const c = await Connection.connect({ host: '127.0.0.1', port: target.port, clientId: 'test' })
    try {
      const foreign = await c.request(Vote, voteRequest('another-cluster', 2, epochBefore + 5))
      expect(foreign.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID)
      expect(foreign.topics).toEqual([])
      const stranger = await c.request(Vote, voteRequest(CLUSTER_ID, 99, epochBefore + 5))
      expect(stranger.errorCode).toBe(ErrorCode.NONE)
      expect(stranger.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_VOTER_SET, voteGranted: false })
      expect(target.driver.status().epoch, 'a refused vote does not move the epoch').toBe(epochBefore)
      const described = await c.request(DescribeQuorum, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] })
      expect(described.topics[0]!.partitions[0]!.errorCode, 'DescribeQuorum off the leader').toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    } finally {
      c.close()
    }
  })

  it('a closed driver refuses raft requests with a retriable error instead of failing the handler', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3])
    const leader = await waitFor('a leader', () => f.agreedLeader())
    const target = f.running().find(n => n !== leader)!
    await target.driver.close()
    const c = await Connection.connect({ host: '127.0.0.1', port: target.port, clientId: 'test' })
    try {
      const answer = await c.request(Vote, voteRequest(CLUSTER_ID, 2, target.driver.status().epoch + 5))
      expect(answer.errorCode).toBe(ErrorCode.BROKER_NOT_AVAILABLE)
      expect(answer.topics).toEqual([])
    } finally {
      c.close()
    }
  })

  it('closes only the connection that sent a malformed raft request', async () => {
    const f = fixture = await QuorumFixture.create([1, 2, 3])
    const leader = await waitFor('a leader', () => f.agreedLeader())
    const good = await Connection.connect({ host: '127.0.0.1', port: leader.port, clientId: 'good' })
    try {
      // A Vote v2 header followed by a body cut short: the cluster id claims 50 bytes, 3 follow.
      const body = Buffer.concat([Buffer.from([0, 52, 0, 2, 0, 0, 0, 7, 0, 4]), Buffer.from('evil'), Buffer.from([0]), Buffer.from([51, 0x61, 0x62, 0x63])])
      const frame = Buffer.concat([Buffer.alloc(4), body])
      frame.writeInt32BE(body.length, 0)
      const closed = await new Promise<boolean>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: leader.port }, () => { s.write(frame) })
        s.on('error', reject)
        s.on('close', () => resolve(true))
        setTimeout(() => { s.destroy(); resolve(false) }, 3000).unref()
      })
      expect(closed, 'the listener closes the malformed connection').toBe(true)
      const described = await good.request(DescribeQuorum, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] })
      expect(described.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, leaderId: leader.id })
      expect(described.topics[0]!.partitions[0]!.currentVoters.map(v => v.replicaId).sort()).toEqual([1, 2, 3])
      propose(leader, ['still-works'])
      await expectSameCommitted(f, 1)
    } finally {
      good.close()
    }
  })
})
