// The state of one quorum node and its transitions (Kafka's QuorumState). Roles:
//   unattached  knows the epoch, no leader; may have voted (Kafka's Unattached/Voted)
//   prospective asking for pre-votes (KIP-996) without bumping the epoch
//   candidate   bumped the epoch, voted for itself, asking for votes
//   leader      elected for the epoch; appends and serves fetches
//   follower    fetches from the known leader of the epoch (voters and observers)
//   resigned    was leader of the epoch and stepped down (shutdown, lost quorum, restart)
// Every change of (epoch, votedFor, leaderId) is queued for persistence in the same step.

import type { RaftLog } from './log.ts'
import { NO_NODE, type Entry, type Envelope, type NodeId, type Output, type RaftConfig, type RaftMessage, type Random, type Snapshot } from './types.ts'

/** A step that wants to send more than this is a bug (a loop), not load. */
const MAX_OUTPUT_MESSAGES = 10_000

export type Role = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned'

export interface ReplicaProgress {
  /** The last validated fetch offset; -1 until the replica fetched in this epoch. */
  endOffset: number
  lastFetchMs: number
  lastCaughtUpMs: number
}

export interface LeaderState {
  /** Offset of this epoch's leaderChange entry: the HW may only pass it once it is replicated. */
  epochStartOffset: number
  sinceMs: number
  voters: Map<NodeId, ReplicaProgress>
  observers: Map<NodeId, ReplicaProgress>
}

export interface PendingFetch { correlationId: number; sentMs: number; snapshot: boolean }

export interface SnapshotDownload { id: { offset: number; epoch: number }; chunks: Uint8Array[]; position: number }

export interface NodeState {
  readonly cfg: RaftConfig
  readonly log: RaftLog
  readonly random: Random
  readonly isVoter: boolean
  role: Role
  epoch: number
  votedFor: NodeId
  leaderId: NodeId
  highWatermark: number
  /** The next offset to hand to the state machine in `Output.committed`. */
  deliveredOffset: number
  electionDeadlineMs: number
  fetchDeadlineMs: number
  /** When the next periodic duty is due (a fetch, a BeginQuorumEpoch retry, a quorum check). */
  nextDutyMs: number
  lastLeaderContactMs: number
  votes: Map<NodeId, boolean>
  leader: LeaderState | null
  pendingFetch: PendingFetch | null
  download: SnapshotDownload | null
  nextCorrelationId: number
  out: Output
}

export function emptyOutput (): Output {
  return { persist: null, flush: false, log: [], messages: [], loadSnapshot: null, committed: [] }
}

export function majority (n: NodeState): number {
  return Math.floor(n.cfg.voters.length / 2) + 1
}

export function otherVoters (n: NodeState): NodeId[] {
  return n.cfg.voters.filter(v => v !== n.cfg.nodeId)
}

export function send (n: NodeState, to: NodeId, message: RaftMessage, correlationId = n.nextCorrelationId++): number {
  if (n.out.messages.length >= MAX_OUTPUT_MESSAGES) throw new Error(`more than ${MAX_OUTPUT_MESSAGES} messages in one step`)
  const envelope: Envelope = { from: n.cfg.nodeId, to, correlationId, message }
  n.out.messages.push(envelope)
  return correlationId
}

/** Election timeout with Kafka's jitter: timeout + random [0, timeout). */
export function electionDelayMs (n: NodeState): number {
  return n.cfg.electionTimeoutMs + n.random.int(n.cfg.electionTimeoutMs)
}

function setElection (n: NodeState, epoch: number, votedFor: NodeId, leaderId: NodeId): void {
  if (epoch < n.epoch) throw new Error(`epoch going back from ${n.epoch} to ${epoch}`)
  if (epoch === n.epoch && votedFor === n.votedFor && leaderId === n.leaderId) return
  n.epoch = epoch
  n.votedFor = votedFor
  n.leaderId = leaderId
  n.out.persist = { epoch, votedFor, leaderId }
}

function leave (n: NodeState, role: Role): void {
  n.role = role
  n.votes.clear()
  n.leader = null
  n.pendingFetch = null
  n.download = null
}

export function becomeUnattached (n: NodeState, epoch: number, nowMs: number): void {
  const keepVote = epoch === n.epoch ? n.votedFor : NO_NODE
  setElection(n, epoch, keepVote, NO_NODE)
  leave(n, 'unattached')
  n.electionDeadlineMs = nowMs + electionDelayMs(n)
  n.nextDutyMs = nowMs
}

