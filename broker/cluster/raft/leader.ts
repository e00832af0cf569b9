// The leader's side of replication: it answers Fetch and FetchSnapshot, tracks each
// replica's validated end offset, and moves the high watermark to the offset a majority of
// voters holds on disk, but only once that majority holds an entry of the leader's own
// epoch (its leaderChange record), so an entry of an older epoch is never committed by
// counting copies (Raft's figure 8; KIP-595 "high watermark").

import { ErrorCode } from '../../protocol/errors.ts'
import { sendEndQuorumEpoch } from './election.ts'
import { advanceHighWatermark, becomeResigned, majority, send, type LeaderState, type NodeState, type ReplicaProgress } from './state.ts'
import type { Envelope, FetchRequest, FetchResponse, FetchSnapshotRequest, OffsetAndEpoch } from './types.ts'

type FetchCheck = { kind: 'valid' } | { kind: 'diverging'; at: OffsetAndEpoch } | { kind: 'snapshot'; id: OffsetAndEpoch }

function fetchAnswer (n: NodeState, errorCode: number, extra: Partial<FetchResponse> = {}): FetchResponse {
  return { type: 'fetchResponse', errorCode, epoch: n.epoch, leaderId: n.leaderId, highWatermark: n.highWatermark, entries: [], divergingEpoch: null, snapshotId: null, ...extra }
}

/** Kafka's validateOffsetAndEpoch: does the replica's log end agree with ours? */
function checkFetchPosition (n: NodeState, fetchOffset: number, lastFetchedEpoch: number): FetchCheck {
  const snap = n.log.latestSnapshot()
  const start = n.log.startOffset()
  if (snap !== null) {
    const id = { offset: snap.endOffset, epoch: snap.epoch }
    if (fetchOffset < start || (fetchOffset === snap.endOffset && lastFetchedEpoch !== snap.epoch)) return { kind: 'snapshot', id }
  }
  if (fetchOffset === 0 && start === 0) return { kind: 'valid' }
  const end = n.log.endOffsetForEpoch(lastFetchedEpoch)
  if (end === null) return snap === null ? { kind: 'diverging', at: { epoch: 0, offset: 0 } } : { kind: 'snapshot', id: { offset: snap.endOffset, epoch: snap.epoch } }
  if (end.epoch !== lastFetchedEpoch || end.offset < fetchOffset) return { kind: 'diverging', at: end }
  return { kind: 'valid' }
}

export function handleFetch (n: NodeState, env: Envelope, r: FetchRequest, nowMs: number): void {
  const reply = (res: FetchResponse): void => { send(n, env.from, res, env.correlationId) }
  if (r.replicaId !== env.from) return reply(fetchAnswer(n, ErrorCode.INVALID_REQUEST))
  if (r.epoch > n.epoch) return reply(fetchAnswer(n, ErrorCode.UNKNOWN_LEADER_EPOCH))
  if (r.epoch < n.epoch) return reply(fetchAnswer(n, ErrorCode.FENCED_LEADER_EPOCH))
  const leader = n.leader
  if (n.role !== 'leader' || leader === null) return reply(fetchAnswer(n, ErrorCode.NOT_LEADER_OR_FOLLOWER))
  const check = checkFetchPosition(n, r.fetchOffset, r.lastFetchedEpoch)
  if (check.kind === 'diverging') return reply(fetchAnswer(n, ErrorCode.NONE, { divergingEpoch: check.at }))
  if (check.kind === 'snapshot') return reply(fetchAnswer(n, ErrorCode.NONE, { snapshotId: check.id }))
  if (r.fetchOffset > n.log.endOffset()) return reply(fetchAnswer(n, ErrorCode.NONE, { divergingEpoch: n.log.endOffsetForEpoch(n.epoch) }))
  recordProgress(n, leader, r.replicaId, r.fetchOffset, nowMs)
  updateLeaderHighWatermark(n)
  const maxEntries = Math.max(1, Math.min(r.maxEntries, n.cfg.fetchMaxEntries))
  reply(fetchAnswer(n, ErrorCode.NONE, { entries: n.log.read(r.fetchOffset, maxEntries) }))
}

function recordProgress (n: NodeState, leader: LeaderState, replicaId: number, fetchOffset: number, nowMs: number): void {
  const table = n.cfg.voters.includes(replicaId) ? leader.voters : leader.observers
  let progress = table.get(replicaId)
  if (progress === undefined) {
    progress = { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 }
    table.set(replicaId, progress)
  }
  progress.endOffset = fetchOffset
  progress.lastFetchMs = nowMs
  if (fetchOffset >= n.log.endOffset()) progress.lastCaughtUpMs = nowMs
}

