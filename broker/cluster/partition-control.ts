// Leadership and ISR changes (Kafka's ReplicationControlManager): moving leaders off a
// fenced or shutting-down broker, electing leaders for offline partitions when a broker
// returns, AlterPartition from partition leaders (KIP-497) and preferred-leader balancing.

import { ErrorCode } from '../protocol/errors.ts'
import { uncleanEnabled, type ControllerContext } from './context.ts'
import type { PartitionState, TopicState } from './image.ts'
import { buildPartitionChange, type Election } from './partition-change.ts'
import { NO_LEADER, type PartitionChangeRecord } from './records.ts'
import type { AlterPartitionPartitionReply, AlterPartitionReply, AlterPartitionRequest, ControllerResult } from './requests.ts'

type Partitions = (topic: TopicState, p: PartitionState) => boolean

function forEachPartition (ctx: ControllerContext, which: Partitions, change: (topic: TopicState, id: number, p: PartitionState) => PartitionChangeRecord | null): void {
  const records: PartitionChangeRecord[] = []
  for (const topic of ctx.batch.image.topics.values()) {
    topic.partitions.forEach((p, id) => {
      if (!which(topic, p)) return
      const rec = change(topic, id, p)
      if (rec !== null) records.push(rec)
    })
  }
  ctx.batch.add(...records)
}

/**
 * Takes `brokerId` out of every ISR and leadership (it is being fenced or shut down): the
 * first acceptable ISR member in AR order takes over with a bumped leader epoch.
 */
export function removeBrokerFromPartitions (ctx: ControllerContext, brokerId: number): void {
  const image = ctx.batch.image
  const acceptable = (id: number): boolean => id !== brokerId && image.isActive(id)
  forEachPartition(ctx, (_, p) => p.leader === brokerId || p.isr.includes(brokerId), (topic, id, p) =>
    buildPartitionChange(topic.id, id, p, {
      targetIsr: p.isr.filter(r => r !== brokerId),
      election: uncleanEnabled(ctx, topic.name) ? 'unclean' : 'clean',
      isAcceptableLeader: acceptable,
    }))
}

/** Elects leaders for offline partitions, now that `brokerId` is active again. */
export function electOfflinePartitions (ctx: ControllerContext): void {
  const image = ctx.batch.image
  forEachPartition(ctx, (_, p) => p.leader === NO_LEADER, (topic, id, p) =>
    buildPartitionChange(topic.id, id, p, {
      election: uncleanEnabled(ctx, topic.name) ? 'unclean' : 'clean',
      isAcceptableLeader: r => image.isActive(r),
    }))
}

export function hasLeaderships (ctx: ControllerContext, brokerId: number): boolean {
  for (const topic of ctx.batch.image.topics.values()) {
    if (topic.partitions.some(p => p.leader === brokerId)) return true
  }
  return false
}

type PartitionData = AlterPartitionRequest['topics'][number]['partitions'][number]

