// Topic lifecycle on the controller (Kafka's ReplicationControlManager.createTopics and
// friends): names are checked, replicas placed round-robin over active brokers (or taken
// from an explicit assignment), and each new partition starts with the active replicas as
// its ISR and the first of them as leader, at leader epoch 0. Topic config changes become
// ConfigRecords every broker replays.

import { ErrorCode } from '../protocol/errors.ts'
import { PARTITIONS_PER_TOPIC_MAX, validateTopicName } from '../log/log-manager.ts'
import type { ControllerContext } from './context.ts'
import type { MetadataImage } from './image.ts'
import { placeReplicas } from './placement.ts'
import { ConfigResourceType, NO_LEADER, type MetadataRecord } from './records.ts'
import type {
  AlterConfigsReply, AlterConfigsRequest, ControllerResult, CreatePartitionsReply, CreatePartitionsRequest, CreateTopicResult, CreateTopicSpec, CreateTopicsReply,
  CreateTopicsRequest, DeleteTopicsReply, DeleteTopicsRequest,
} from './requests.ts'
import { ZERO_UUID } from '../protocol/uuid.ts'

class ApiError extends Error {
  readonly errorCode: number
  constructor (errorCode: number, message: string) {
    super(message)
    this.errorCode = errorCode
  }
}

function activeBrokers (image: MetadataImage): number[] {
  return [...image.brokers.keys()].filter(id => image.isActive(id))
}

function partitionRecord (topicId: string, partitionId: number, replicas: number[], image: MetadataImage): MetadataRecord {
  const isr = replicas.filter(id => image.isActive(id))
  return { type: 'partition', topicId, partitionId, replicas, isr, leader: isr[0] ?? NO_LEADER, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }
}

/** Checks one explicit AR: distinct, registered brokers, at least one of them active. */
function checkAssignment (image: MetadataImage, replicas: number[], replicationFactor: number | undefined, partitionId: number): void {
  const bad = (msg: string): ApiError => new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${partitionId}: ${msg}`)
  if (replicas.length === 0) throw bad('no replicas')
  if (new Set(replicas).size !== replicas.length) throw bad(`duplicate brokers in ${JSON.stringify(replicas)}`)
  if (replicationFactor !== undefined && replicas.length !== replicationFactor) throw bad(`${replicas.length} replicas where the others have ${replicationFactor}`)
  const unknown = replicas.find(id => !image.brokers.has(id))
  if (unknown !== undefined) throw bad(`broker ${unknown} is not registered`)
  if (!replicas.some(id => image.isActive(id))) throw bad('every broker in the assignment is fenced or shutting down')
}

/** Round-robin placement; the start moves with the topic count so leaders spread across topics. */
function place (ctx: ControllerContext, firstPartitionId: number, count: number, replicationFactor: number): number[][] {
  const image = ctx.batch.image
  const seed = image.topics.size
  const placed = placeReplicas({ brokerIds: activeBrokers(image), firstPartitionId, partitionCount: count, replicationFactor, startIndex: seed, replicaShift: seed })
  if (typeof placed === 'string') throw new ApiError(ErrorCode.INVALID_REPLICATION_FACTOR, placed)
  return placed
}

function assignmentsFor (ctx: ControllerContext, spec: CreateTopicSpec): number[][] {
  if (spec.assignments.length === 0) {
    const partitions = spec.numPartitions === -1 ? ctx.options.defaultNumPartitions : spec.numPartitions
    const factor = spec.replicationFactor === -1 ? ctx.options.defaultReplicationFactor : spec.replicationFactor
    if (factor < 1) throw new ApiError(ErrorCode.INVALID_REPLICATION_FACTOR, 'replication factor must be at least 1, or -1 for default.replication.factor')
    if (partitions < 1 || partitions > PARTITIONS_PER_TOPIC_MAX) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `partitions must be 1..${PARTITIONS_PER_TOPIC_MAX}, or -1 for num.partitions`)
    return place(ctx, 0, partitions, factor)
  }
  if (spec.replicationFactor !== -1 || spec.numPartitions !== -1) {
    throw new ApiError(ErrorCode.INVALID_REQUEST, 'with a manual assignment, num_partitions and replication_factor must be -1')
  }
  const byId = new Map<number, number[]>()
  for (const a of spec.assignments) {
    if (byId.has(a.partitionIndex)) throw new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${a.partitionIndex} assigned twice`)
    checkAssignment(ctx.batch.image, a.brokerIds, byId.values().next().value?.length, a.partitionIndex)
    byId.set(a.partitionIndex, a.brokerIds)
  }
  if (byId.size > PARTITIONS_PER_TOPIC_MAX) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `at most ${PARTITIONS_PER_TOPIC_MAX} partitions`)
  return Array.from({ length: byId.size }, (_, id) => {
    const replicas = byId.get(id)
    if (replicas === undefined) throw new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions must be numbered 0, 1, 2... without gaps')
    return [...replicas]
  })
}

/** The topic configs the controller itself acts on must make sense; the rest are the brokers' to judge. */
function checkConfigs (configs: CreateTopicSpec['configs']): void {
  for (const { name, value } of configs) {
    if (name === 'unclean.leader.election.enable' && value !== null && value !== 'true' && value !== 'false') {
      throw new ApiError(ErrorCode.INVALID_CONFIG, `unclean.leader.election.enable must be true or false (got ${JSON.stringify(value)})`)
    }
    if (name === 'min.insync.replicas' && value !== null && !/^[1-9]\d{0,4}$/.test(value)) {
      throw new ApiError(ErrorCode.INVALID_CONFIG, `min.insync.replicas must be a positive integer (got ${JSON.stringify(value)})`)
    }
  }
}