/** The HW candidate is the majority-th largest durable end offset among the voters. */
export function updateLeaderHighWatermark (n: NodeState): void {
  const leader = n.leader
  if (leader === null) return
  const offsets = [n.log.flushedEndOffset()]
  for (const p of leader.voters.values()) offsets.push(p.endOffset)
  offsets.sort((a, b) => b - a)
  const candidate = offsets[majority(n) - 1]!
  const ownEpochReplicated = candidate > leader.epochStartOffset
  if (ownEpochReplicated || n.cfg.debug?.commitOldEpochByCount === true) advanceHighWatermark(n, candidate)
}

export function handleFetchSnapshot (n: NodeState, env: Envelope, r: FetchSnapshotRequest): void {
  const snap = n.log.latestSnapshot()
  const base = { type: 'fetchSnapshotResponse' as const, epoch: n.epoch, leaderId: n.leaderId, snapshotId: r.snapshotId, position: r.position }
  const fail = (errorCode: number): void => { send(n, env.from, { ...base, errorCode, sizeBytes: 0, chunk: new Uint8Array(0) }, env.correlationId) }
  if (r.epoch < n.epoch) return fail(ErrorCode.FENCED_LEADER_EPOCH)
  if (r.epoch > n.epoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH)
  if (n.role !== 'leader') return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER)
  if (snap === null || snap.endOffset !== r.snapshotId.offset || snap.epoch !== r.snapshotId.epoch) return fail(ErrorCode.SNAPSHOT_NOT_FOUND)
  if (r.position < 0 || r.position > snap.data.length) return fail(ErrorCode.POSITION_OUT_OF_RANGE)
  const chunkBytes = Math.max(1, Math.min(r.maxBytes, n.cfg.snapshotChunkBytes))
  const chunk = snap.data.subarray(r.position, r.position + chunkBytes)
  send(n, env.from, { ...base, errorCode: ErrorCode.NONE, sizeBytes: snap.data.length, chunk }, env.correlationId)
}

/**
 * Periodic leader duties: BeginQuorumEpoch again to voters that have not fetched in this
 * epoch, and the quorum check: a leader that has not heard from a majority for 1.5 fetch
 * timeouts resigns (Kafka's check-quorum), so a partitioned leader stops claiming the role.
 */
export function leaderTick (n: NodeState, nowMs: number): void {
  const leader = n.leader
  if (leader === null || nowMs < n.nextDutyMs) return
  n.nextDutyMs = nowMs + n.cfg.requestTimeoutMs
  for (const [voter, p] of leader.voters) {
    if (p.endOffset < 0) send(n, voter, { type: 'beginQuorumEpoch', epoch: n.epoch, leaderId: n.cfg.nodeId })
  }
  const windowMs = Math.floor(n.cfg.fetchTimeoutMs * 1.5)
  if (nowMs - leader.sinceMs < windowMs) return
  let heard = 1
  for (const p of leader.voters.values()) if (p.lastFetchMs >= 0 && nowMs - p.lastFetchMs < windowMs) heard++
  if (heard < majority(n)) resign(n, nowMs)
}

/** Steps down from leadership for the rest of the epoch (graceful shutdown or lost quorum). */
export function resign (n: NodeState, nowMs: number): void {
  const leader = n.leader
  if (n.role !== 'leader' || leader === null) return
  const successors = [...leader.voters].sort((a, b) => b[1].endOffset - a[1].endOffset).map(([id]) => id)
  becomeResigned(n, nowMs)
  sendEndQuorumEpoch(n, successors)
}

export interface ReplicaDescription { replicaId: number; logEndOffset: number; lastFetchTimestamp: number; lastCaughtUpTimestamp: number }

/** DescribeQuorum (55) data from the leader's state: the leader itself is listed as caught up now. */
export function describeReplicas (n: NodeState, nowMs: number): { voters: ReplicaDescription[]; observers: ReplicaDescription[] } {
  const describe = (replicaId: number, p: ReplicaProgress): ReplicaDescription =>
    ({ replicaId, logEndOffset: p.endOffset, lastFetchTimestamp: p.lastFetchMs, lastCaughtUpTimestamp: p.lastCaughtUpMs })
  const self = { replicaId: n.cfg.nodeId, logEndOffset: n.log.endOffset(), lastFetchTimestamp: -1, lastCaughtUpTimestamp: nowMs }
  const leader = n.leader
  if (leader === null) return { voters: [], observers: [] }
  return {
    voters: [self, ...[...leader.voters].map(([id, p]) => describe(id, p))],
    observers: [...leader.observers].map(([id, p]) => describe(id, p)),
  }
}
