// The follower side of one partition replica, sans-I/O (issue #9): which leader and epoch it
// follows, where it fetches from, the HW it learned, and the truncation it must do before
// fetching from a new leader epoch (KIP-101, KIP-279, KIP-320). The replica fetcher asks
// `nextAction(log)` what to do, does it (a request, or a truncation of the local log), and
// reports the outcome; the local log is read through a view at each call, never owned here.
//
// Phases: needsEpochCheck -> (OffsetsForLeaderEpoch answer) -> truncating -> (truncated) ->
// fetching, repeated while the leader names an epoch this replica does not have. With Fetch
// v12+ (`useDivergingEpoch`) a replica with an epoch fetches at once and truncates when the
// leader answers with a diverging epoch. The truncation point is never the HW (the
// pre-KIP-101 rule that lost acknowledged writes), except for a log with no epochs at all.
// OFFSET_OUT_OF_RANGE leads through the leader's log start and end to a truncation, a restart
// of the log at the leader's start, or a plain retry (Kafka's fetchOffsetAndTruncate).

import { ErrorCode } from '../../protocol/errors.ts'
import type { ReplicaDebugFaults } from './debug-faults.ts'
import { latestEpoch, truncationFor, UNDEFINED_EPOCH, type EpochEndOffset, type EpochEntry, type TruncationDecision } from './epochs.ts'

/** The local log as the follower needs it: read at each call, owned by the partition log. */
export interface LocalLogView {
  readonly logEndOffset: number
  readonly epochs: readonly EpochEntry[]
}

export type FollowerPhase =
  | 'needsEpochCheck' | 'awaitingEpochAnswer' | 'truncating' | 'fetching' | 'awaitingMetadata'
  | 'needsLeaderOffsets' | 'awaitingLeaderOffsets'

export type FollowerAction =
  | { kind: 'epochCheck', currentLeaderEpoch: number, leaderEpoch: number }
  | { kind: 'truncate', offset: number }
  | { kind: 'fetch', fetchOffset: number, lastFetchedEpoch: number, currentLeaderEpoch: number }
  /** After OFFSET_OUT_OF_RANGE: ask the leader for its log start and end (ListOffsets earliest/latest). */
  | { kind: 'leaderOffsets', currentLeaderEpoch: number }
  /** Drop the whole local log and restart it empty at `offset` (the leader deleted what we lack). */
  | { kind: 'truncateFullyAndStartAt', offset: number }
  | { kind: 'wait' }

export interface FollowerStart {
  leaderId: number
  leaderEpoch: number
  /** The local HW (checkpointed, or kept from an earlier role). */
  highWatermark: number
  log: LocalLogView
  /** Fetch v12+: skip OffsetsForLeaderEpoch and rely on the Fetch diverging epoch. */
  useDivergingEpoch: boolean
  /** Debug-only broken rules for the simulator. Never set in production. */
  debug?: ReplicaDebugFaults
}

/** What a fetch response carries for this partition (records are appended by the caller first). */
export interface FetchOutcome {
  errorCode: number
  highWatermark: number
  /** Set when the leader found the fetch position inconsistent with its log (Fetch v12+). */
  divergingEpoch?: EpochEndOffset | null
}

export class FollowerPartition {
  readonly useDivergingEpoch: boolean
  readonly #debug: ReplicaDebugFaults | undefined
  #leaderId: number
  #leaderEpoch: number
  #phase: FollowerPhase = 'needsEpochCheck'
  #highWatermark: number
  #truncation: (TruncationDecision & { fully?: boolean }) | null = null
  /** Truncations that went below the HW: only unclean elections can cause one. */
  truncationsBelowHw = 0

  constructor (start: FollowerStart) {
    if (start.highWatermark > start.log.logEndOffset) throw new Error(`highWatermark ${start.highWatermark} is above logEndOffset ${start.log.logEndOffset}`)
    this.useDivergingEpoch = start.useDivergingEpoch
    this.#debug = start.debug
    this.#leaderId = start.leaderId
    this.#leaderEpoch = start.leaderEpoch
    this.#highWatermark = start.highWatermark
    this.#startEpoch(start.log)
  }