function createOne (ctx: ControllerContext, spec: CreateTopicSpec, validateOnly: boolean): CreateTopicResult {
  try {
    try {
      validateTopicName(spec.name)
    } catch (err) {
      throw new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, (err as Error).message)
    }
    if (ctx.batch.image.topicIdsByName.has(spec.name)) throw new ApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${spec.name} already exists`)
    checkConfigs(spec.configs)
    const assignments = assignmentsFor(ctx, spec)
    const topicId = validateOnly ? ZERO_UUID : ctx.options.newUuid()
    if (!validateOnly) addTopic(ctx, spec, topicId, assignments)
    return { name: spec.name, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: assignments.length, replicationFactor: assignments[0]!.length }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return { name: spec.name, topicId: ZERO_UUID, errorCode: err.errorCode, errorMessage: err.message, numPartitions: -1, replicationFactor: -1 }
  }
}

function addTopic (ctx: ControllerContext, spec: CreateTopicSpec, topicId: string, assignments: number[][]): void {
  const image = ctx.batch.image
  ctx.batch.add(
    { type: 'topic', name: spec.name, topicId },
    ...spec.configs.filter(c => c.value !== null).map((c): MetadataRecord =>
      ({ type: 'config', resourceType: ConfigResourceType.TOPIC, resourceName: spec.name, name: c.name, value: c.value })),
    ...assignments.map((replicas, id) => partitionRecord(topicId, id, replicas, image)),
  )
}

export function createTopics (ctx: ControllerContext, req: CreateTopicsRequest): ControllerResult<CreateTopicsReply> {
  const counts = new Map<string, number>()
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  const topics = req.topics.map(spec => (counts.get(spec.name)! > 1
    ? { name: spec.name, topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named twice in one request', numPartitions: -1, replicationFactor: -1 }
    : createOne(ctx, spec, req.validateOnly)))
  return { records: ctx.batch.records, reply: { topics } }
}

export function deleteTopics (ctx: ControllerContext, req: DeleteTopicsRequest): ControllerResult<DeleteTopicsReply> {
  const named = new Map<string, number>()
  for (const name of req.names) named.set(name, (named.get(name) ?? 0) + 1)
  const topics = req.names.map(name => {
    if (named.get(name)! > 1) return { name, topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named twice in one request' }
    const topic = ctx.batch.image.topicByName(name)
    if (topic === undefined) return { name, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `no topic named ${name}` }
    ctx.batch.add({ type: 'removeTopic', topicId: topic.id })
    return { name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null }
  })
  return { records: ctx.batch.records, reply: { topics } }
}

function addPartitions (ctx: ControllerContext, name: string, count: number, assignments: number[][] | null, validateOnly: boolean): void {
  const topic = ctx.batch.image.topicByName(name)
  if (topic === undefined) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic named ${name}`)
  const existing = topic.partitions.length
  if (count <= existing) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `topic ${name} has ${existing} partitions; the new count must be larger`)
  if (count > PARTITIONS_PER_TOPIC_MAX) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `at most ${PARTITIONS_PER_TOPIC_MAX} partitions`)
  const factor = topic.partitions[0]?.replicas.length ?? 1
  let placed: number[][]
  if (assignments === null) {
    placed = place(ctx, existing, count - existing, factor)
  } else {
    if (assignments.length !== count - existing) throw new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${assignments.length} assignments for ${count - existing} new partitions`)
    assignments.forEach((replicas, i) => { checkAssignment(ctx.batch.image, replicas, factor, existing + i) })
    placed = assignments.map(a => [...a])
  }
  if (validateOnly) return
  const image = ctx.batch.image
  ctx.batch.add(...placed.map((replicas, i) => partitionRecord(topic.id, existing + i, replicas, image)))
}

export function createPartitions (ctx: ControllerContext, req: CreatePartitionsRequest): ControllerResult<CreatePartitionsReply> {
  const results = req.topics.map(t => {
    try {
      addPartitions(ctx, t.name, t.count, t.assignments, req.validateOnly)
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return { name: t.name, errorCode: err.errorCode, errorMessage: err.message }
    }
  })
  return { records: ctx.batch.records, reply: { results } }
}

/** Config records for each topic's changed keys; keys already at the asked value add nothing. */
export function alterTopicConfigs (ctx: ControllerContext, req: AlterConfigsRequest): ControllerResult<AlterConfigsReply> {
  const topics = req.topics.map(t => {
    try {
      if (ctx.batch.image.topicByName(t.name) === undefined) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic named ${t.name}`)
      checkConfigs(t.configs)
      const current = ctx.batch.image.config(ConfigResourceType.TOPIC, t.name)
      const changed = t.configs.filter(c => (current?.get(c.name) ?? null) !== c.value)
      ctx.batch.add(...changed.map((c): MetadataRecord => ({ type: 'config', resourceType: ConfigResourceType.TOPIC, resourceName: t.name, name: c.name, value: c.value })))
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return { name: t.name, errorCode: err.errorCode, errorMessage: err.message }
    }
  })
  return { records: ctx.batch.records, reply: { topics } }
}
