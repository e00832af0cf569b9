// The pure half of the replica consistency check: from the brokers' /admin/replicas reports,
// which replicas of each partition to compare and over which offsets (from the highest log
// start to the lowest replicated HW among them: below the smaller HW, replication.md says
// any two replicas hold the same batches, byte for byte); and, given their checksums over
// that range, which replicas agree with which. No I/O, so it is tested on hand-made reports.

import type { LogChecksum } from '../../broker/log/log-checksum.ts'
import type { ReplicaReport, ReplicasReport } from '../../broker/server/replica-report.ts'

/** One replica's state as its broker reported it (the report without its checksum). */
export type ReplicaState = Omit<ReplicaReport, 'checksum' | 'checksumUpToOffset'> & { brokerId: number }

export interface PartitionPlan {
  topic: string
  partition: number
  topicId: string | null
  /** The replica set, as the report with the highest leader epoch has it. */
  assigned: number[]
  /** Every report of this partition, from assigned brokers or not, by broker id. */
  states: ReplicaState[]
  /** Assigned replicas that reported a high watermark: these are compared. */
  compared: number[]
  /** Assigned replicas left out, and why. */
  unchecked: Array<{ brokerId: number, reason: string }>
  /** Highest log start among the compared replicas. */
  fromOffset: number
  /** Lowest replicated HW among the compared replicas: the checksums stop below it. */
  upToOffset: number
  /** Things a reader should know (topic ids that differ between brokers, an empty range). */
  notes: string[]
}

export interface ChecksumOutcome {
  brokerId: number
  checksum: LogChecksum | null
  error: string | null
}

/** Replicas whose checksums match: same bytes, same start and stop offsets. */
export interface AgreementGroup {
  brokers: number[]
  startOffset: number
  stopOffset: number
  batchCount: number
  sizeBytes: number
  value: string
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

/** Plans the comparison of every partition any reachable broker reports. */
export function planPartitions (reports: readonly ReplicasReport[], unreachableUrls: readonly string[] = []): PartitionPlan[] {
  const byPartition = new Map<string, ReplicaState[]>()
  for (const report of reports) {
    for (const replica of report.replicas) {
      const { checksum: _checksum, checksumUpToOffset: _upTo, ...state } = replica
      const k = partitionKey(replica.topic, replica.partition)
      const list = byPartition.get(k) ?? []
      list.push({ ...state, brokerId: report.brokerId })
      byPartition.set(k, list)
    }
  }
  const plans = [...byPartition.values()].map(states => planOne(states, unreachableUrls))
  return plans.sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)
}

function planOne (states: ReplicaState[], unreachableUrls: readonly string[]): PartitionPlan {
  states.sort((a, b) => a.brokerId - b.brokerId)
  const newest = states.reduce((best, s) => s.leaderEpoch > best.leaderEpoch ? s : best, states[0]!)
  const notes: string[] = []
  const topicIds = new Set(states.map(s => s.topicId))
  if (topicIds.size > 1) notes.push(`brokers disagree on the topic id: ${states.map(s => `${s.brokerId}=${s.topicId ?? 'none'}`).join(', ')}`)
  const unchecked: PartitionPlan['unchecked'] = []
  const compared: ReplicaState[] = []
  for (const brokerId of newest.replicas) {
    const state = states.find(s => s.brokerId === brokerId)
    if (state === undefined) {
      const unanswered = unreachableUrls.length === 0 ? '' : ` (or did not answer: ${unreachableUrls.join(', ')} did not)`
      unchecked.push({ brokerId, reason: `no report: broker ${brokerId} holds no log of it${unanswered}` })
    } else if (state.highWatermark === null) {
      unchecked.push({ brokerId, reason: `the replica has no role yet (role ${state.role}), so no high watermark` })
    } else {
      compared.push(state)
    }
  }
  const fromOffset = compared.reduce((m, s) => Math.max(m, s.logStartOffset), 0)
  const upToOffset = compared.length === 0 ? 0 : compared.reduce((m, s) => Math.min(m, s.highWatermark!), Number.MAX_SAFE_INTEGER)
  if (compared.length < 2) notes.push(`only ${compared.length} replica(s) to compare`)
  else if (upToOffset <= fromOffset) notes.push(`nothing to compare: lowest HW ${upToOffset} is not above the highest log start ${fromOffset}`)
  return {
    topic: newest.topic,
    partition: newest.partition,
    topicId: newest.topicId,
    assigned: [...newest.replicas],
    states,
    compared: compared.map(s => s.brokerId).sort((a, b) => a - b),
    unchecked,
    fromOffset,
    upToOffset,
    notes,
  }
}

/** Groups replicas by identical checksum and range; more than one group is a disagreement. */
export function groupChecksums (outcomes: readonly ChecksumOutcome[]): AgreementGroup[] {
  const groups = new Map<string, AgreementGroup>()
  for (const { brokerId, checksum } of outcomes) {
    if (checksum === null) continue
    const k = `${checksum.startOffset}/${checksum.stopOffset}/${checksum.value}`
    const group = groups.get(k)
    if (group !== undefined) group.brokers.push(brokerId)
    else groups.set(k, { brokers: [brokerId], startOffset: checksum.startOffset, stopOffset: checksum.stopOffset, batchCount: checksum.batchCount, sizeBytes: checksum.sizeBytes, value: checksum.value })
  }
  return [...groups.values()].sort((a, b) => b.brokers.length - a.brokers.length || a.brokers[0]! - b.brokers[0]!)
}
