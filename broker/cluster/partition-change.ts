// Decides one partition's next state (Kafka's PartitionChangeBuilder, without reassignment
// and ELR): given a target ISR and which brokers may lead, elect a leader by Kafka's rules
// and return the PartitionChangeRecord, or null when nothing changes.
//
// Election rules: keep the current leader while it is in the ISR and acceptable; otherwise
// the first replica in AR order that is in the ISR and acceptable. PREFERRED tries AR[0]
// first. UNCLEAN, when no ISR member qualifies, takes the first acceptable replica at all,
// shrinks the ISR to it and marks the partition RECOVERING (KIP-704). With nobody eligible
// the leader becomes -1 (offline). An ISR change that would leave the ISR empty is not
// written: the last member stays recorded, so the replica that has the data is known and
// can lead again when it returns (Kafka does the same).

import type { PartitionState } from './image.ts'
import { LeaderRecoveryState, NO_LEADER, NO_LEADER_CHANGE, type PartitionChangeRecord } from './records.ts'

/** Kafka's PartitionChangeBuilder.Election: PREFERRED, ONLINE (clean) or UNCLEAN. */
export type Election = 'preferred' | 'clean' | 'unclean'

export interface PartitionChangeOptions {
  /** Defaults to the current ISR. */
  targetIsr?: readonly number[]
  election?: Election
  /** Alive, unfenced, not shutting down (and not the broker being removed). */
  isAcceptableLeader: (brokerId: number) => boolean
  targetLeaderRecoveryState?: number
}

interface ElectionResult { leader: number, unclean: boolean }

function sameMembers (a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}

function elect (p: PartitionState, isr: readonly number[], election: Election, acceptable: (id: number) => boolean): ElectionResult {
  const valid = (id: number): boolean => isr.includes(id) && acceptable(id)
  if (election === 'preferred' && valid(p.replicas[0]!)) return { leader: p.replicas[0]!, unclean: false }
  if (valid(p.leader)) return { leader: p.leader, unclean: false }
  const clean = p.replicas.find(valid)
  if (clean !== undefined) return { leader: clean, unclean: false }
  if (election === 'unclean') {
    const unclean = p.replicas.find(acceptable)
    if (unclean !== undefined) return { leader: unclean, unclean: true }
  }
  return { leader: NO_LEADER, unclean: false }
}

export function buildPartitionChange (topicId: string, partitionId: number, p: PartitionState, options: PartitionChangeOptions): PartitionChangeRecord | null {
  const targetIsr = options.targetIsr ?? p.isr
  const record: PartitionChangeRecord = {
    type: 'partitionChange', topicId, partitionId, isr: null, leader: NO_LEADER_CHANGE, replicas: null, leaderRecoveryState: -1,
  }
  const result = elect(p, targetIsr, options.election ?? 'clean', options.isAcceptableLeader)
  if (result.leader !== p.leader) {
    record.leader = result.leader
    if (result.unclean) {
      record.isr = [result.leader]
      if (p.leaderRecoveryState !== LeaderRecoveryState.RECOVERING) record.leaderRecoveryState = LeaderRecoveryState.RECOVERING
    }
  }
  if (record.isr === null && targetIsr.length > 0 && !sameMembers(targetIsr, p.isr)) record.isr = [...targetIsr]
  const recovery = options.targetLeaderRecoveryState
  if (recovery !== undefined && recovery !== p.leaderRecoveryState && record.leaderRecoveryState === -1) record.leaderRecoveryState = recovery
  const unchanged = record.isr === null && record.leader === NO_LEADER_CHANGE && record.leaderRecoveryState === -1
  return unchanged ? null : record
}
