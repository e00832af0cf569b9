// The leader's view of one partition in one leader epoch, sans-I/O (issue #9): follower log
// ends from their fetches, the high watermark, ISR shrink/expand proposals for AlterPartition
// (56) and acks=all completion. Fed events and clock readings, it returns decisions; the
// broker does the fetch serving, the AlterPartition round trip and the produce purgatory.
//
// Kafka 4.1 rules (Partition.scala), checked against the 4.1.1 jar where it matters:
// - HW = min log end over the *maximal* ISR (committed ISR plus a pending expansion, KIP-497;
//   a pending shrink is not applied until committed) and over followers that are caught up
//   and about to join; it only moves forward, and not at all while the committed ISR is below
//   the effective min ISR (min(min.insync.replicas, replication factor)).
// - One AlterPartition at a time. After FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION and the
//   like, the leader proposes nothing more (and keeps the maximal ISR) until the metadata log
//   brings a newer partition epoch; OPERATION_NOT_ATTEMPTED / INELIGIBLE_REPLICA revert to the
//   committed ISR at once.
// - acks=all: NOT_ENOUGH_REPLICAS before the append when the committed ISR is below the
//   effective min ISR; a parked request completes once the HW passes it, with
//   NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is below the effective min ISR then.
// replication.md's rule 5 (no HW past the epoch start before this epoch is replicated) is
// Raft's, not Kafka's: it is available as `holdHwUntilEpochReplicated`, off by default.
// A leader epoch change is a new LeaderPartition: follower state does not carry over.

import { ErrorCode } from '../../protocol/errors.ts'
import type { PartitionState } from '../image.ts'
import type { AlterPartitionPartitionReply } from '../requests.ts'
import type { ReplicaDebugFaults } from './debug-faults.ts'
import { FollowerView } from './follower-view.ts'

export interface LeaderConfig {
  localBrokerId: number
  /** replica.lag.time.max.ms (Kafka: 30000). */
  replicaLagTimeMaxMs: number
  /** min.insync.replicas of the topic. */
  minInsyncReplicas: number
  /**
   * replication.md rule 5 (Raft's rule, not Kafka 4.1's): the HW does not pass the start of
   * this leader epoch until an offset of this epoch is on the whole maximal ISR. Default false.
   */
  holdHwUntilEpochReplicated?: boolean
  /** Kafka's isReplicaIsrEligible (registered, unfenced, not shutting down). Default: all. */
  isEligible?: (brokerId: number) => boolean
  /** Debug-only broken rules for the simulator. Never set in production. */
  debug?: ReplicaDebugFaults
}

export interface LeaderStart {
  /** The partition as the metadata image has it; `leader` must be the local broker. */
  state: PartitionState
  /** The local log end when leadership starts: the start offset of this leader epoch. */
  logEndOffset: number
  /** The local HW (checkpointed or learned as follower). */
  highWatermark: number
  nowMs: number
}

/** An ISR change for the broker to send as one AlterPartition partition entry. */
export interface IsrProposal {
  readonly kind: 'expand' | 'shrink'
  readonly newIsr: readonly number[]
  readonly leaderEpoch: number
  /** The partition epoch the change is based on (fences it at the controller). */
  readonly partitionEpoch: number
  readonly leaderRecoveryState: number
}

interface Pending { proposal: IsrProposal, maximalIsr: readonly number[], inFlight: boolean }

export type AlterReplyOutcome = 'committed' | 'reverted' | 'awaitingMetadata' | 'ignored'
export type ImageOutcome = 'applied' | 'ignored' | 'notLeaderInThisEpoch'

export class LeaderPartition {
  readonly leaderEpoch: number
  /** First offset of this leader epoch (the log end when leadership started). */
  readonly epochStartOffset: number
  readonly #config: LeaderConfig
  #replicas: readonly number[]
  #isr: readonly number[]
  #partitionEpoch: number
  #followers = new Map<number, FollowerView>()
  #pending: Pending | null = null
  #logEndOffset: number
  #highWatermark: number
  #nowMs: number

  constructor (config: LeaderConfig, start: LeaderStart) {
    const s = start.state
    if (s.leader !== config.localBrokerId) throw new Error(`partition leader is ${s.leader}, not the local broker ${config.localBrokerId}`)
    if (start.highWatermark > start.logEndOffset) throw new Error(`highWatermark ${start.highWatermark} is above logEndOffset ${start.logEndOffset}`)
    this.#config = config
    this.leaderEpoch = s.leaderEpoch
    this.epochStartOffset = start.logEndOffset
    this.#replicas = [...s.replicas]
    this.#isr = [...s.isr]
    this.#partitionEpoch = s.partitionEpoch
    this.#logEndOffset = start.logEndOffset
    this.#highWatermark = start.highWatermark
    this.#nowMs = start.nowMs
    for (const id of s.replicas) {
      if (id !== config.localBrokerId) this.#followers.set(id, new FollowerView(s.isr.includes(id), start.nowMs))
    }
    this.#maybeAdvanceHw()
  }

