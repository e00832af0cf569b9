// What GET /admin/replicas answers: per local partition replica, the state a white-box
// consistency check needs (role, leader and epoch as this broker knows them, log start and
// end, the replicated high watermark, the leader-epoch cache) and a checksum of its batches.
// Shared by the broker's route and the harness that reads it, so both agree on the shape.

import type { EpochEntry } from '../log/leader-epoch-cache.ts'
import type { LogChecksum } from '../log/log-checksum.ts'
import type { ReplicaStateView } from './cluster-hooks.ts'

/** leader: this broker leads it; follower: it fetches from a leader (or waits for one); none: a local log with no replica role. */
export type ReplicaRole = ReplicaStateView['role']

export interface ReplicaReport {
  topic: string
  /** Null on a one-node broker (its topics have no ids). */
  topicId: string | null
  partition: number
  role: ReplicaRole
  /** As this broker's metadata says; -1 when it knows no leader. */
  leaderId: number
  leaderEpoch: number
  /**
   * The epoch this broker leads in, from its replication state; null unless it leads. It
   * can trail leaderEpoch for a moment while a metadata change is being applied, so "one
   * leader per epoch" is checked on this field, not on role plus leaderEpoch.
   */
  leadingEpoch: number | null
  replicas: number[]
  isr: number[]
  logStartOffset: number
  /** Local log end: everything written here, replicated or not. */
  logEndOffset: number
  /** Leader: the replicated HW it computed; follower: the HW it learned; none: null. */
  highWatermark: number | null
  leaderEpochs: EpochEntry[]
  /** The upTo the checksum was asked for (defaults to the HW, or the log end without one). */
  checksumUpToOffset: number | null
  checksum: LogChecksum | null
}

export interface ReplicasReport {
  brokerId: number
  /** Random per broker process: a change means the broker restarted between two reports. */
  incarnation: string
  startedAtMs: number
  nowMs: number
  replicas: ReplicaReport[]
}
