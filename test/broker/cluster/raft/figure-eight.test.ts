// Raft's figure 8 as a scripted three-voter story, run with and without the debug-only
// commitOldEpochByCount rule, with every output fed to the simulator's checker. Node 1
// holds an uncommitted entry of epoch 1 and node 3 a conflicting one of epoch 2. Node 1
// wins epoch 3 and copies its old entry to node 2; the answer that would hand node 2 the
// epoch-3 entry is lost; node 1 dies; node 3 wins epoch 4 with node 2's vote and overwrites
// offset 1. Committing node 1's old entry by counting copies makes that overwrite a loss of
// committed data; the real rule (commit only over an entry of the leader's epoch) does not.

import { describe, expect, it } from 'vitest'
import { MemoryRaftLog } from '../../../../broker/cluster/raft/memory-log.ts'
import { RaftNode } from '../../../../broker/cluster/raft/raft-node.ts'
import type { DebugFaults, Entry, Envelope, Output } from '../../../../broker/cluster/raft/types.ts'
import { QuorumChecker } from '../../../../harness/raft-sim/checker.ts'

const TIMING = { electionTimeoutMs: 1000, fetchTimeoutMs: 2000, requestTimeoutMs: 500, fetchIntervalMs: 100, fetchMaxEntries: 1, snapshotChunkBytes: 64 }
const noJitter = { int: () => 0 }

function entry (offset: number, epoch: number, kind: Entry['kind'], text = ''): Entry {
  return { offset, epoch, kind, data: Buffer.from(text) }
}

class Story {
  nowMs = 0
  readonly down = new Set<number>()
  readonly checker = new QuorumChecker([1, 2, 3])
  readonly nodes = new Map<number, { raft: RaftNode; log: MemoryRaftLog }>()
  #queue: Envelope[] = []

  constructor (logs: Record<number, Entry[]>, debug: DebugFaults | undefined) {
    for (const id of [1, 2, 3]) {
      const log = new MemoryRaftLog()
      log.append(logs[id]!)
      log.flush()
      const raft = new RaftNode({ nodeId: id, voters: [1, 2, 3], ...TIMING, debug }, log, noJitter, { epoch: 2, votedFor: -1, leaderId: -1 }, 0)
      this.nodes.set(id, { raft, log })
    }
  }

  #apply (id: number, out: Output): void {
    const { raft, log } = this.nodes.get(id)!
    this.checker.afterStep(id, raft.status(), out)
    this.#queue.push(...out.messages)
    if (out.flush) {
      log.flush()
      this.#apply(id, raft.onFlushed(this.nowMs))
    }
  }

  tick (id: number, atMs: number, lose?: (env: Envelope) => boolean): void {
    this.nowMs = atMs
    this.#apply(id, this.nodes.get(id)!.raft.tick(atMs))
    this.deliver(lose)
  }

  /** Delivers queued messages (and the ones they cause) among live nodes; `lose` drops some. */
  deliver (lose: (env: Envelope) => boolean = () => false): void {
    for (let i = 0; i < 1000 && this.#queue.length > 0; i++) {
      const env = this.#queue.shift()!
      if (this.down.has(env.to) || this.down.has(env.from) || lose(env)) continue
      this.#apply(env.to, this.nodes.get(env.to)!.raft.receive(env, this.nowMs))
    }
  }

  status (id: number): ReturnType<RaftNode['status']> { return this.nodes.get(id)!.raft.status() }
}

function play (debug: DebugFaults | undefined): Story {
  const story = new Story({
    1: [entry(0, 1, 'leaderChange'), entry(1, 1, 'data', 'x=from-epoch-1')],
    2: [entry(0, 1, 'leaderChange')],
    3: [entry(0, 1, 'leaderChange'), entry(1, 2, 'data', 'x=from-epoch-2')],
  }, debug)
  story.down.add(3)
  story.tick(1, 1000) // pre-vote, vote, leader of epoch 3 with node 2's vote
  expect(story.status(1)).toMatchObject({ role: 'leader', epoch: 3 })
  // Node 2 copies offset 1; the response carrying the epoch-3 entry at offset 2 is lost.
  story.tick(2, 1010, env => env.message.type === 'fetchResponse' && env.message.entries.some(e => e.epoch === 3))
  story.down.add(1)
  story.down.delete(3)
  story.tick(2, 4000) // node 2 gives up on node 1 (fetch timeout) and asks for pre-votes
  // Node 3 first hears of leader 1 (dead) from node 2's answer and follows it; when that
  // fetch times out it wins epoch 4, since its last epoch (2) beats node 2's (1).
  story.tick(3, 4000)
  story.tick(3, 6100)
  expect(story.status(3)).toMatchObject({ role: 'leader', epoch: 4 })
  for (let t = 6110; t < 6200; t += 10) story.tick(2, t)
  return story
}

describe('figure 8: committing an old-epoch entry by counting copies', () => {
  it('is safe with the real rule: node 1 commits nothing in epoch 3, node 3 overwrites an uncommitted entry', () => {
    const story = play(undefined)
    expect(story.checker.committedEntries.map(e => Buffer.from(e.data).toString())).toContain('x=from-epoch-2')
    expect(story.status(2).highWatermark).toBe(story.status(3).highWatermark)
  })

  it('loses a committed entry with commitOldEpochByCount, and the checker says so', () => {
    expect(() => play({ commitOldEpochByCount: true })).toThrow(/node 3: committed entry at offset 1 is \(epoch 2, "x=from-epoch-2"\) but another node committed \(epoch 1/)
  })
})