  get leaderId (): number { return this.#leaderId }
  get leaderEpoch (): number { return this.#leaderEpoch }
  get phase (): FollowerPhase { return this.#phase }
  get highWatermark (): number { return this.#highWatermark }
  /** Where the pending truncation cuts the log (null: none pending). */
  get truncationOffset (): number | null { return this.#truncation?.offset ?? null }

  /** What the fetcher should do now. `truncate` repeats until `onTruncated` is reported. */
  nextAction (log: LocalLogView): FollowerAction {
    switch (this.#phase) {
      case 'needsEpochCheck': {
        const epoch = latestEpoch(log.epochs)
        if (epoch === UNDEFINED_EPOCH) {
          // No epoch to ask about (Kafka's truncateToHighWatermark for such partitions).
          this.#truncation = { offset: Math.min(this.#highWatermark, log.logEndOffset), done: true }
          this.#phase = 'truncating'
          return { kind: 'truncate', offset: this.#truncation.offset }
        }
        this.#phase = 'awaitingEpochAnswer'
        return { kind: 'epochCheck', currentLeaderEpoch: this.#leaderEpoch, leaderEpoch: epoch }
      }
      case 'truncating': {
        const t = this.#truncation!
        return t.fully === true ? { kind: 'truncateFullyAndStartAt', offset: t.offset } : { kind: 'truncate', offset: t.offset }
      }
      case 'needsLeaderOffsets':
        this.#phase = 'awaitingLeaderOffsets'
        return { kind: 'leaderOffsets', currentLeaderEpoch: this.#leaderEpoch }
      case 'fetching':
        return { kind: 'fetch', fetchOffset: log.logEndOffset, lastFetchedEpoch: latestEpoch(log.epochs), currentLeaderEpoch: this.#leaderEpoch }
      default:
        return { kind: 'wait' }
    }
  }

  /** The leader's OffsetsForLeaderEpoch answer for our latest epoch. */
  onEpochAnswer (answer: { errorCode: number, leaderEpoch: number, endOffset: number }, log: LocalLogView): void {
    if (this.#phase !== 'awaitingEpochAnswer') return
    if (this.#fencedBy(answer.errorCode)) return
    if (answer.errorCode !== ErrorCode.NONE) {
      this.#phase = 'needsEpochCheck'
      return
    }
    this.#beginTruncation({ epoch: answer.leaderEpoch, endOffset: answer.endOffset }, log)
  }

  /** The local log was truncated as asked (its log end is now at or below the offset, or exactly at it after a full truncation). */
  onTruncated (log: LocalLogView): void {
    const decision = this.#truncation
    if (this.#phase !== 'truncating' || decision === null) throw new Error(`onTruncated in phase ${this.#phase}`)
    if (decision.fully === true) {
      if (log.logEndOffset !== decision.offset) throw new Error(`log end ${log.logEndOffset} is not the restart offset ${decision.offset}`)
      this.#highWatermark = Math.max(this.#highWatermark, decision.offset)
    } else if (log.logEndOffset > decision.offset) {
      throw new Error(`log end ${log.logEndOffset} is above the truncation offset ${decision.offset}`)
    }
    if (log.logEndOffset < this.#highWatermark) {
      this.truncationsBelowHw++
      this.#highWatermark = log.logEndOffset
    }
    this.#truncation = null
    this.#phase = decision.done || this.useDivergingEpoch ? 'fetching' : 'needsEpochCheck'
  }

  /**
   * The leader's log start and end after OFFSET_OUT_OF_RANGE (Kafka's fetchOffsetAndTruncate):
   * a leader that ends below us (only after an unclean election) makes us truncate to its
   * end; a leader that deleted what we lack makes us restart empty at its log start;
   * otherwise we fetch on from our own log end.
   */
  onLeaderOffsets (leader: { errorCode: number, logStartOffset: number, logEndOffset: number }, log: LocalLogView): void {
    if (this.#phase !== 'awaitingLeaderOffsets') return
    if (this.#fencedBy(leader.errorCode)) return
    if (leader.errorCode !== ErrorCode.NONE) {
      this.#phase = 'needsLeaderOffsets'
      return
    }
    if (leader.logEndOffset < log.logEndOffset) {
      this.#truncation = { offset: leader.logEndOffset, done: true }
      this.#phase = 'truncating'
    } else if (leader.logStartOffset > log.logEndOffset) {
      this.#truncation = { offset: leader.logStartOffset, done: true, fully: true }
      this.#phase = 'truncating'
    } else {
      this.#phase = 'fetching'
    }
  }

  /**
   * A fetch response from the leader. A diverging epoch starts a truncation (the caller must
   * not append the records of such a response); otherwise the caller has appended the records
   * and the local HW becomes min(leader HW, local log end), never lower than before.
   */
  onFetchResponse (outcome: FetchOutcome, log: LocalLogView): void {
    if (this.#phase !== 'fetching') return
    if (this.#fencedBy(outcome.errorCode)) return
    if (outcome.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.#phase = 'needsLeaderOffsets'
      return
    }
    if (outcome.errorCode !== ErrorCode.NONE) return // retriable (UNKNOWN_LEADER_EPOCH...): fetch again
    if (outcome.divergingEpoch != null) {
      this.#beginTruncation(outcome.divergingEpoch, log)
      return
    }
    const hw = Math.min(outcome.highWatermark, log.logEndOffset)
    if (hw > this.#highWatermark) this.#highWatermark = hw
  }

  /**
   * The metadata image names the leader of this partition. An older epoch is ignored (never
   * follow a deposed leader); a newer one restarts the epoch check against the new leader.
   * Returns false when ignored.
   */
  onLeaderChange (leaderId: number, leaderEpoch: number, log: LocalLogView): boolean {
    if (leaderEpoch < this.#leaderEpoch) return false
    if (leaderEpoch === this.#leaderEpoch && leaderId === this.#leaderId && this.#phase !== 'awaitingMetadata') return false
    this.#leaderId = leaderId
    this.#leaderEpoch = leaderEpoch
    this.#startEpoch(log)
    return true
  }

  #startEpoch (log: LocalLogView): void {
    this.#truncation = null
    if (this.#leaderId < 0) { // offline partition: nobody to fetch from until the image names a leader
      this.#phase = 'awaitingMetadata'
      return
    }
    if (this.#debug?.truncateToHighWatermarkOnFollow === true) { // the pre-KIP-101 rule, on purpose
      this.#truncation = { offset: Math.min(this.#highWatermark, log.logEndOffset), done: true }
      this.#phase = 'truncating'
      return
    }
    const hasEpoch = latestEpoch(log.epochs) !== UNDEFINED_EPOCH
    this.#phase = this.useDivergingEpoch && hasEpoch ? 'fetching' : 'needsEpochCheck'
  }

  #beginTruncation (leaderAnswer: EpochEndOffset, log: LocalLogView): void {
    const decision = truncationFor(leaderAnswer, log.epochs, log.logEndOffset)
    if (decision.offset >= log.logEndOffset && decision.done) {
      this.#phase = 'fetching'
      return
    }
    this.#truncation = decision
    this.#phase = 'truncating'
  }

  /**
   * FENCED_LEADER_EPOCH: our leader epoch is older than the leader's, so newer metadata is on
   * its way; wait for it. NOT_LEADER_OR_FOLLOWER is not fencing: it also comes from a broker
   * that will lead this epoch but has not applied the metadata saying so, while ours already
   * has (the metadata reaches brokers at different moments). Waiting for metadata then waited
   * for a change that had already come, and the follower never fetched again (a safe-rf3
   * soak run, seed 7016). Like Kafka's fetcher, treat it as retriable: ask again after the
   * backoff, and a leader change in the metadata restarts the epoch check anyway.
   */
  #fencedBy (errorCode: number): boolean {
    if (errorCode !== ErrorCode.FENCED_LEADER_EPOCH) return false
    this.#phase = 'awaitingMetadata'
    return true
  }
}
