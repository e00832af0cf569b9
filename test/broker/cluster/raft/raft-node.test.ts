// Single rules of the quorum core, driven by hand: one message at a time, explicit clock.

import { describe, expect, it } from 'vitest'
import { MemoryRaftLog } from '../../../../broker/cluster/raft/memory-log.ts'
import { RaftNode } from '../../../../broker/cluster/raft/raft-node.ts'
import type { DebugFaults, Envelope, FetchResponse, Output, RaftConfig, RaftMessage, VoteResponse } from '../../../../broker/cluster/raft/types.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'

const TIMING = { electionTimeoutMs: 1000, fetchTimeoutMs: 2000, requestTimeoutMs: 500, fetchIntervalMs: 100, fetchMaxEntries: 10, snapshotChunkBytes: 64 }
const noJitter = { int: () => 0 }

function node (nodeId: number, opts: { log?: MemoryRaftLog; debug?: DebugFaults; voters?: number[] } = {}): { raft: RaftNode; log: MemoryRaftLog } {
  const log = opts.log ?? new MemoryRaftLog()
  const cfg: RaftConfig = { nodeId, voters: opts.voters ?? [1, 2, 3], ...TIMING, debug: opts.debug }
  return { raft: new RaftNode(cfg, log, noJitter, null, 0), log }
}

function msg (from: number, to: number, message: RaftMessage, correlationId = 1): Envelope {
  return { from, to, correlationId, message }
}

function only<T extends RaftMessage['type']> (out: Output, type: T): Extract<RaftMessage, { type: T }> {
  const found = out.messages.filter(m => m.message.type === type)
  expect(found, `one ${type} in ${JSON.stringify(out.messages.map(m => m.message.type))}`).toHaveLength(1)
  return found[0]!.message as Extract<RaftMessage, { type: T }>
}

/** Node 1 of three becomes leader of epoch 1 with node 2's vote. */
function electNodeOne (opts: { log?: MemoryRaftLog; debug?: DebugFaults } = {}): { raft: RaftNode; log: MemoryRaftLog } {
  const n = node(1, opts)
  n.raft.tick(1000)
  expect(n.raft.status().role).toBe('prospective')
  const epoch = n.raft.status().epoch
  n.raft.receive(msg(2, 1, { type: 'voteResponse', errorCode: 0, epoch, leaderId: -1, granted: true, preVote: true }), 1001)
  expect(n.raft.status().role).toBe('candidate')
  n.raft.receive(msg(2, 1, { type: 'voteResponse', errorCode: 0, epoch: epoch + 1, leaderId: -1, granted: true, preVote: false }), 1002)
  expect(n.raft.status()).toMatchObject({ role: 'leader', epoch: epoch + 1 })
  return n
}

function fetch (raft: RaftNode, from: number, epoch: number, fetchOffset: number, lastFetchedEpoch: number, nowMs: number): FetchResponse {
  return only(raft.receive(msg(from, 1, { type: 'fetch', replicaId: from, epoch, fetchOffset, lastFetchedEpoch, maxEntries: 10 }), nowMs), 'fetchResponse')
}