export function becomeFollower (n: NodeState, epoch: number, leaderId: NodeId, nowMs: number): void {
  const keepVote = epoch === n.epoch ? n.votedFor : NO_NODE
  setElection(n, epoch, keepVote, leaderId)
  leave(n, 'follower')
  if (n.cfg.debug?.truncateToHighWatermarkOnFollow === true) truncateToHighWatermark(n)
  n.fetchDeadlineMs = nowMs + n.cfg.fetchTimeoutMs
  // Only a message from the leader itself counts as contact (the callers set it), so a node
  // that merely heard of a leader still grants pre-votes when that leader is gone.
  n.lastLeaderContactMs = -Infinity
  n.nextDutyMs = nowMs
}

/** Pre-vote: the epoch and the vote stay as they are, so a rejected node disturbs nobody. */
export function becomeProspective (n: NodeState, nowMs: number): void {
  leave(n, 'prospective')
  n.electionDeadlineMs = nowMs + electionDelayMs(n)
  n.votes.set(n.cfg.nodeId, true)
}

export function becomeCandidate (n: NodeState, nowMs: number): void {
  setElection(n, n.epoch + 1, n.cfg.nodeId, NO_NODE)
  leave(n, 'candidate')
  n.electionDeadlineMs = nowMs + electionDelayMs(n)
  n.votes.set(n.cfg.nodeId, true)
}

export function becomeResigned (n: NodeState, nowMs: number): void {
  leave(n, 'resigned')
  n.electionDeadlineMs = nowMs + electionDelayMs(n)
}

export function becomeLeader (n: NodeState, nowMs: number): void {
  setElection(n, n.epoch, n.votedFor, n.cfg.nodeId)
  leave(n, 'leader')
  const epochStartOffset = n.log.endOffset()
  const progress = (): ReplicaProgress => ({ endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 })
  n.leader = { epochStartOffset, sinceMs: nowMs, voters: new Map(otherVoters(n).map(v => [v, progress()])), observers: new Map() }
  // The leaderChange record is the entry of the leader's own epoch that commits everything before it.
  appendLocal(n, [{ offset: epochStartOffset, epoch: n.epoch, kind: 'leaderChange', data: new Uint8Array(0) }])
  n.nextDutyMs = nowMs
}

/** The pre-KIP-101 bug, kept behind a debug flag so the simulator can show it loses committed entries. */
export function truncateToHighWatermark (n: NodeState): void {
  const offset = Math.max(n.highWatermark, n.log.startOffset())
  if (offset >= n.log.endOffset()) return
  n.log.truncateTo(offset)
  n.out.log.push({ type: 'truncate', toOffset: offset })
}

export function appendLocal (n: NodeState, entries: Entry[]): void {
  if (entries.length === 0) return
  n.log.append(entries)
  n.out.log.push({ type: 'append', fromOffset: entries[0]!.offset, toOffset: entries.at(-1)!.offset + 1 })
  n.out.flush = true
}

/**
 * Moves to a newer epoch (or learns the leader of the current one) from any message. A node
 * never follows a leader of an older epoch, and never accepts a second leader in one epoch.
 */
export function observeEpoch (n: NodeState, epoch: number, leaderId: NodeId, nowMs: number): void {
  if (epoch > n.epoch) {
    if (leaderId !== NO_NODE && leaderId !== n.cfg.nodeId) becomeFollower(n, epoch, leaderId, nowMs)
    else becomeUnattached(n, epoch, nowMs)
    return
  }
  if (epoch < n.epoch || leaderId === NO_NODE || leaderId === n.cfg.nodeId) return
  // A prospective node already gave up on the leader it knows; only news of another one counts.
  const news = n.role === 'unattached' || n.role === 'candidate' || (n.role === 'prospective' && leaderId !== n.leaderId)
  if (news) becomeFollower(n, epoch, leaderId, nowMs)
}

/** Raises the HW, never lowers it (Kafka's FollowerState refuses a non-monotonic update too). */
export function advanceHighWatermark (n: NodeState, offset: number): void {
  if (offset <= n.highWatermark) return
  n.highWatermark = offset
}

/** At the end of every step: hands entries below the HW to the state machine, each once. */
export function deliverCommitted (n: NodeState): void {
  const snap = n.log.latestSnapshot()
  if (n.deliveredOffset < n.log.startOffset()) {
    if (snap === null || snap.endOffset !== n.log.startOffset()) throw new Error('log prefix dropped without a snapshot')
    loadSnapshot(n, snap)
  }
  const upTo = Math.min(n.highWatermark, n.log.endOffset())
  while (n.deliveredOffset < upTo) {
    const entries = n.log.read(n.deliveredOffset, upTo - n.deliveredOffset)
    n.out.committed.push(...entries)
    n.deliveredOffset += entries.length
  }
}

export function loadSnapshot (n: NodeState, snap: Snapshot): void {
  n.out.loadSnapshot = snap
  n.out.committed = []
  n.deliveredOffset = snap.endOffset
}
