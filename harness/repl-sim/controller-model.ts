// The controller of the replication simulator: one partition's registration and the set of
// fenced brokers, changed only by the rules broker/cluster uses (buildPartitionChange and
// mergePartitionChange are the real ones: first live ISR member in AR order, unclean only
// when enabled, the last ISR member kept; validateAlterPartition's checks in Kafka's order).
// Its one debug rule, `skipLeaderEpochBump`, re-creates a controller that elects a new
// leader without a new leader epoch.

import type { PartitionState } from '../../broker/cluster/image.ts'
import { mergePartitionChange } from '../../broker/cluster/image.ts'
import { buildPartitionChange, type Election } from '../../broker/cluster/partition-change.ts'
import type { IsrProposal } from '../../broker/cluster/replica/leader-state.ts'
import type { AlterPartitionPartitionReply } from '../../broker/cluster/requests.ts'
import { ErrorCode } from '../../broker/protocol/errors.ts'
import { NO_LEADER } from '../../broker/cluster/records.ts'

export interface ControllerOptions {
  replicas: readonly number[]
  uncleanElection: boolean
  skipLeaderEpochBump: boolean
}

export class ControllerModel {
  state: PartitionState
  readonly fenced = new Set<number>()
  /** Elections that picked a replica outside the ISR. */
  uncleanElections = 0
  leaderChanges = 0
  readonly #opts: ControllerOptions

  constructor (opts: ControllerOptions) {
    this.#opts = opts
    this.state = { replicas: [...opts.replicas], isr: [...opts.replicas], leader: opts.replicas[0]!, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }
  }

  #acceptable (id: number): boolean { return !this.fenced.has(id) }

  #apply (targetIsr: readonly number[] | undefined, election: Election, extraUnacceptable = -1, recovery?: number): boolean {
    const before = this.state
    const record = buildPartitionChange('t', 0, before, {
      targetIsr,
      election,
      isAcceptableLeader: id => id !== extraUnacceptable && this.#acceptable(id),
      targetLeaderRecoveryState: recovery,
    })
    if (record === null) return false
    let next = mergePartitionChange(before, record)
    if (this.#opts.skipLeaderEpochBump && next.leader !== NO_LEADER) next = { ...next, leaderEpoch: before.leaderEpoch }
    if (next.leader !== before.leader && next.leader !== NO_LEADER) {
      this.leaderChanges++
      if (!(targetIsr ?? before.isr).includes(next.leader)) this.uncleanElections++
    }
    this.state = next
    return true
  }

  #election (): Election { return this.#opts.uncleanElection ? 'unclean' : 'clean' }

  /** Missed heartbeats or a new incarnation: out of every ISR and leadership (Kafka's handleBrokerFenced). */
  fence (id: number): void {
    if (this.fenced.has(id)) return
    this.fenced.add(id)
    this.#apply(this.state.isr.filter(r => r !== id), this.#election(), id)
  }

  /** A heartbeat from a fenced broker that caught up on metadata: unfence, elect offline partitions. */
  unfence (id: number): void {
    if (!this.fenced.delete(id)) return
    if (this.state.leader === NO_LEADER) this.#apply(undefined, this.#election())
  }

  preferredElection (): void {
    if (this.state.leader !== this.state.replicas[0]) this.#apply(undefined, 'preferred')
  }

  /**
   * AlterPartition (56) for this partition from `brokerId`, validated as Kafka's controller
   * does; `staleBrokerEpoch` is true when a new ISR member's broker epoch in the request is not
   * its registered one (KIP-903: the replica restarted since the fetch the leader judged it by).
   */
  alterPartition (brokerId: number, p: IsrProposal, staleBrokerEpoch = false): AlterPartitionPartitionReply {
    const s = this.state
    const failed = (errorCode: number): AlterPartitionPartitionReply =>
      ({ partitionIndex: 0, errorCode, leaderId: NO_LEADER, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 })
    let error: number = ErrorCode.NONE
    if (p.leaderEpoch > s.leaderEpoch || p.partitionEpoch > s.partitionEpoch) error = ErrorCode.NOT_CONTROLLER
    else if (p.leaderEpoch < s.leaderEpoch) error = ErrorCode.FENCED_LEADER_EPOCH
    else if (brokerId !== s.leader) error = ErrorCode.INVALID_REQUEST
    else if (p.partitionEpoch < s.partitionEpoch) error = ErrorCode.INVALID_UPDATE_VERSION
    else if (!p.newIsr.includes(s.leader)) error = ErrorCode.INVALID_REQUEST
    else if (staleBrokerEpoch || p.newIsr.some(id => this.fenced.has(id))) error = ErrorCode.INELIGIBLE_REPLICA
    if (error !== ErrorCode.NONE) return failed(error)
    this.#apply(p.newIsr, this.#election(), -1, p.leaderRecoveryState)
    const after = this.state
    if (after.leader !== brokerId) return failed(ErrorCode.NEW_LEADER_ELECTED)
    return { partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: after.leader, leaderEpoch: after.leaderEpoch, isr: [...after.isr], leaderRecoveryState: after.leaderRecoveryState, partitionEpoch: after.partitionEpoch }
  }
}
