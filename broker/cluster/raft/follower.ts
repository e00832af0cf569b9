// The fetching side, for voters that follow and for observers (pure brokers, which never
// vote). A follower has at most one request in flight, fetches only from a flushed log end
// (so the offset it reports to the leader is durable), truncates where the leader says the
// logs diverge, and downloads the leader's snapshot when it is behind the leader's log
// start. A voter that hears nothing valid from its leader for the fetch timeout starts a
// pre-vote; an observer forgets the leader and asks a random voter who leads now.

import { ErrorCode } from '../../protocol/errors.ts'
import { startPreVote } from './election.ts'
import { advanceHighWatermark, becomeUnattached, loadSnapshot, observeEpoch, send, type NodeState } from './state.ts'
import { NO_NODE, type Envelope, type FetchResponse, type FetchSnapshotResponse, type OffsetAndEpoch } from './types.ts'

export function followerTick (n: NodeState, nowMs: number): void {
  if (n.role === 'follower' && nowMs >= n.fetchDeadlineMs) {
    if (n.isVoter) startPreVote(n, nowMs)
    else becomeUnattached(n, n.epoch, nowMs)
    return
  }
  maybeFetch(n, nowMs)
}

/** Sends the next Fetch (or FetchSnapshot chunk) when none is in flight and the log is flushed. */
export function maybeFetch (n: NodeState, nowMs: number): void {
  const discovering = n.role === 'unattached' && !n.isVoter
  if (n.role !== 'follower' && !discovering) return
  const pending = n.pendingFetch
  if (pending !== null && nowMs - pending.sentMs < n.cfg.requestTimeoutMs) return
  if (pending !== null) n.nextDutyMs = nowMs
  n.pendingFetch = null
  if (nowMs < n.nextDutyMs || n.log.flushedEndOffset() < n.log.endOffset()) return
  const target = discovering ? n.cfg.voters[n.random.int(n.cfg.voters.length)]! : n.leaderId
  const download = n.download
  const correlationId = download !== null
    ? send(n, target, { type: 'fetchSnapshot', replicaId: n.cfg.nodeId, epoch: n.epoch, snapshotId: download.id, position: download.position, maxBytes: n.cfg.snapshotChunkBytes })
    : send(n, target, { type: 'fetch', replicaId: n.cfg.nodeId, epoch: n.epoch, fetchOffset: n.log.endOffset(), lastFetchedEpoch: n.log.lastEpoch(), maxEntries: n.cfg.fetchMaxEntries })
  n.pendingFetch = { correlationId, sentMs: nowMs, snapshot: download !== null }
  if (discovering) n.nextDutyMs = nowMs + n.cfg.requestTimeoutMs
}

/** True when `env` answers our in-flight request and comes from the leader we follow. */
function isCurrentAnswer (n: NodeState, env: Envelope, epoch: number, snapshot: boolean): boolean {
  const pending = n.pendingFetch
  if (pending === null || pending.correlationId !== env.correlationId || pending.snapshot !== snapshot) return false
  n.pendingFetch = null
  return n.role === 'follower' && env.from === n.leaderId && epoch === n.epoch
}

export function handleFetchResponse (n: NodeState, env: Envelope, r: FetchResponse, nowMs: number): void {
  if (r.leaderId !== NO_NODE && !n.cfg.voters.includes(r.leaderId)) return
  observeEpoch(n, r.epoch, r.leaderId, nowMs)
  if (!isCurrentAnswer(n, env, r.epoch, false)) return
  if (r.errorCode !== ErrorCode.NONE) {
    n.nextDutyMs = nowMs + n.cfg.fetchIntervalMs
    return
  }
  n.lastLeaderContactMs = nowMs
  n.fetchDeadlineMs = nowMs + n.cfg.fetchTimeoutMs
  n.nextDutyMs = nowMs
  if (r.divergingEpoch !== null) return truncateToDivergence(n, r.divergingEpoch)
  if (r.snapshotId !== null) return startDownload(n, r.snapshotId)
  if (r.entries.length > 0 && r.entries[0]!.offset !== n.log.endOffset()) return
  if (r.entries.length > 0) {
    n.log.append(r.entries)
    n.out.log.push({ type: 'append', fromOffset: r.entries[0]!.offset, toOffset: n.log.endOffset() })
    n.out.flush = true
  } else {
    n.nextDutyMs = nowMs + n.cfg.fetchIntervalMs
  }
  if (r.highWatermark >= 0) advanceHighWatermark(n, Math.min(r.highWatermark, n.log.endOffset()))
}

/** KIP-101/KIP-595: cut the log at the first offset where it may differ from the leader's. */
function truncateToDivergence (n: NodeState, diverging: OffsetAndEpoch): void {
  const local = n.log.endOffsetForEpoch(diverging.epoch)
  const offset = Math.min(diverging.offset, local?.offset ?? n.log.startOffset(), n.log.endOffset())
  if (offset < n.highWatermark) throw new Error(`node ${n.cfg.nodeId}: truncation to ${offset} below the high watermark ${n.highWatermark}`)
  if (offset >= n.log.endOffset()) return
  n.log.truncateTo(offset)
  n.out.log.push({ type: 'truncate', toOffset: offset })
}

/**
 * A snapshot replaces the log only when the log does not already reach it: it ends before
 * the snapshot, or at it but with another epoch (an uncommitted tail the leader can no
 * longer point at, since it dropped that prefix). The HW is at most the log end, so it
 * never goes back.
 */
function snapshotNeeded (n: NodeState, id: OffsetAndEpoch): boolean {
  const end = n.log.endOffset()
  return id.offset > end || (id.offset === end && n.log.lastEpoch() !== id.epoch)
}

function startDownload (n: NodeState, id: OffsetAndEpoch): void {
  if (snapshotNeeded(n, id)) n.download = { id, chunks: [], position: 0 }
}

export function handleFetchSnapshotResponse (n: NodeState, env: Envelope, r: FetchSnapshotResponse, nowMs: number): void {
  if (r.leaderId !== NO_NODE && !n.cfg.voters.includes(r.leaderId)) return
  observeEpoch(n, r.epoch, r.leaderId, nowMs)
  if (!isCurrentAnswer(n, env, r.epoch, true)) return
  const download = n.download
  const sameSnapshot = download !== null && r.snapshotId.offset === download.id.offset && r.snapshotId.epoch === download.id.epoch
  if (r.errorCode !== ErrorCode.NONE || !sameSnapshot || r.position !== download.position) {
    n.download = null
    n.nextDutyMs = nowMs + n.cfg.fetchIntervalMs
    return
  }
  n.lastLeaderContactMs = nowMs
  n.fetchDeadlineMs = nowMs + n.cfg.fetchTimeoutMs
  n.nextDutyMs = nowMs
  download.chunks.push(r.chunk)
  download.position += r.chunk.length
  if (download.position >= r.sizeBytes) installDownload(n, download.id, Buffer.concat(download.chunks))
  else if (r.chunk.length === 0) n.download = null
}

function installDownload (n: NodeState, id: OffsetAndEpoch, data: Uint8Array): void {
  n.download = null
  if (!snapshotNeeded(n, id)) return
  const snapshot = { endOffset: id.offset, epoch: id.epoch, data }
  n.log.installSnapshot(snapshot)
  n.out.log.push({ type: 'snapshotInstalled', endOffset: id.offset })
  advanceHighWatermark(n, id.offset)
  loadSnapshot(n, snapshot)
}
