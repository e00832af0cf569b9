// Leader-epoch arithmetic shared by the leader and follower sides of partition replication
// (KIP-101, KIP-279, KIP-320). Pure functions over a replica's leader-epoch cache, given as a
// sorted list of (epoch, startOffset) entries: the answer a leader gives to
// OffsetsForLeaderEpoch, the Fetch v12+ `diverging_epoch` check, and the truncation offset a
// follower derives from the leader's answer, and the current_leader_epoch check of requests
// (KIP-320). The cache itself belongs to the partition log;
// these functions only read a view of it, so the simulator and the broker share them.

import { ErrorCode } from '../../protocol/errors.ts'

/** One entry of a leader-epoch cache: the first offset written in `epoch`. */
export interface EpochEntry {
  readonly epoch: number
  readonly startOffset: number
}

/** Kafka's EpochEndOffset / OffsetAndEpoch: -1/-1 is UNDEFINED (no answer). */
export interface EpochEndOffset {
  readonly epoch: number
  readonly endOffset: number
}

export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1
const UNDEFINED: EpochEndOffset = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }

/**
 * Kafka's check of `current_leader_epoch` on Fetch, OffsetsForLeaderEpoch and ListOffsets
 * against this replica's leader epoch: -1 skips it; an older one is FENCED_LEADER_EPOCH (74,
 * the requester is behind), a newer one UNKNOWN_LEADER_EPOCH (75, this replica is behind).
 */
export function currentLeaderEpochError (requestEpoch: number, localLeaderEpoch: number): number {
  if (requestEpoch === UNDEFINED_EPOCH || requestEpoch === localLeaderEpoch) return ErrorCode.NONE
  return requestEpoch < localLeaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
}

/** The newest epoch in the cache, or UNDEFINED_EPOCH for an empty cache. */
export function latestEpoch (epochs: readonly EpochEntry[]): number {
  return epochs.length === 0 ? UNDEFINED_EPOCH : epochs[epochs.length - 1]!.epoch
}

/** Throws on a cache whose epochs or start offsets go backwards (a programmer error). */
export function assertEpochCache (epochs: readonly EpochEntry[]): void {
  for (let i = 1; i < epochs.length; i++) {
    const prev = epochs[i - 1]!
    const cur = epochs[i]!
    if (cur.epoch <= prev.epoch || cur.startOffset < prev.startOffset) {
      throw new Error(`leader-epoch cache out of order at index ${i}: (${prev.epoch}, ${prev.startOffset}) then (${cur.epoch}, ${cur.startOffset})`)
    }
  }
}

/**
 * Kafka's LeaderEpochFileCache.endOffsetFor: the largest epoch <= `requestedEpoch` this replica
 * knows, and the end offset of that epoch (the start of the next higher epoch, or the log end
 * for the latest epoch). A requested epoch older than every known epoch answers with the
 * requested epoch and the start of the first known epoch (the prefix is gone; the asker
 * truncates to it). UNDEFINED for an undefined or a too-new requested epoch.
 */
export function endOffsetForEpoch (epochs: readonly EpochEntry[], requestedEpoch: number, logEndOffset: number): EpochEndOffset {
  if (requestedEpoch === UNDEFINED_EPOCH || epochs.length === 0) return UNDEFINED
  if (latestEpoch(epochs) === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset }
  let higher = -1
  for (let i = 0; i < epochs.length; i++) {
    if (epochs[i]!.epoch > requestedEpoch) { higher = i; break }
  }
  if (higher === -1) return UNDEFINED
  const endOffset = epochs[higher]!.startOffset
  if (higher === 0) return { epoch: requestedEpoch, endOffset }
  return { epoch: epochs[higher - 1]!.epoch, endOffset }
}

/**
 * The leader's check of a follower (or consumer) fetch that carries `last_fetched_epoch`
 * (Fetch v12+, KIP-320): null when the fetch position is consistent with the leader's log,
 * otherwise the `diverging_epoch` to answer with (the follower then truncates).
 */
export function divergingEpoch (
  epochs: readonly EpochEntry[], lastFetchedEpoch: number, fetchOffset: number, logEndOffset: number,
): EpochEndOffset | null {
  if (lastFetchedEpoch === UNDEFINED_EPOCH) return null
  const end = endOffsetForEpoch(epochs, lastFetchedEpoch, logEndOffset)
  if (end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset) return end
  return null
}

/** What a follower does with the leader's answer: truncate to `offset`; `done` = epochs agree. */
export interface TruncationDecision {
  readonly offset: number
  readonly done: boolean
}

/**
 * Kafka's AbstractFetcherThread.getOffsetTruncationState: from the leader's answer to
 * OffsetsForLeaderEpoch(lastFetchedEpoch), or the diverging epoch of a Fetch, the offset the
 * follower truncates to. When the leader names an epoch the follower does not have, the
 * follower truncates to the end of its own largest epoch below that one and asks again
 * (KIP-279), so the loop converges on the last offset both logs agree on. Never the HW: that
 * was the pre-KIP-101 rule that lost acknowledged writes.
 */
export function truncationFor (
  leaderAnswer: EpochEndOffset, localEpochs: readonly EpochEntry[], localLogEndOffset: number,
): TruncationDecision {
  if (leaderAnswer.endOffset === UNDEFINED_EPOCH_OFFSET) {
    // The leader knows no such epoch: Kafka keeps the fetch position and fetches on.
    return { offset: localLogEndOffset, done: true }
  }
  if (leaderAnswer.epoch === UNDEFINED_EPOCH) {
    return { offset: Math.min(leaderAnswer.endOffset, localLogEndOffset), done: true }
  }
  const local = endOffsetForEpoch(localEpochs, leaderAnswer.epoch, localLogEndOffset)
  if (local.endOffset === UNDEFINED_EPOCH_OFFSET) {
    // The follower tracks no epoch at or below the leader's: it is safe to take the leader's end.
    return { offset: Math.min(leaderAnswer.endOffset, localLogEndOffset), done: true }
  }
  if (local.epoch !== leaderAnswer.epoch) {
    return { offset: Math.min(local.endOffset, localLogEndOffset), done: false }
  }
  return { offset: Math.min(local.endOffset, leaderAnswer.endOffset, localLogEndOffset), done: true }
}
