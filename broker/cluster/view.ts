// A cluster member's ClusterView (broker/server/cluster-hooks.ts): the latest replayed
// metadata image, with the quorum leader as the controller. The request handlers read it
// for every partition they serve.

import type { BrokerEndpoint, ClusterView, PartitionView } from '../server/cluster-hooks.ts'
import { liveBrokerAddresses, offlineReplicas, type MetadataImage } from './image.ts'
import { ConfigResourceType } from './records.ts'

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

  partition (topic: string, partitionIndex: number): PartitionView | undefined {
    const image = this.#image()
    const p = image.topicByName(topic)?.partitions[partitionIndex]
    if (p === undefined) return undefined
    return { leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offline: offlineReplicas(image, p) }
  }

  liveBrokers (): BrokerEndpoint[] {
    return liveBrokerAddresses(this.#image(), this.#listenerName)
  }

  controllerId (): number { return this.#controllerId() }

  /** The image's map, replaced (not mutated) when a ConfigRecord changes it. */
  topicConfigs (topic: string): ReadonlyMap<string, string> | null {
    return this.#image().config(ConfigResourceType.TOPIC, topic) ?? EMPTY_CONFIGS
  }
}

const EMPTY_CONFIGS: ReadonlyMap<string, string> = new Map()
