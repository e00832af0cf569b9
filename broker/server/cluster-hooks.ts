// What the request handlers need from the cluster layer, as interfaces the server owns and
// broker/cluster implements (so imports flow one way: cluster -> server). A one-node broker
// has none of it: its own logs are the truth (SingleNodeView), it creates topics itself,
// and every write is replicated the moment it is written.

import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/19-create-topics.ts'
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/20-delete-topics.ts'
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/37-create-partitions.ts'
import type { ElectLeadersRequest, ElectLeadersResponse } from '../protocol/43-elect-leaders.ts'
import type { DescribeQuorumRequest, DescribeQuorumResponse } from '../protocol/55-describe-quorum.ts'

export interface PartitionView {
  /** -1 when the partition has no leader (offline). */
  leader: number
  leaderEpoch: number
  replicas: readonly number[]
  isr: readonly number[]
  offline: readonly number[]
}

export interface BrokerEndpoint { brokerId: number, host: string, port: number, rack: string | null }

/** Who leads what, which brokers are alive, who the controller is. */
export interface ClusterView {
  /** True when the node is part of a KRaft cluster (metadata from the quorum). */
  readonly clustered: boolean
  topicNames (): string[]
  partitionCount (topic: string): number | undefined
  partition (topic: string, partitionIndex: number): PartitionView | undefined
  /** Unfenced brokers and their client-listener address. */
  liveBrokers (): BrokerEndpoint[]
  /** The active controller's id, or -1 when unknown. */
  controllerId (): number
  /**
   * A topic's config overrides as the cluster's metadata says (the same object until they
   * change), or null when the broker's own logs are the truth (one node).
   */
  topicConfigs (topic: string): ReadonlyMap<string, string> | null
}

/** Admin requests a cluster member forwards to the active controller. */
export interface ClusterAdmin {
  createTopics (request: CreateTopicsRequest): Promise<CreateTopicsResponse>
  deleteTopics (request: DeleteTopicsRequest): Promise<DeleteTopicsResponse>
  createPartitions (request: CreatePartitionsRequest): Promise<CreatePartitionsResponse>
  electLeaders (request: ElectLeadersRequest): Promise<ElectLeadersResponse>
  describeQuorum (request: DescribeQuorumRequest): Promise<DescribeQuorumResponse>
  /** Auto-creation with num.partitions and default.replication.factor: the Kafka error code. */
  createTopicWithDefaults (name: string): Promise<number>
  /** __consumer_offsets on the first FindCoordinator. */
  ensureOffsetsTopic (name: string): Promise<void>
  /** A topic's overrides changed through the controller: null deletes a key. Answered once replayed here. */
  alterTopicConfigs (topic: string, configs: ReadonlyArray<{ name: string, value: string | null }>): Promise<{ errorCode: number, message: string | null }>
}

/** A local replica as the replication layer holds it (for GET /admin/replicas; read only). */
export interface ReplicaStateView {
  role: 'leader' | 'follower' | 'none'
  /** Leader: the HW it computed; follower: the HW it learned; none: null. */
  highWatermark: number | null
  /** The epoch it leads in; null unless it leads. */
  leadingEpoch: number | null
  /** The topic's id in the metadata, null if unknown. */
  topicId: string | null
}

/** Replication of the partitions this broker leads. */
export interface Replication {
  /** The replicated high watermark consumers may read up to; undefined when not led here. */
  highWatermark (topic: string, partition: number): number | undefined
  /** KIP-207: false while this broker leads the partition with its HW still below its epoch start. */
  offsetsAvailable (topic: string, partition: number): boolean
  /** A follower fetched `fetchOffset` (its log end): the error for its partition, or NONE. */
  onFollowerFetch (topic: string, partition: number, replicaId: number, fetchOffset: number): number
  /** acks=all: resolves with the partition's error code once the HW passes `requiredOffset`. */
  waitForAcks (topic: string, partition: number, requiredOffset: number, timeoutMs: number): Promise<number>
  /** Replication metrics in Prometheus text. */
  renderMetrics (): string
  /** This broker's replica of a partition: role, replicated HW, leading epoch (read only). */
  replicaState (topic: string, partition: number): ReplicaStateView
}

/** Leader epoch of every partition of a one-node broker. */
export const SINGLE_NODE_LEADER_EPOCH = 0

/** The broker's own logs as SingleNodeView reads them (LogManager). */
export interface LocalTopics {
  topics: () => ReadonlyMap<string, number>
  partitionCount: (topic: string) => number | undefined
}

export class SingleNodeView implements ClusterView {
  readonly clustered = false
  readonly #nodeId: number
  readonly #topics: LocalTopics
  readonly #address: () => { host: string, port: number }
  /** Every partition looks the same here; one frozen answer serves them all (produce and fetch ask per partition). */
  readonly #led: PartitionView

  constructor (nodeId: number, topics: LocalTopics, address: () => { host: string, port: number }) {
    this.#nodeId = nodeId
    this.#topics = topics
    this.#address = address
    const self = Object.freeze([nodeId])
    this.#led = Object.freeze({ leader: nodeId, leaderEpoch: SINGLE_NODE_LEADER_EPOCH, replicas: self, isr: self, offline: Object.freeze([]) })
  }

  topicNames (): string[] { return [...this.#topics.topics().keys()] }
  partitionCount (topic: string): number | undefined { return this.#topics.partitionCount(topic) }

  partition (topic: string, partitionIndex: number): PartitionView | undefined {
    // Asked per partition of every produce and fetch: a lookup, never a copy of the topic list.
    const count = this.#topics.partitionCount(topic)
    if (count === undefined || partitionIndex < 0 || partitionIndex >= count) return undefined
    return this.#led
  }

  liveBrokers (): BrokerEndpoint[] {
    const { host, port } = this.#address()
    return [{ brokerId: this.#nodeId, host, port, rack: null }]
  }

  controllerId (): number { return this.#nodeId }
  topicConfigs (): null { return null }
}
