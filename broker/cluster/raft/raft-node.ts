// One node of the metadata quorum as a deterministic state machine (sans-I/O). The driver
// (the simulator today, the broker's network layer later) feeds it messages and clock
// readings and carries out the Output of every call, in this order:
//   1. write `persist` to quorum-state atomically (temp file, fsync, rename);
//   2. send `messages`;
//   3. if `flush`, fsync the log and then call `onFlushed(nowMs)`;
//   4. if `loadSnapshot`, reset the state machine to it; then apply `committed` in order.
// It calls `tick(nowMs)` no later than `nextDeadlineMs()`. Nothing in here reads a clock,
// touches a socket or file, or draws randomness other than from the injected `random`.

import { electionTick, handleBeginQuorumEpoch, handleEndQuorumEpoch, handleVote, handleVoteResponse } from './election.ts'
import { followerTick, handleFetchResponse, handleFetchSnapshotResponse, maybeFetch } from './follower.ts'
import { describeReplicas, handleFetch, handleFetchSnapshot, leaderTick, resign, updateLeaderHighWatermark, type ReplicaDescription } from './leader.ts'
import type { RaftLog } from './log.ts'
import { appendLocal, truncateToHighWatermark, deliverCommitted, emptyOutput, observeEpoch, electionDelayMs, type NodeState, type Role } from './state.ts'
import { NO_NODE, type Envelope, type NodeId, type Output, type ProposeResult, type QuorumStateRecord, type RaftConfig, type Random } from './types.ts'

export interface QuorumDescription {
  leaderId: NodeId
  leaderEpoch: number
  highWatermark: number
  voters: ReplicaDescription[]
  observers: ReplicaDescription[]
}

export interface NodeStatus { role: Role; epoch: number; leaderId: NodeId; votedFor: NodeId; highWatermark: number; logEndOffset: number }

const CONFIG_KEYS: Array<[keyof RaftConfig, string]> = [
  ['electionTimeoutMs', 'controller.quorum.election.timeout.ms'],
  ['fetchTimeoutMs', 'controller.quorum.fetch.timeout.ms'],
  ['requestTimeoutMs', 'controller.quorum.request.timeout.ms'],
  ['fetchIntervalMs', 'fetchIntervalMs'],
  ['fetchMaxEntries', 'fetchMaxEntries'],
  ['snapshotChunkBytes', 'snapshotChunkBytes'],
]

