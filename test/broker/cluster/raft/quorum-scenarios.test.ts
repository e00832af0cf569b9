// Whole-quorum stories on the simulator with a calm network, each asserting one property
// a reader can name: pre-vote keeps a rejoining node from forcing an election, observers
// replicate without voting, a node far behind catches up from a snapshot, DescribeQuorum.

import { describe, expect, it } from 'vitest'
import { SimCluster } from '../../../../harness/raft-sim/sim-cluster.ts'

function settledLeader (cluster: SimCluster): { id: number; epoch: number } {
  const leader = cluster.leader()
  expect(leader, 'a leader is elected').not.toBeNull()
  return { id: leader!.nodeId, epoch: leader!.status().epoch }
}

function proposeMany (cluster: SimCluster, count: number, stepMs = 20): void {
  for (let i = 0; i < count; i++) {
    cluster.propose(`k${i % 5}=${i}`)
    cluster.runUntil(cluster.nowMs + stepMs)
  }
}

describe('metadata quorum scenarios', () => {
  it('a voter cut off for a long time rejoins without forcing an election (pre-vote)', () => {
    const cluster = new SimCluster({ seed: 11, voters: [1, 2, 3], observers: [] })
    cluster.runUntil(5_000)
    const before = settledLeader(cluster)
    const loner = [1, 2, 3].find(id => id !== before.id)!
    cluster.network.partition([loner], [1, 2, 3])
    cluster.runUntil(20_000)
    expect(cluster.nodes.get(loner)!.raft!.status().epoch, 'pre-vote never bumps the loner epoch').toBe(before.epoch)
    cluster.network.heal()
    cluster.runUntil(26_000)
    expect(settledLeader(cluster)).toEqual(before)
    expect(cluster.nodes.get(loner)!.raft!.status()).toMatchObject({ role: 'follower', leaderId: before.id, epoch: before.epoch })
  })

  it('a voter cut off from the leader only cannot take over through a voter that still hears the leader', () => {
    const cluster = new SimCluster({ seed: 12, voters: [1, 2, 3], observers: [] })
    cluster.runUntil(5_000)
    const before = settledLeader(cluster)
    const [loner, witness] = [1, 2, 3].filter(id => id !== before.id)
    cluster.network.partition([loner!], [loner!, before.id])
    cluster.runUntil(25_000)
    expect(settledLeader(cluster)).toEqual(before)
    expect(cluster.nodes.get(witness!)!.raft!.status()).toMatchObject({ role: 'follower', epoch: before.epoch })
    expect(cluster.nodes.get(loner!)!.raft!.status().epoch).toBe(before.epoch)
  })

  it('a single voter elects itself and commits', () => {
    const cluster = new SimCluster({ seed: 3, voters: [1], observers: [] })
    cluster.runUntil(3_000)
    proposeMany(cluster, 5)
    cluster.runUntil(cluster.nowMs + 500)
    expect(cluster.checker.committedEntries.filter(e => e.kind === 'data')).toHaveLength(5)
  })

  it('observers replicate every committed entry but never vote or lead, and DescribeQuorum lists them', () => {
    const cluster = new SimCluster({ seed: 5, voters: [1, 2, 3], observers: [101, 102] })
    cluster.runUntil(3_000)
    proposeMany(cluster, 10)
    cluster.kill(settledLeader(cluster).id)
    cluster.runUntil(cluster.nowMs + 8_000)
    proposeMany(cluster, 10)
    cluster.runUntil(cluster.nowMs + 2_000)
    const leaderStatus = cluster.leader()!.status()
    for (const id of [101, 102]) {
      const status = cluster.nodes.get(id)!.raft!.status()
      expect(status).toMatchObject({ role: 'follower', leaderId: leaderStatus.leaderId, votedFor: -1 })
      expect(status.highWatermark).toBe(leaderStatus.highWatermark)
    }
    const described = cluster.leader()!.describeQuorum(cluster.nowMs)!
    expect(described.observers.map(o => o.replicaId).sort()).toEqual([101, 102])
    expect(described.voters.map(v => v.replicaId)).toContain(leaderStatus.leaderId)
    expect(described.highWatermark).toBe(leaderStatus.highWatermark)
  })

  it('a voter that missed more than the leader keeps catches up from a snapshot (FetchSnapshot)', () => {
    const cluster = new SimCluster({ seed: 8, voters: [1, 2, 3], observers: [], fetchMaxEntries: 4 })
    cluster.runUntil(3_000)
    const leader = settledLeader(cluster)
    const behind = [1, 2, 3].find(id => id !== leader.id)!
    cluster.kill(behind)
    proposeMany(cluster, 80)
    cluster.runUntil(cluster.nowMs + 1_000)
    expect(cluster.nodes.get(leader.id)!.log.startOffset(), 'the leader dropped its log prefix').toBeGreaterThan(0)
    cluster.restart(behind)
    cluster.runUntil(cluster.nowMs + 3_000)
    expect(cluster.stats.snapshotsInstalled).toBeGreaterThan(0)
    const caughtUp = cluster.nodes.get(behind)!
    expect(caughtUp.raft!.status().highWatermark).toBe(cluster.leader()!.status().highWatermark)
    expect(Buffer.from(caughtUp.kv.snapshot()).toString()).toBe(Buffer.from(cluster.nodes.get(leader.id)!.kv.snapshot()).toString())
  })

  it('two of three voters down: nothing commits; one back: commits resume', () => {
    const cluster = new SimCluster({ seed: 21, voters: [1, 2, 3], observers: [] })
    cluster.runUntil(3_000)
    const leader = settledLeader(cluster)
    const others = [1, 2, 3].filter(id => id !== leader.id)
    cluster.kill(others[0]!)
    cluster.kill(others[1]!)
    const committedBefore = cluster.checker.committedEnd
    proposeMany(cluster, 20)
    cluster.runUntil(cluster.nowMs + 5_000)
    expect(cluster.checker.committedEnd).toBe(committedBefore)
    cluster.restart(others[0]!)
    cluster.runUntil(cluster.nowMs + 8_000)
    proposeMany(cluster, 5)
    cluster.runUntil(cluster.nowMs + 2_000)
    expect(cluster.checker.committedEnd).toBeGreaterThan(committedBefore)
  })
})
