// What a broker's request handlers know about the cluster: which topics exist, who leads
// each partition at which epoch, its replicas and ISR, which brokers are alive, who the
// controller is. In a cluster it is read from the replayed metadata image (ImageView);
// a broker started without cluster keys is a one-node cluster whose own logs are the
// truth (SingleNodeView): it leads every partition at epoch 0.

import { liveBrokerAddresses, offlineReplicas, type BrokerAddress, type MetadataImage } from './image.ts'

export interface PartitionView {
  /** -1 when the partition has no leader (offline). */
  leader: number
  leaderEpoch: number
  replicas: readonly number[]
  isr: readonly number[]
  offline: readonly number[]
}

export interface ClusterView {
  /** True when the node is part of a KRaft cluster (metadata from the quorum). */
  readonly clustered: boolean
  topicNames (): string[]
  partitionCount (topic: string): number | undefined
  partition (topic: string, partitionIndex: number): PartitionView | undefined
  topicId (topic: string): string | undefined
  /** Unfenced brokers and their client-listener address. */
  liveBrokers (): BrokerAddress[]
  /** The active controller's id, or -1 when unknown. */
  controllerId (): number
}

/** Leader epoch of every partition of a one-node broker. */
export const SINGLE_NODE_LEADER_EPOCH = 0

export class SingleNodeView implements ClusterView {
  readonly clustered = false
  readonly #nodeId: number
  readonly #topics: () => ReadonlyMap<string, number>
  readonly #address: () => { host: string, port: number }

  constructor (nodeId: number, topics: () => ReadonlyMap<string, number>, address: () => { host: string, port: number }) {
    this.#nodeId = nodeId
    this.#topics = topics
    this.#address = address
  }

  topicNames (): string[] { return [...this.#topics().keys()] }
  partitionCount (topic: string): number | undefined { return this.#topics().get(topic) }
  topicId (): string | undefined { return undefined }

  partition (topic: string, partitionIndex: number): PartitionView | undefined {
    const count = this.#topics().get(topic)
    if (count === undefined || partitionIndex < 0 || partitionIndex >= count) return undefined
    const self = [this.#nodeId]
    return { leader: this.#nodeId, leaderEpoch: SINGLE_NODE_LEADER_EPOCH, replicas: self, isr: self, offline: [] }
  }

  liveBrokers (): BrokerAddress[] {
    const { host, port } = this.#address()
    return [{ brokerId: this.#nodeId, host, port, rack: null }]
  }

  controllerId (): number { return this.#nodeId }
}

/** The view of a cluster member: the latest replayed image, and the quorum's leader as controller. */
export class ImageView implements ClusterView {
  readonly clustered = true
  readonly #image: () => MetadataImage
  readonly #listenerName: string
  readonly #controllerId: () => number

  constructor (image: () => MetadataImage, listenerName: string, controllerId: () => number) {
    this.#image = image
    this.#listenerName = listenerName
    this.#controllerId = controllerId
  }

  topicNames (): string[] { return [...this.#image().topicIdsByName.keys()] }
  partitionCount (topic: string): number | undefined { return this.#image().topicByName(topic)?.partitions.length }
  topicId (topic: string): string | undefined { return this.#image().topicIdsByName.get(topic) }

  partition (topic: string, partitionIndex: number): PartitionView | undefined {
    const image = this.#image()
    const p = image.topicByName(topic)?.partitions[partitionIndex]
    if (p === undefined) return undefined
    return { leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offline: offlineReplicas(image, p) }
  }

  liveBrokers (): BrokerAddress[] {
    return liveBrokerAddresses(this.#image(), this.#listenerName)
  }

  controllerId (): number { return this.#controllerId() }
}
