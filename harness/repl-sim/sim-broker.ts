// One broker of the replication simulator: its partition log, its role for the partition (a
// real LeaderPartition or FollowerPartition from broker/cluster/replica/, or none while it
// has no metadata), its process state (up, crashed, paused by SIGSTOP) and its network state
// (cut off from the controller only, or from the controller and the other brokers while its
// clients still reach it: a zombie leader). Roles follow the metadata the broker last saw,
// which may be stale: the controller's decisions reach a broker only when it syncs.

import type { PartitionState } from '../../broker/cluster/image.ts'
import type { ReplicaDebugFaults } from '../../broker/cluster/replica/debug-faults.ts'
import { FollowerPartition } from '../../broker/cluster/replica/follower-state.ts'
import { LeaderPartition, type IsrProposal } from '../../broker/cluster/replica/leader-state.ts'
import { SimLog } from './sim-log.ts'

export const LAG_MS = 30_000

export type Role =
  | { kind: 'leader', lp: LeaderPartition }
  | { kind: 'follower', fp: FollowerPartition }
  | { kind: 'none' }

export type Isolation = 'none' | 'controller' | 'brokers'

export interface BrokerSettings {
  /** Kafka's isReplicaIsrEligible for a leader on this broker (see sim-cluster.ts). */
  isEligible: (leader: SimBroker, followerId: number) => boolean
  minInsyncReplicas: number
  useDivergingEpoch: boolean
  debug: ReplicaDebugFaults
  /**
   * A new leader leaves its epoch out of the leader-epoch cache until its first append, as
   * replica-manager.ts did before it called assignEpochStart (KAFKA-7415). Scripted tests
   * only: with it, an old leader that asks too early hears UNDEFINED for its epoch.
   */
  skipEpochStartOnElection?: boolean
}

/** An acks=all produce parked on its leader until the HW passes it. */
export interface ParkedProduce { requiredOffset: number, value: string, leaderEpoch: number }

export class SimBroker {
  readonly log = new SimLog()
  role: Role = { kind: 'none' }
  up = true
  paused = false
  isolation: Isolation = 'none'
  /** Since when the controller has not heard from this broker (null: it hears). */
  silentSinceMs: number | null = null
  hwCheckpoint = 0
  incarnation = 0
  /** Restarted after losing an un-fsynced tail, not yet back in the ISR. */
  lostTail = false
  parked: ParkedProduce[] = []
  /** The ISR change proposed and not yet answered, with the broker epochs (incarnations) of its members. */
  inFlight: { proposal: IsrProposal, brokerEpochs: Map<number, number> } | null = null
  /** As leader: the incarnation (broker epoch) each follower's last fetch came from (KIP-903). */
  fetchedBy = new Map<number, number>()
  /** The partition epoch of the metadata this broker last applied. */
  seenPartitionEpoch = -1

  readonly id: number
  readonly settings: BrokerSettings

  constructor (id: number, settings: BrokerSettings) {
    this.id = id
    this.settings = settings
  }

  get highWatermark (): number {
    const r = this.role
    return r.kind === 'leader' ? r.lp.highWatermark : r.kind === 'follower' ? r.fp.highWatermark : Math.min(this.hwCheckpoint, this.log.logEndOffset)
  }

  /** The leader epoch this broker believes in (-1 before any metadata). */
  get leaderEpoch (): number {
    const r = this.role
    return r.kind === 'leader' ? r.lp.leaderEpoch : r.kind === 'follower' ? r.fp.leaderEpoch : -1
  }

  get leader (): LeaderPartition | null { return this.role.kind === 'leader' ? this.role.lp : null }
  get follower (): FollowerPartition | null { return this.role.kind === 'follower' ? this.role.fp : null }
  /** Runs at all (neither crashed nor stopped). */
  get running (): boolean { return this.up && !this.paused }
  /** Reaches the controller (metadata, heartbeats, AlterPartition). */
  get reachesController (): boolean { return this.running && this.isolation === 'none' }
  /** Reaches the other brokers (replica fetches). */
  get reachesBrokers (): boolean { return this.running && this.isolation !== 'brokers' }

  /** Applies the controller's partition state as this broker's metadata image would. */
  applyMetadata (s: PartitionState, nowMs: number): void {
    this.seenPartitionEpoch = s.partitionEpoch
    const role = this.role
    if (s.leader === this.id) {
      if (role.kind === 'leader' && role.lp.onImageChange(s, nowMs) !== 'notLeaderInThisEpoch') return
      if (this.settings.skipEpochStartOnElection !== true) this.log.assignEpoch(s.leaderEpoch)
      const isEligible = (id: number): boolean => this.settings.isEligible(this, id)
      const config = { localBrokerId: this.id, replicaLagTimeMaxMs: LAG_MS, minInsyncReplicas: this.settings.minInsyncReplicas, isEligible, debug: this.settings.debug }
      this.fetchedBy = new Map()
      this.role = { kind: 'leader', lp: new LeaderPartition(config, { state: s, logEndOffset: this.log.logEndOffset, highWatermark: this.highWatermark, nowMs }) }
      this.inFlight = null
    } else if (role.kind === 'follower') {
      role.fp.onLeaderChange(s.leader, s.leaderEpoch, this.log)
    } else {
      this.becomeFollower(s.leader, s.leaderEpoch)
    }
    this.parked = this.parked.filter(p => this.leader?.leaderEpoch === p.leaderEpoch) // others: NOT_LEADER_OR_FOLLOWER
  }

  becomeFollower (leaderId: number, leaderEpoch: number): void {
    const fp = new FollowerPartition({
      leaderId, leaderEpoch, highWatermark: this.highWatermark, log: this.log, useDivergingEpoch: this.settings.useDivergingEpoch, debug: this.settings.debug,
    })
    this.role = { kind: 'follower', fp }
    this.inFlight = null
  }

  /** kill -9: the un-fsynced tail is lost when `lossy`; parked requests die with the process. */
  crash (lossy: boolean): number {
    const lost = lossy ? this.log.loseUnflushedTail() : 0
    this.up = false
    this.paused = false
    this.role = { kind: 'none' }
    this.parked = []
    this.inFlight = null
    this.seenPartitionEpoch = -1
    return lost
  }

  /** A fresh process over the surviving log; it learns its role from metadata. */
  restart (lostTail: boolean): void {
    this.up = true
    this.incarnation++
    this.lostTail = this.lostTail || lostTail
    this.hwCheckpoint = Math.min(this.hwCheckpoint, this.log.logEndOffset)
  }

  /** fsync of the log and the HW checkpoint. */
  flush (): void {
    this.log.flush()
    this.hwCheckpoint = this.highWatermark
  }
}
