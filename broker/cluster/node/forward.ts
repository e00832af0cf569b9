// Admin requests a cluster member forwards to the active controller (Kafka's forwarding of
// CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders and topic config changes). What
// the broker can judge alone (topic config keys and values, internal topics) it answers
// itself; the rest goes over the controller channel. A successful create, delete or config
// change is answered once this broker has replayed it too, so the client's next request
// here already sees it.

import { ErrorCode } from '../../protocol/errors.ts'
import { CreateTopics, type CreatableTopic, type CreatableTopicResult, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/19-create-topics.ts'
import { DeleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/20-delete-topics.ts'
import { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/37-create-partitions.ts'
import { ElectLeaders, type ElectLeadersRequest, type ElectLeadersResponse } from '../../protocol/43-elect-leaders.ts'
import type { Broker } from '../../server/broker.ts'
import type { ClusterAdmin } from '../../server/cluster-hooks.ts'
import type { ControllerChannel } from './controller-channel.ts'
import { INTERNAL_TOPICS } from '../../server/broker.ts'
import { mergeTopicConfigs } from '../../server/topic-settings.ts'
import { ConfigOperation, IncrementalAlterConfigs } from '../../protocol/44-incremental-alter-configs.ts'
import { ConfigResourceType } from '../../protocol/32-describe-configs.ts'
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse } from '../../protocol/55-describe-quorum.ts'

const NOT_CONTROLLER = ErrorCode.NOT_CONTROLLER
const FORWARD_TIMEOUT_MS = 15_000
const REPLAY_WAIT_MS = 5_000

/** The ClusterAdmin a cluster member installs on its Broker. */
export class ForwardingAdmin implements ClusterAdmin {
  readonly #broker: Broker
  readonly #channel: ControllerChannel

  constructor (broker: Broker, channel: ControllerChannel) {
    this.#broker = broker
    this.#channel = channel
  }

  createTopics (request: CreateTopicsRequest): Promise<CreateTopicsResponse> { return forwardCreateTopics(this.#broker, this.#channel, request) }
  deleteTopics (request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> { return forwardDeleteTopics(this.#broker, this.#channel, request) }
  createPartitions (request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    return this.#channel.send(CreatePartitions, request, r => r.results.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
  }

  electLeaders (request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    return this.#channel.send(ElectLeaders, request, r => r.errorCode === NOT_CONTROLLER, FORWARD_TIMEOUT_MS)
  }

  /** The quorum leader (the active controller) alone knows every voter's progress. */
  describeQuorum (request: DescribeQuorumRequest): Promise<DescribeQuorumResponse> {
    const notLeader = (r: DescribeQuorumResponse): boolean =>
      r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || r.topics.some(t => t.partitions.some(p => p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER))
    return this.#channel.send(DescribeQuorum, request, notLeader, FORWARD_TIMEOUT_MS)
  }

  async alterTopicConfigs (topic: string, configs: ReadonlyArray<{ name: string, value: string | null }>): Promise<{ errorCode: number, message: string | null }> {
    const response = await this.#channel.send(IncrementalAlterConfigs, {
      resources: [{
        resourceType: ConfigResourceType.topic,
        resourceName: topic,
        configs: configs.map(c => ({ name: c.name, configOperation: c.value === null ? ConfigOperation.delete : ConfigOperation.set, value: c.value })),
      }],
      validateOnly: false,
    }, r => r.responses.some(x => x.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
    const answer = response.responses[0]
    if (answer === undefined) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: 'the controller did not answer for this topic' }
    if (answer.errorCode === ErrorCode.NONE) await awaitConfigReplay(this.#broker, topic, configs)
    return { errorCode: answer.errorCode, message: answer.errorMessage }
  }

  async createTopicWithDefaults (name: string): Promise<number> {
    const response = await this.createTopics({
      topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false,
    })
    const code = response.topics[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    return code === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : code
  }

  /** offsets.topic.* keys, RF capped by the live brokers. */
  async ensureOffsetsTopic (name: string): Promise<void> {
    const replicationFactor = Math.min(this.#broker.config.int('offsets.topic.replication.factor'), Math.max(1, this.#broker.cluster.liveBrokers().length))
    await this.#channel.send(CreateTopics, {
      topics: [{ name, numPartitions: this.#broker.config.int('offsets.topic.num.partitions'), replicationFactor, assignments: [], configs: [] }],
      timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false,
    }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
  }
}

/** Waits (bounded) until the local view agrees: the topic exists, or no longer does. */
async function awaitReplay (broker: Broker, names: readonly string[], exists: boolean): Promise<void> {
  const deadlineMs = Date.now() + REPLAY_WAIT_MS
  while (Date.now() < deadlineMs && !names.every(n => (broker.cluster.partitionCount(n) !== undefined) === exists)) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** Waits (bounded) until the local view holds the topic config values just committed. */
async function awaitConfigReplay (broker: Broker, topic: string, configs: ReadonlyArray<{ name: string, value: string | null }>): Promise<void> {
  const deadlineMs = Date.now() + REPLAY_WAIT_MS
  const replayed = (): boolean => {
    const now = broker.cluster.topicConfigs(topic)
    return configs.every(c => (now?.get(c.name) ?? null) === c.value)
  }
  while (Date.now() < deadlineMs && !replayed()) await new Promise(resolve => setTimeout(resolve, 10))
}

function configProblem (broker: Broker, topic: CreatableTopic): CreatableTopicResult | null {
  const merged = mergeTopicConfigs(broker.config, {}, topic.configs)
  return 'problem' in merged ? { name: topic.name, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: merged.problem } : null
}

async function forwardCreateTopics (broker: Broker, channel: ControllerChannel, request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const local = new Map<string, CreatableTopicResult>()
  for (const topic of request.topics) {
    const problem = configProblem(broker, topic)
    if (problem !== null) local.set(topic.name, problem)
  }
  const forwarded = request.topics.filter(t => !local.has(t.name))
  let remote: CreatableTopicResult[] = []
  if (forwarded.length > 0) {
    const response = await channel.send(CreateTopics, { ...request, topics: forwarded }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
    remote = response.topics
    if (!request.validateOnly) await awaitReplay(broker, remote.filter(t => t.errorCode === ErrorCode.NONE).map(t => t.name), true)
  }
  const byName = new Map(remote.map(t => [t.name, t]))
  return { throttleTimeMs: 0, topics: request.topics.map(t => local.get(t.name) ?? byName.get(t.name) ?? { name: t.name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller did not answer for this topic' }) }
}

async function forwardDeleteTopics (broker: Broker, channel: ControllerChannel, request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  const internal = request.topicNames.filter(n => INTERNAL_TOPICS.has(n))
  const names = request.topicNames.filter(n => !INTERNAL_TOPICS.has(n))
  let remote: DeleteTopicsResponse['topics'] = []
  if (names.length > 0) {
    const response = await channel.send(DeleteTopics, { ...request, topicNames: names }, r => r.topics.some(t => t.errorCode === NOT_CONTROLLER), FORWARD_TIMEOUT_MS)
    remote = response.topics
    await awaitReplay(broker, remote.filter(t => t.errorCode === ErrorCode.NONE).map(t => t.name), false)
  }
  return { throttleTimeMs: 0, topics: [...internal.map(name => ({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `${name} is internal and cannot be deleted` })), ...remote] }
}