  get highWatermark (): number { return this.#highWatermark }
  get logEndOffset (): number { return this.#logEndOffset }
  get partitionEpoch (): number { return this.#partitionEpoch }
  get replicas (): readonly number[] { return this.#replicas }
  /** The ISR the controller committed. */
  get isr (): readonly number[] { return this.#isr }
  /** The committed ISR plus a pending expansion: what the HW waits for. */
  get maximalIsr (): readonly number[] { return this.#pending?.maximalIsr ?? this.#isr }
  /** The proposal sent and not yet answered (null when none, or when waiting for metadata). */
  get inFlightProposal (): IsrProposal | null { return this.#pending?.inFlight === true ? this.#pending.proposal : null }
  /** True while no ISR change may be proposed: one in flight, or waiting for metadata after a rejection. */
  get isrChangeBlocked (): boolean { return this.#pending !== null }
  get effectiveMinIsr (): number { return Math.min(this.#config.minInsyncReplicas, this.#replicas.length) }
  get underMinIsr (): boolean { return this.#isr.length < this.effectiveMinIsr }
  get underReplicated (): boolean { return this.#isr.length < this.#replicas.length }
  /** acks=all waiters for offsets below this may complete (see acksAllStatus). */
  completedUpTo (): number { return this.#highWatermark }

  followerLogEndOffset (brokerId: number): number | undefined {
    return this.#followers.get(brokerId)?.logEndOffset
  }

  /** Before appending an acks=all batch: NOT_ENOUGH_REPLICAS when the committed ISR is below min ISR. */
  minIsrCheck (minInsyncReplicas = this.#config.minInsyncReplicas): number {
    if (this.#config.debug?.ignoreMinIsr === true) return ErrorCode.NONE
    const effective = Math.min(minInsyncReplicas, this.#replicas.length)
    return this.#isr.length < effective ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE
  }

  /**
   * Kafka's checkEnoughReplicasReachOffset for a parked acks=all produce whose last offset is
   * `requiredOffset - 1`: done once the HW reaches it, with NOT_ENOUGH_REPLICAS_AFTER_APPEND
   * if by then the maximal ISR (Kafka 4.1 counts that one here) is below the effective min ISR.
   */
  acksAllStatus (requiredOffset: number): { done: boolean, errorCode: number } {
    if (this.#highWatermark < requiredOffset) return { done: false, errorCode: ErrorCode.NONE }
    const enough = this.maximalIsr.length >= this.effectiveMinIsr || this.#config.debug?.ignoreMinIsr === true
    return { done: true, errorCode: enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND }
  }

  /** After every local append. Returns true when the HW advanced. */
  onLocalAppend (logEndOffset: number, nowMs: number): boolean {
    if (logEndOffset < this.#logEndOffset) throw new Error(`leader logEndOffset went back from ${this.#logEndOffset} to ${logEndOffset}`)
    this.#logEndOffset = logEndOffset
    this.#observe(nowMs)
    return this.#maybeAdvanceHw()
  }

  /**
   * A follower fetch in this leader epoch, already validated for current_leader_epoch and
   * diverging epoch (a diverging fetch must not be reported: its offset is not on this log).
   * Returns NOT_LEADER_OR_FOLLOWER for a broker that is not a follower replica and
   * OFFSET_OUT_OF_RANGE past the leader's log end; otherwise NONE, HW updated.
   */
  onFollowerFetch (replicaId: number, fetchOffset: number, nowMs: number, leaderLogEnd = this.#logEndOffset): number {
    const view = this.#followers.get(replicaId)
    if (view === undefined) return ErrorCode.NOT_LEADER_OR_FOLLOWER
    if (!Number.isSafeInteger(fetchOffset) || fetchOffset < 0 || fetchOffset > leaderLogEnd) return ErrorCode.OFFSET_OUT_OF_RANGE
    if (leaderLogEnd > this.#logEndOffset) this.#logEndOffset = leaderLogEnd
    this.#observe(nowMs)
    view.onFetch(fetchOffset, nowMs, leaderLogEnd)
    this.#maybeAdvanceHw()
    return ErrorCode.NONE
  }

  /** A clock reading with no other event: lets the caught-up set and the HW follow time. */
  tick (nowMs: number): boolean {
    this.#observe(nowMs)
    return this.#maybeAdvanceHw()
  }

  /**
   * The ISR change to propose now, if any, marked in flight: first an expansion (one follower
   * that reached the HW and this epoch's start), otherwise a shrink of every ISR follower that
   * has not caught up for replica.lag.time.max.ms. Null while another change is pending.
   */
  isrChange (nowMs: number): IsrProposal | null {
    this.#observe(nowMs)
    if (this.#pending !== null) return null
    const joining = this.#replicas.find(id => this.#canJoinIsr(id))
    if (joining !== undefined) {
      const newIsr = [...this.#isr, joining]
      return this.#propose('expand', newIsr, newIsr)
    }
    const lagging = this.#isr.filter(id => id !== this.#config.localBrokerId && this.#isOutOfSync(id))
    if (lagging.length === 0) return null
    if (this.#config.debug?.shrinkIsrWithoutController === true) {
      this.#isr = this.#isr.filter(id => !lagging.includes(id))
      this.#maybeAdvanceHw()
      return null
    }
    return this.#propose('shrink', this.#isr.filter(id => !lagging.includes(id)), this.#isr)
  }

  /**
   * The controller's answer for this partition to the in-flight AlterPartition. Pass the
   * proposal the request was built from, so that a late answer to an older request (sent
   * before an image change replaced it) is ignored, as Kafka checks the pending state.
   */
  onAlterPartitionReply (reply: AlterPartitionPartitionReply, proposal?: IsrProposal): AlterReplyOutcome {
    const pending = this.#pending
    if (pending === null || !pending.inFlight) return 'ignored'
    if (proposal !== undefined && proposal !== pending.proposal) return 'ignored'
    if (reply.errorCode === ErrorCode.NONE) {
      if (reply.leaderEpoch !== this.leaderEpoch || reply.partitionEpoch < this.#partitionEpoch) {
        pending.inFlight = false
        return 'awaitingMetadata'
      }
      this.#isr = [...reply.isr]
      this.#partitionEpoch = reply.partitionEpoch
      this.#pending = null
      this.#maybeAdvanceHw()
      return 'committed'
    }
    if (reply.errorCode === ErrorCode.OPERATION_NOT_ATTEMPTED || reply.errorCode === ErrorCode.INELIGIBLE_REPLICA) {
      this.#pending = null
      this.#maybeAdvanceHw()
      return 'reverted'
    }
    pending.inFlight = false
    return 'awaitingMetadata'
  }

  /**
   * The partition as a newer metadata image has it. Same leader epoch and a newer partition
   * epoch: adopt its replicas and ISR and drop any pending change. Another leader or leader
   * epoch: this object is finished and the caller replaces it.
   */
  onImageChange (state: PartitionState, nowMs: number): ImageOutcome {
    if (state.leader !== this.#config.localBrokerId || state.leaderEpoch !== this.leaderEpoch) return 'notLeaderInThisEpoch'
    if (state.partitionEpoch <= this.#partitionEpoch) return 'ignored'
    this.#observe(nowMs)
    this.#replicas = [...state.replicas]
    this.#isr = [...state.isr]
    this.#partitionEpoch = state.partitionEpoch
    this.#pending = null
    for (const id of [...this.#followers.keys()]) {
      if (!state.replicas.includes(id)) this.#followers.delete(id)
    }
    for (const id of state.replicas) {
      if (id !== this.#config.localBrokerId && !this.#followers.has(id)) this.#followers.set(id, new FollowerView(state.isr.includes(id), nowMs))
    }
    this.#maybeAdvanceHw()
    return 'applied'
  }

  #propose (kind: 'expand' | 'shrink', newIsr: number[], maximalIsr: readonly number[]): IsrProposal {
    const proposal: IsrProposal = { kind, newIsr, leaderEpoch: this.leaderEpoch, partitionEpoch: this.#partitionEpoch, leaderRecoveryState: 0 }
    this.#pending = { proposal, maximalIsr, inFlight: true }
    return proposal
  }

  #observe (nowMs: number): void {
    if (nowMs > this.#nowMs) this.#nowMs = nowMs
  }

  #eligible (brokerId: number): boolean {
    return this.#config.isEligible?.(brokerId) ?? true
  }

  /** Kafka's isFollowerInSync + eligibility: fetched in this epoch, at or past the HW and the epoch start. */
  #canJoinIsr (brokerId: number): boolean {
    const view = this.#followers.get(brokerId)
    if (view === undefined || this.#isr.includes(brokerId) || !this.#eligible(brokerId)) return false
    const leo = view.logEndOffset
    return leo >= 0 && leo >= this.#highWatermark && leo >= this.epochStartOffset
  }

  #isOutOfSync (brokerId: number): boolean {
    const view = this.#followers.get(brokerId)
    if (view === undefined) return true
    return !view.isCaughtUp(this.#logEndOffset, this.#nowMs, this.#config.replicaLagTimeMaxMs)
  }

  /** Kafka's maybeIncrementLeaderHW. */
  #maybeAdvanceHw (): boolean {
    if (this.underMinIsr && this.#config.debug?.ignoreMinIsr !== true) return false
    const maximal = this.maximalIsr
    let candidate = this.#logEndOffset
    for (const [id, view] of this.#followers) {
      if (view.logEndOffset >= candidate) continue
      const waitToJoin = view.isCaughtUp(this.#logEndOffset, this.#nowMs, this.#config.replicaLagTimeMaxMs) && this.#eligible(id)
      if (maximal.includes(id) || waitToJoin) candidate = view.logEndOffset
    }
    if (candidate <= this.#highWatermark) return false
    if (this.#config.holdHwUntilEpochReplicated === true && candidate <= this.epochStartOffset) return false
    this.#highWatermark = candidate
    return true
  }
}