/** Kafka's validateAlterPartitionData, in Kafka's order. */
function validateAlterPartition (ctx: ControllerContext, brokerId: number, p: PartitionState | undefined, data: PartitionData): number {
  if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  // A leader ahead of us means we are a stale controller.
  if (data.leaderEpoch > p.leaderEpoch || data.partitionEpoch > p.partitionEpoch) return ErrorCode.NOT_CONTROLLER
  if (data.leaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH
  if (brokerId !== p.leader) return ErrorCode.INVALID_REQUEST
  if (data.partitionEpoch < p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION
  const newIsr = data.newIsr.map(s => s.brokerId)
  if (new Set(newIsr).size !== newIsr.length || newIsr.some(id => !p.replicas.includes(id))) return ErrorCode.INVALID_REQUEST
  if (!newIsr.includes(p.leader)) return ErrorCode.INVALID_REQUEST
  if (data.leaderRecoveryState === 1 && newIsr.length > 1) return ErrorCode.INVALID_REQUEST
  if (p.leaderRecoveryState === 0 && data.leaderRecoveryState === 1) return ErrorCode.INVALID_REQUEST
  const image = ctx.batch.image
  const ineligible = data.newIsr.some(s => !image.isActive(s.brokerId) || (s.brokerEpoch !== -1 && image.brokers.get(s.brokerId)!.epoch !== s.brokerEpoch))
  return ineligible ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.NONE
}

function alterOne (ctx: ControllerContext, request: AlterPartitionRequest, topic: TopicState, data: PartitionData): AlterPartitionPartitionReply {
  const failed = (errorCode: number): AlterPartitionPartitionReply => ({
    partitionIndex: data.partitionIndex, errorCode, leaderId: NO_LEADER, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1,
  })
  const before = topic.partitions[data.partitionIndex]
  const error = validateAlterPartition(ctx, request.brokerId, before, data)
  if (error !== ErrorCode.NONE) return failed(error)
  const image = ctx.batch.image
  const record = buildPartitionChange(topic.id, data.partitionIndex, before!, {
    targetIsr: data.newIsr.map(s => s.brokerId),
    election: uncleanEnabled(ctx, topic.name) ? 'unclean' : 'clean',
    isAcceptableLeader: id => image.isActive(id),
    targetLeaderRecoveryState: data.leaderRecoveryState,
  })
  if (record !== null) ctx.batch.add(record)
  const p = ctx.batch.image.partition(topic.id, data.partitionIndex)!
  if (p.leader !== request.brokerId) return failed(ErrorCode.NEW_LEADER_ELECTED)
  return {
    partitionIndex: data.partitionIndex, errorCode: ErrorCode.NONE, leaderId: p.leader, leaderEpoch: p.leaderEpoch,
    isr: [...p.isr], leaderRecoveryState: p.leaderRecoveryState, partitionEpoch: p.partitionEpoch,
  }
}

/** AlterPartition (56): a leader asks to change its ISR, fenced by leader and partition epochs. */
export function alterPartition (ctx: ControllerContext, request: AlterPartitionRequest): ControllerResult<AlterPartitionReply> {
  const broker = ctx.batch.image.brokers.get(request.brokerId)
  if (broker === undefined || broker.epoch !== request.brokerEpoch) {
    return { records: [], reply: { errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] } }
  }
  const topics = request.topics.map(t => {
    const topic = ctx.batch.image.topics.get(t.topicId)
    const partitions = topic === undefined
      ? t.partitions.map(d => ({ partitionIndex: d.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, leaderId: NO_LEADER, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 }))
      : t.partitions.map(d => alterOne(ctx, request, ctx.batch.image.topics.get(t.topicId)!, d))
    return { topicId: t.topicId, partitions }
  })
  return { records: ctx.batch.records, reply: { errorCode: ErrorCode.NONE, topics } }
}

/** One partition's election for ElectLeaders; returns Kafka's per-partition error code. */
export function electLeader (ctx: ControllerContext, topic: TopicState, partitionId: number, election: Election): number {
  const p = topic.partitions[partitionId]
  if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  if ((election === 'preferred' && p.leader === p.replicas[0]) || (election === 'unclean' && p.leader !== NO_LEADER)) {
    return ErrorCode.ELECTION_NOT_NEEDED
  }
  const image = ctx.batch.image
  const record = buildPartitionChange(topic.id, partitionId, p, { election, isAcceptableLeader: id => image.isActive(id) })
  if (record === null) return election === 'preferred' ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE
  ctx.batch.add(record)
  return ErrorCode.NONE
}

/**
 * Automatic preferred-leader balancing: for each broker whose share of partitions it
 * should lead but does not exceeds leader.imbalance.per.broker.percentage, elect it
 * wherever it is active and in the ISR.
 */
export function rebalanceLeaders (ctx: ControllerContext): void {
  const preferred = new Map<number, { total: number, misled: { topic: TopicState, id: number }[] }>()
  for (const topic of ctx.batch.image.topics.values()) {
    topic.partitions.forEach((p, id) => {
      const b = p.replicas[0]!
      const entry = preferred.get(b) ?? { total: 0, misled: [] }
      entry.total++
      if (p.leader !== b) entry.misled.push({ topic, id })
      preferred.set(b, entry)
    })
  }
  const ratioMax = ctx.options.leaderImbalancePerBrokerPercentage / 100
  for (const [brokerId, { total, misled }] of [...preferred].sort((a, b) => a[0] - b[0])) {
    if (misled.length / total <= ratioMax || !ctx.batch.image.isActive(brokerId)) continue
    for (const { topic, id } of misled) {
      const p = ctx.batch.image.partition(topic.id, id)!
      if (p.isr.includes(brokerId)) electLeader(ctx, ctx.batch.image.topics.get(topic.id)!, id, 'preferred')
    }
  }
}
