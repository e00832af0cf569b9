// Admin requests a cluster member forwards to the active controller (Kafka's forwarding of
// CreateTopics, DeleteTopics, CreatePartitions and ElectLeaders). What the broker can judge
// alone (topic config keys and values, internal topics) it answers itself; the rest goes
// over the controller channel. A successful create or delete is answered once this broker
// has replayed it too, so the client's next Metadata request here already sees it.

import { ErrorCode } from '../../protocol/errors.ts'
import { CreateTopics, type CreatableTopic, type CreatableTopicResult, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/19-create-topics.ts'
import { DeleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/20-delete-topics.ts'
import { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/37-create-partitions.ts'
import { ElectLeaders, type ElectLeadersRequest, type ElectLeadersResponse } from '../../protocol/43-elect-leaders.ts'
import type { Broker } from '../../server/broker.ts'
import { INTERNAL_TOPICS } from '../../server/broker.ts'
import { mergeTopicConfigs } from '../../server/topic-settings.ts'
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse } from '../../protocol/55-describe-quorum.ts'

const NOT_CONTROLLER = ErrorCode.NOT_CONTROLLER
const FORWARD_TIMEOUT_MS = 15_000
const REPLAY_WAIT_MS = 5_000

function channel (broker: Broker): NonNullable<Broker['controller']> {
  if (broker.controller === null) throw new Error('programmer error: forwarding on a one-node broker')
  return broker.controller
}

/** Waits (bounded) until the local view agrees: the topic exists, or no longer does. */
async function awaitReplay (broker: Broker, names: readonly string[], exists: boolean): Promise<void> {
  const deadlineMs = Date.now() + REPLAY_WAIT_MS
  while (Date.now() < deadlineMs && !names.every(n => (broker.cluster.partitionCount(n) !== undefined) === exists)) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

function configProblem (broker: Broker, topic: CreatableTopic): CreatableTopicResult | null {
  const merged = mergeTopicConfigs(broker.config, {}, topic.configs)
  return 'problem' in merged ? { name: topic.name, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: merged.problem } : null
}

export async function forwardCreateTopics (broker: Broker, request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const local = new Map<string, CreatableTopicResult>()
  for (const topic of request.topics) {
    const problem = configProblem(broker, topic)
    if (problem !== null) local.set(topic.name, problem)
  }
  const forwarded = request.topics.filter(t => !local.has(t.name))
  let remote: CreatableTopicResult[] = []
  if (forwarded.length > 0) {
    const response = await channel(broker).send(CreateTopics, { ...request, topics: forwarded }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
    remote = response.topics
    if (!request.validateOnly) await awaitReplay(broker, remote.filter(t => t.errorCode === ErrorCode.NONE).map(t => t.name), true)
  }
  const byName = new Map(remote.map(t => [t.name, t]))
  return { throttleTimeMs: 0, topics: request.topics.map(t => local.get(t.name) ?? byName.get(t.name) ?? { name: t.name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller did not answer for this topic' }) }
}

export async function forwardDeleteTopics (broker: Broker, request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  const internal = request.topicNames.filter(n => INTERNAL_TOPICS.has(n))
  const names = request.topicNames.filter(n => !INTERNAL_TOPICS.has(n))
  let remote: DeleteTopicsResponse['topics'] = []
  if (names.length > 0) {
    const response = await channel(broker).send(DeleteTopics, { ...request, topicNames: names }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
    remote = response.topics
    await awaitReplay(broker, remote.filter(t => t.errorCode === ErrorCode.NONE).map(t => t.name), false)
  }
  return { throttleTimeMs: 0, topics: [...internal.map(name => ({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `${name} is internal and cannot be deleted` })), ...remote] }
}

export function forwardCreatePartitions (broker: Broker, request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
  return channel(broker).send(CreatePartitions, request, r => r.results.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
}

export function forwardElectLeaders (broker: Broker, request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
  return channel(broker).send(ElectLeaders, request, r => r.errorCode === NOT_CONTROLLER, FORWARD_TIMEOUT_MS)
}

/** Auto-creation (Metadata, HTTP produce): num.partitions and default.replication.factor. */
export async function createTopicWithDefaults (broker: Broker, name: string): Promise<number> {
  const response = await forwardCreateTopics(broker, {
    topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false,
  })
  const code = response.topics[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
  return code === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : code
}

/** __consumer_offsets, created by the controller on the first FindCoordinator: offsets.topic.* keys, RF capped by the live brokers. */
export async function ensureOffsetsTopic (broker: Broker, name: string): Promise<void> {
  const replicationFactor = Math.min(broker.config.int('offsets.topic.replication.factor'), Math.max(1, broker.cluster.liveBrokers().length))
  await channel(broker).send(CreateTopics, {
    topics: [{ name, numPartitions: broker.config.int('offsets.topic.num.partitions'), replicationFactor, assignments: [], configs: [] }],
    timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false,
  }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
}

/** DescribeQuorum asked of a broker: the quorum leader (the active controller) answers it. */
export function forwardDescribeQuorum (broker: Broker, request: DescribeQuorumRequest): Promise<DescribeQuorumResponse> {
  const notLeader = (r: DescribeQuorumResponse): boolean =>
    r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || r.topics.some(t => t.partitions.some(p => p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER))
  return channel(broker).send(DescribeQuorum, request, notLeader, FORWARD_TIMEOUT_MS)
}