/** Broker config is validated with its keys earlier; this catches a wiring mistake early and by name. */
function checkConfig (cfg: RaftConfig): void {
  for (const [field, key] of CONFIG_KEYS) {
    const value = cfg[field]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer (got ${String(value)})`)
  }
  if (cfg.voters.length === 0 || new Set(cfg.voters).size !== cfg.voters.length) throw new RangeError(`controller.quorum.voters must list distinct ids (got ${cfg.voters.join(',')})`)
}

export class RaftNode {
  readonly #n: NodeState

  /**
   * `persisted` is the quorum-state read at start (null on a fresh node). A node that was
   * leader comes back resigned, one that followed comes back following the same leader,
   * and the HW restarts at the latest snapshot (Kafka does not persist the quorum HW).
   */
  constructor (cfg: RaftConfig, log: RaftLog, random: Random, persisted: QuorumStateRecord | null, nowMs: number) {
    checkConfig(cfg)
    const state = persisted ?? { epoch: 0, votedFor: NO_NODE, leaderId: NO_NODE }
    const start = log.latestSnapshot()?.endOffset ?? log.startOffset()
    this.#n = {
      cfg, log, random, isVoter: cfg.voters.includes(cfg.nodeId),
      role: 'unattached', epoch: state.epoch, votedFor: state.votedFor, leaderId: state.leaderId,
      highWatermark: start,
      // With a snapshot on disk, the first output tells the state machine to load it.
      deliveredOffset: log.latestSnapshot() === null ? log.startOffset() : -1,
      electionDeadlineMs: 0, fetchDeadlineMs: 0, nextDutyMs: nowMs, lastLeaderContactMs: -Infinity,
      votes: new Map(), leader: null, pendingFetch: null, download: null, nextCorrelationId: 1, out: emptyOutput(),
    }
    this.#restoreRole(nowMs)
  }

  #restoreRole (nowMs: number): void {
    const n = this.#n
    n.electionDeadlineMs = nowMs + electionDelayMs(n)
    if (n.leaderId === n.cfg.nodeId) n.role = 'resigned'
    else if (n.leaderId !== NO_NODE) {
      n.role = 'follower'
      n.fetchDeadlineMs = nowMs + n.cfg.fetchTimeoutMs
      if (n.cfg.debug?.truncateToHighWatermarkOnFollow === true) truncateToHighWatermark(n)
    }
  }

  get nodeId (): NodeId { return this.#n.cfg.nodeId }

  status (): NodeStatus {
    const n = this.#n
    return { role: n.role, epoch: n.epoch, leaderId: n.leaderId, votedFor: n.votedFor, highWatermark: n.highWatermark, logEndOffset: n.log.endOffset() }
  }

  receive (env: Envelope, nowMs: number): Output {
    return this.#step(nowMs, () => { this.#dispatch(env, nowMs) })
  }

  tick (nowMs: number): Output {
    return this.#step(nowMs, () => {
      const n = this.#n
      if (n.role === 'leader') leaderTick(n, nowMs)
      else if (n.role === 'follower' || n.role === 'unattached') followerTick(n, nowMs)
      electionTick(n, nowMs)
    })
  }

  /** Leader only: appends `records` in the current epoch. Committed once they show up in `Output.committed`. */
  propose (records: readonly Uint8Array[], nowMs: number): { result: ProposeResult; output: Output } {
    let result: ProposeResult = { ok: false, reason: 'notLeader', epoch: this.#n.epoch, leaderId: this.#n.leaderId }
    const output = this.#step(nowMs, () => {
      const n = this.#n
      if (n.role !== 'leader' || records.length === 0) return
      const baseOffset = n.log.endOffset()
      appendLocal(n, records.map((data, i) => ({ offset: baseOffset + i, epoch: n.epoch, kind: 'data' as const, data })))
      result = { ok: true, epoch: n.epoch, baseOffset, lastOffset: baseOffset + records.length - 1 }
    })
    return { result, output }
  }

  /** The driver finished an fsync: the log's flushedEndOffset() moved. */
  onFlushed (nowMs: number): Output {
    return this.#step(nowMs, () => {
      updateLeaderHighWatermark(this.#n)
      maybeFetch(this.#n, nowMs)
    })
  }

  /**
   * The highest end offset a snapshot may have now: committed, handed to the state machine
   * and flushed here. A follower hands over entries below the leader's high watermark
   * before its own fsync of them ends, so this can trail what the state machine applied.
   */
  snapshotLimit (): number {
    const n = this.#n
    return Math.min(n.highWatermark, n.deliveredOffset, n.log.flushedEndOffset())
  }

  /**
   * Stores the state machine's snapshot of every entry below `endOffset` and drops that log
   * prefix. Allowed on any node for an offset up to snapshotLimit().
   */
  createSnapshot (endOffset: number, data: Uint8Array, nowMs: number): Output {
    return this.#step(nowMs, () => {
      const n = this.#n
      const limit = this.snapshotLimit()
      if (endOffset > limit) throw new Error(`snapshot at ${endOffset} beyond what is committed, applied and flushed (${limit})`)
      if (endOffset <= n.log.startOffset()) return
      const epoch = n.log.read(endOffset - 1, 1)[0]!.epoch
      n.log.storeSnapshot({ endOffset, epoch, data })
    })
  }

  /** Graceful shutdown of a leader: EndQuorumEpoch to the voters, no more appends. */
  resign (nowMs: number): Output {
    return this.#step(nowMs, () => { resign(this.#n, nowMs) })
  }

  /** When the driver must call tick() at the latest. */
  nextDeadlineMs (): number {
    const n = this.#n
    switch (n.role) {
      case 'leader': return n.nextDutyMs
      case 'follower': return Math.min(n.fetchDeadlineMs, this.#fetchDueMs())
      case 'unattached': return n.isVoter ? n.electionDeadlineMs : this.#fetchDueMs()
      default: return n.electionDeadlineMs
    }
  }

  #fetchDueMs (): number {
    const n = this.#n
    if (n.pendingFetch !== null) return n.pendingFetch.sentMs + n.cfg.requestTimeoutMs
    // With unflushed entries the next fetch waits for onFlushed, not for a timer.
    return n.log.flushedEndOffset() < n.log.endOffset() ? Infinity : n.nextDutyMs
  }

  /** DescribeQuorum (55); null when this node is not the leader (Kafka answers NOT_LEADER_OR_FOLLOWER). */
  describeQuorum (nowMs: number): QuorumDescription | null {
    const n = this.#n
    if (n.role !== 'leader') return null
    return { leaderId: n.cfg.nodeId, leaderEpoch: n.epoch, highWatermark: n.highWatermark, ...describeReplicas(n, nowMs) }
  }

  #dispatch (env: Envelope, nowMs: number): void {
    const n = this.#n
    if (env.to !== n.cfg.nodeId) return
    const m = env.message
    switch (m.type) {
      case 'vote': return handleVote(n, env, m, nowMs)
      case 'voteResponse': return handleVoteResponse(n, env, m, nowMs)
      case 'beginQuorumEpoch': return handleBeginQuorumEpoch(n, env, m, nowMs)
      case 'endQuorumEpoch': return handleEndQuorumEpoch(n, env, m, nowMs)
      case 'beginQuorumEpochResponse':
      case 'endQuorumEpochResponse':
        if (n.cfg.voters.includes(env.from) && n.cfg.voters.includes(m.leaderId)) observeEpoch(n, m.epoch, m.leaderId, nowMs)
        return
      case 'fetch': return handleFetch(n, env, m, nowMs)
      case 'fetchResponse': return handleFetchResponse(n, env, m, nowMs)
      case 'fetchSnapshot': return handleFetchSnapshot(n, env, m)
      case 'fetchSnapshotResponse': return handleFetchSnapshotResponse(n, env, m, nowMs)
    }
  }

  #step (nowMs: number, body: () => void): Output {
    const n = this.#n
    n.out = emptyOutput()
    body()
    deliverCommitted(n)
    const out = n.out
    n.out = emptyOutput()
    return out
  }
}