describe('RaftNode', () => {
  it('persists a granted vote in the same step as the answer and refuses a second candidate in that epoch', () => {
    const { raft } = node(3)
    const first = raft.receive(msg(1, 3, { type: 'vote', epoch: 1, candidateId: 1, lastEpoch: 0, lastOffset: 0, preVote: false }), 10)
    expect(first.persist).toEqual({ epoch: 1, votedFor: 1, leaderId: -1 })
    expect(only(first, 'voteResponse').granted).toBe(true)
    const second = raft.receive(msg(2, 3, { type: 'vote', epoch: 1, candidateId: 2, lastEpoch: 0, lastOffset: 0, preVote: false }), 11)
    expect(only(second, 'voteResponse').granted).toBe(false)
  })

  it('grants two votes in one epoch only with the debug-only broken rule', () => {
    const { raft } = node(3, { debug: { grantTwoVotes: true } })
    raft.receive(msg(1, 3, { type: 'vote', epoch: 1, candidateId: 1, lastEpoch: 0, lastOffset: 0, preVote: false }), 10)
    const second = raft.receive(msg(2, 3, { type: 'vote', epoch: 1, candidateId: 2, lastEpoch: 0, lastOffset: 0, preVote: false }), 11)
    expect(only(second, 'voteResponse').granted).toBe(true)
  })

  it('refuses a vote for a candidate whose log is behind', () => {
    const log = new MemoryRaftLog()
    log.append([{ offset: 0, epoch: 2, kind: 'data', data: Buffer.from('a=1') }])
    const { raft } = node(3, { log })
    const out = raft.receive(msg(1, 3, { type: 'vote', epoch: 3, candidateId: 1, lastEpoch: 1, lastOffset: 5, preVote: false }), 10)
    expect(only(out, 'voteResponse').granted).toBe(false)
  })

  it('answers a pre-vote without changing epoch or vote, and refuses it while the leader is heard', () => {
    const { raft } = node(3)
    const pre = raft.receive(msg(1, 3, { type: 'vote', epoch: 1, candidateId: 1, lastEpoch: 0, lastOffset: 0, preVote: true }), 10)
    expect(pre.persist).toBeNull()
    expect(only(pre, 'voteResponse')).toMatchObject({ granted: true, preVote: true, epoch: 0 })
    raft.receive(msg(2, 3, { type: 'beginQuorumEpoch', epoch: 4, leaderId: 2 }), 20)
    const refused = raft.receive(msg(1, 3, { type: 'vote', epoch: 5, candidateId: 1, lastEpoch: 0, lastOffset: 0, preVote: true }), 30)
    expect(only(refused, 'voteResponse')).toMatchObject({ granted: false, epoch: 4, leaderId: 2 })
    expect(raft.status()).toMatchObject({ epoch: 4, leaderId: 2, role: 'follower' })
  })

  it('refuses quorum RPCs from nodes outside the voter set and fetches with a stale epoch', () => {
    const { raft } = electNodeOne()
    const vote = raft.receive(msg(9, 1, { type: 'vote', epoch: 99, candidateId: 9, lastEpoch: 99, lastOffset: 99, preVote: false }), 1100)
    expect(only(vote, 'voteResponse')).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_VOTER_SET, granted: false })
    const begin = raft.receive(msg(9, 1, { type: 'beginQuorumEpoch', epoch: 99, leaderId: 9 }), 1100)
    expect(only(begin, 'beginQuorumEpochResponse').errorCode).toBe(ErrorCode.INCONSISTENT_VOTER_SET)
    expect(fetch(raft, 2, 0, 0, 0, 1100).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH)
    expect(fetch(raft, 2, 7, 0, 0, 1100).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
    expect(raft.status()).toMatchObject({ role: 'leader', epoch: 1 })
  })

  it('commits old-epoch entries only once its own leaderChange entry is on a majority', () => {
    const check = (debug: DebugFaults | undefined): number[] => {
      const log = new MemoryRaftLog()
      log.append([0, 1, 2].map(offset => ({ offset, epoch: 0, kind: 'data' as const, data: Buffer.from(`k=${offset}`) })))
      log.flush()
      const { raft, log: leaderLog } = electNodeOne({ log, debug })
      leaderLog.flush()
      raft.onFlushed(1003)
      const hws: number[] = []
      fetch(raft, 2, 1, 3, 0, 1004)
      hws.push(raft.status().highWatermark)
      fetch(raft, 2, 1, 4, 1, 1005)
      hws.push(raft.status().highWatermark)
      return hws
    }
    expect(check(undefined)).toEqual([0, 4])
    expect(check({ commitOldEpochByCount: true })).toEqual([3, 4])
  })

  it('tells a follower with a tail from an older epoch where to truncate', () => {
    const log = new MemoryRaftLog()
    log.append([{ offset: 0, epoch: 0, kind: 'data', data: Buffer.from('a=1') }])
    log.flush()
    const { raft } = electNodeOne({ log })
    // Node 2 claims 5 entries of epoch 0; the leader has one, then its epoch 1 from offset 1.
    expect(fetch(raft, 2, 1, 5, 0, 1004).divergingEpoch).toEqual({ epoch: 0, offset: 1 })
  })

  it('follower truncates at the divergence the leader reports and fetches again', () => {
    const log = new MemoryRaftLog()
    log.append([0, 1, 2].map(offset => ({ offset, epoch: 1, kind: 'data' as const, data: Buffer.from(`x=${offset}`) })))
    log.flush()
    const { raft } = node(2, { log })
    const begun = raft.receive(msg(1, 2, { type: 'beginQuorumEpoch', epoch: 3, leaderId: 1 }), 10)
    expect(begun.persist).toEqual({ epoch: 3, votedFor: -1, leaderId: 1 })
    const ask = raft.tick(10)
    const request = only(ask, 'fetch')
    expect(request).toMatchObject({ fetchOffset: 3, lastFetchedEpoch: 1 })
    const cid = ask.messages[0]!.correlationId
    const out = raft.receive(msg(1, 2, { type: 'fetchResponse', errorCode: 0, epoch: 3, leaderId: 1, highWatermark: 0, entries: [], divergingEpoch: { epoch: 1, offset: 1 }, snapshotId: null }, cid), 20)
    expect(out.log).toEqual([{ type: 'truncate', toOffset: 1 }])
    expect(log.endOffset()).toBe(1)
    expect(only(raft.tick(20), 'fetch')).toMatchObject({ fetchOffset: 1, lastFetchedEpoch: 1 })
  })

  it('drops a fetch response that does not answer the request in flight', () => {
    const { raft, log } = node(2)
    raft.receive(msg(1, 2, { type: 'beginQuorumEpoch', epoch: 1, leaderId: 1 }), 10)
    const ask = raft.tick(10)
    const stale = ask.messages[0]!.correlationId + 100
    const entries = [{ offset: 0, epoch: 1, kind: 'leaderChange' as const, data: new Uint8Array(0) }]
    raft.receive(msg(1, 2, { type: 'fetchResponse', errorCode: 0, epoch: 1, leaderId: 1, highWatermark: 1, entries, divergingEpoch: null, snapshotId: null }, stale), 20)
    expect(log.endOffset()).toBe(0)
  })

  it('comes back from a restart as it left: a leader resigned, a voter with its vote', () => {
    const log = new MemoryRaftLog()
    const cfg: RaftConfig = { nodeId: 1, voters: [1, 2, 3], ...TIMING }
    expect(new RaftNode(cfg, log, noJitter, { epoch: 4, votedFor: 1, leaderId: 1 }, 0).status()).toMatchObject({ role: 'resigned', epoch: 4 })
    const voted = new RaftNode(cfg, log, noJitter, { epoch: 4, votedFor: 2, leaderId: -1 }, 0)
    const out = voted.receive(msg(3, 1, { type: 'vote', epoch: 4, candidateId: 3, lastEpoch: 0, lastOffset: 0, preVote: false }), 1)
    expect((out.messages[0]!.message as VoteResponse).granted).toBe(false)
  })

  it('names the config key of a bad timing value', () => {
    const cfg: RaftConfig = { nodeId: 1, voters: [1, 2, 3], ...TIMING, fetchTimeoutMs: 0 }
    expect(() => new RaftNode(cfg, new MemoryRaftLog(), noJitter, null, 0)).toThrow(/controller\.quorum\.fetch\.timeout\.ms/)
    expect(() => new RaftNode({ ...cfg, fetchTimeoutMs: 10, voters: [1, 1] }, new MemoryRaftLog(), noJitter, null, 0)).toThrow(/controller\.quorum\.voters/)
  })

  it('resigns with EndQuorumEpoch naming the most caught-up voter first', () => {
    const { raft, log } = electNodeOne()
    log.flush()
    raft.onFlushed(1003)
    fetch(raft, 3, 1, 1, 1, 1004)
    const out = raft.resign(1005)
    expect(raft.status().role).toBe('resigned')
    const ends = out.messages.map(m => m.message).filter(m => m.type === 'endQuorumEpoch')
    expect(ends).toHaveLength(2)
    expect(ends[0]).toMatchObject({ epoch: 1, leaderId: 1, preferredSuccessors: [3, 2] })
    expect(raft.propose([Buffer.from('a=1')], 1006).result).toEqual({ ok: false, reason: 'notLeader', epoch: 1, leaderId: 1 })
  })
})
