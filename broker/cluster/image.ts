// The metadata image: what the cluster metadata log says, replayed. Every node (the active
// controller, standby controllers, brokers) holds one and derives everything from it: which
// brokers are alive, which topics exist, who leads each partition at which epoch.
//
// Images are immutable. `apply` returns a new image that shares every unchanged broker,
// topic and partition object with the old one, so comparing two images (localChanges) is
// mostly reference checks and keeping the last committed image next to a speculative one
// costs almost nothing. A record that cannot apply (a change to a partition that does not
// exist) means the log is corrupt or the writer is broken: it throws.

import {
  ConfigResourceType, NO_LEADER_CHANGE, type Endpoint, type MetadataRecord, type PartitionChangeRecord, type PartitionRecord,
} from './records.ts'

export interface BrokerState {
  readonly id: number
  readonly incarnationId: string
  readonly epoch: number
  readonly endpoints: readonly Endpoint[]
  readonly rack: string | null
  readonly fenced: boolean
  readonly inControlledShutdown: boolean
}

export interface PartitionState {
  /** AR in preference order; replicas[0] is the preferred leader. */
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  /** -1 when offline. */
  readonly leader: number
  readonly leaderRecoveryState: number
  readonly leaderEpoch: number
  readonly partitionEpoch: number
}

export interface TopicState {
  readonly name: string
  readonly id: string
  /** Index = partition id; partitions are numbered 0..n-1 without gaps. */
  readonly partitions: readonly PartitionState[]
}

type ConfigMap = ReadonlyMap<string, string>

/** `${resourceType}:${resourceName}`, the key of a config resource. */
export function configResourceKey (resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`
}

export class MetadataImage {
  static readonly EMPTY = new MetadataImage(new Map(), new Map(), new Map(), new Map(), new Map())

  readonly brokers: ReadonlyMap<number, BrokerState>
  readonly topics: ReadonlyMap<string, TopicState>
  readonly topicIdsByName: ReadonlyMap<string, string>
  /** By configResourceKey(type, name): config name -> value. */
  readonly configs: ReadonlyMap<string, ConfigMap>
  readonly features: ReadonlyMap<string, number>

  private constructor (
    brokers: ReadonlyMap<number, BrokerState>, topics: ReadonlyMap<string, TopicState>, topicIdsByName: ReadonlyMap<string, string>,
    configs: ReadonlyMap<string, ConfigMap>, features: ReadonlyMap<string, number>,
  ) {
    this.brokers = brokers
    this.topics = topics
    this.topicIdsByName = topicIdsByName
    this.configs = configs
    this.features = features
  }

  topicByName (name: string): TopicState | undefined {
    const id = this.topicIdsByName.get(name)
    return id === undefined ? undefined : this.topics.get(id)
  }

  partition (topicId: string, partitionId: number): PartitionState | undefined {
    return this.topics.get(topicId)?.partitions[partitionId]
  }

  /** Registered, unfenced and not shutting down: may lead and be in an ISR. */
  isActive (brokerId: number): boolean {
    const b = this.brokers.get(brokerId)
    return b !== undefined && !b.fenced && !b.inControlledShutdown
  }

  config (resourceType: number, resourceName: string): ConfigMap | undefined {
    return this.configs.get(configResourceKey(resourceType, resourceName))
  }

  /** A new image with `records` replayed in order. */
  apply (records: readonly MetadataRecord[]): MetadataImage {
    if (records.length === 0) return this
    const b = new ImageBuilder(this)
    for (const rec of records) b.replay(rec)
    return b.build()
  }

  /** For the builder only. */
  static of (
    brokers: ReadonlyMap<number, BrokerState>, topics: ReadonlyMap<string, TopicState>, topicIdsByName: ReadonlyMap<string, string>,
    configs: ReadonlyMap<string, ConfigMap>, features: ReadonlyMap<string, number>,
  ): MetadataImage {
    return new MetadataImage(brokers, topics, topicIdsByName, configs, features)
  }
}

/** A map shared with the previous image until the first write, then a private copy. */
class CowMap<K, V> {
  #map: Map<K, V>
  #owned = false
  constructor (map: ReadonlyMap<K, V>) { this.#map = map as Map<K, V> }
  get map (): ReadonlyMap<K, V> { return this.#map }
  mut (): Map<K, V> {
    if (!this.#owned) {
      this.#map = new Map(this.#map)
      this.#owned = true
    }
    return this.#map
  }
}

class ImageBuilder {
  readonly brokers: CowMap<number, BrokerState>
  readonly topics: CowMap<string, TopicState>
  readonly topicIdsByName: CowMap<string, string>
  readonly configs: CowMap<string, ConfigMap>
  readonly features: CowMap<string, number>
  // Partition arrays already copied during this apply, so a batch touching many
  // partitions of one topic copies its array once, not once per record.
  readonly #ownedPartitions = new Map<string, PartitionState[]>()

  constructor (image: MetadataImage) {
    this.brokers = new CowMap(image.brokers)
    this.topics = new CowMap(image.topics)
    this.topicIdsByName = new CowMap(image.topicIdsByName)
    this.configs = new CowMap(image.configs)
    this.features = new CowMap(image.features)
  }

  build (): MetadataImage {
    return MetadataImage.of(this.brokers.map, this.topics.map, this.topicIdsByName.map, this.configs.map, this.features.map)
  }

  replay (rec: MetadataRecord): void {
    switch (rec.type) {
      case 'registerBroker':
        this.brokers.mut().set(rec.brokerId, {
          id: rec.brokerId, incarnationId: rec.incarnationId, epoch: rec.brokerEpoch, endpoints: rec.endpoints,
          rack: rec.rack, fenced: rec.fenced, inControlledShutdown: rec.inControlledShutdown,
        })
        return
      case 'fenceBroker':
      case 'unfenceBroker':
        return this.#changeBroker(rec.brokerId, rec.brokerEpoch, { fenced: rec.type === 'fenceBroker' })
      case 'brokerRegistrationChange':
        if (rec.inControlledShutdown) this.#changeBroker(rec.brokerId, rec.brokerEpoch, { inControlledShutdown: true })
        return
      case 'topic': return this.#addTopic(rec.name, rec.topicId)
      case 'partition': return this.#setPartition(rec.topicId, rec.partitionId, partitionFromRecord(rec), true)
      case 'partitionChange': return this.#changePartition(rec)
      case 'removeTopic': return this.#removeTopic(rec.topicId)
      case 'config': return this.#setConfig(configResourceKey(rec.resourceType, rec.resourceName), rec.name, rec.value)
      case 'featureLevel':
        this.features.mut().set(rec.name, rec.featureLevel)
    }
  }

  #changeBroker (brokerId: number, epoch: number, change: Partial<BrokerState>): void {
    const broker = this.brokers.map.get(brokerId)
    if (broker === undefined) throw new Error(`metadata log: change to unregistered broker ${brokerId}`)
    // A record for an older incarnation is stale, as in Kafka's replay: it changes nothing.
    if (broker.epoch !== epoch) return
    this.brokers.mut().set(brokerId, { ...broker, ...change })
  }

  #addTopic (name: string, id: string): void {
    if (this.topics.map.has(id) || this.topicIdsByName.map.has(name)) throw new Error(`metadata log: topic ${name} (${id}) created twice`)
    this.topics.mut().set(id, { name, id, partitions: [] })
    this.topicIdsByName.mut().set(name, id)
  }

  #removeTopic (id: string): void {
    const topic = this.topics.map.get(id)
    if (topic === undefined) throw new Error(`metadata log: removing unknown topic ${id}`)
    this.topics.mut().delete(id)
    this.topicIdsByName.mut().delete(topic.name)
    this.#ownedPartitions.delete(id)
    const key = configResourceKey(ConfigResourceType.TOPIC, topic.name)
    if (this.configs.map.has(key)) this.configs.mut().delete(key)
  }

  #setPartition (topicId: string, partitionId: number, state: PartitionState, isNew: boolean): void {
    const topic = this.topics.map.get(topicId)
    if (topic === undefined) throw new Error(`metadata log: partition ${partitionId} of unknown topic ${topicId}`)
    const count = topic.partitions.length
    if (isNew ? partitionId !== count : partitionId >= count) {
      throw new Error(`metadata log: partition ${partitionId} of ${topic.name} out of order (it has ${count})`)
    }
    let partitions = this.#ownedPartitions.get(topicId)
    if (partitions === undefined) {
      partitions = [...topic.partitions]
      this.#ownedPartitions.set(topicId, partitions)
      this.topics.mut().set(topicId, { ...topic, partitions })
    }
    partitions[partitionId] = state
  }

  #changePartition (rec: PartitionChangeRecord): void {
    const old = this.topics.map.get(rec.topicId)?.partitions[rec.partitionId]
    if (old === undefined) throw new Error(`metadata log: change to unknown partition ${rec.topicId}-${rec.partitionId}`)
    this.#setPartition(rec.topicId, rec.partitionId, mergePartitionChange(old, rec), false)
  }

  #setConfig (key: string, name: string, value: string | null): void {
    const configs = new Map(this.configs.map.get(key))
    if (value === null) configs.delete(name)
    else configs.set(name, value)
    if (configs.size === 0) this.configs.mut().delete(key)
    else this.configs.mut().set(key, configs)
  }
}

export function partitionFromRecord (rec: PartitionRecord): PartitionState {
  return {
    replicas: rec.replicas, isr: rec.isr, leader: rec.leader, leaderRecoveryState: rec.leaderRecoveryState,
    leaderEpoch: rec.leaderEpoch, partitionEpoch: rec.partitionEpoch,
  }
}

/** Kafka's PartitionRegistration.merge: any change bumps the partition epoch, a set leader the leader epoch. */
export function mergePartitionChange (old: PartitionState, rec: PartitionChangeRecord): PartitionState {
  const leaderSet = rec.leader !== NO_LEADER_CHANGE
  return {
    replicas: rec.replicas ?? old.replicas,
    isr: rec.isr ?? old.isr,
    leader: leaderSet ? rec.leader : old.leader,
    leaderRecoveryState: rec.leaderRecoveryState === -1 ? old.leaderRecoveryState : rec.leaderRecoveryState,
    leaderEpoch: leaderSet ? old.leaderEpoch + 1 : old.leaderEpoch,
    partitionEpoch: old.partitionEpoch + 1,
  }
}

/** Replicas on brokers that are unregistered or fenced: Metadata's offline_replicas. */
export function offlineReplicas (image: MetadataImage, p: PartitionState): number[] {
  return p.replicas.filter(id => image.brokers.get(id)?.fenced ?? true)
}

export interface BrokerAddress { brokerId: number, host: string, port: number, rack: string | null }

/**
 * Unfenced brokers reachable on `listenerName`, by id: what Metadata and DescribeCluster
 * list. A fenced broker is left out, as Kafka does.
 */
export function liveBrokerAddresses (image: MetadataImage, listenerName: string): BrokerAddress[] {
  const out: BrokerAddress[] = []
  for (const b of image.brokers.values()) {
    const endpoint = b.endpoints.find(e => e.name === listenerName)
    if (!b.fenced && endpoint !== undefined) out.push({ brokerId: b.id, host: endpoint.host, port: endpoint.port, rack: b.rack })
  }
  return out.sort((a, b) => a.brokerId - b.brokerId)
}
