// The follower side of replication (Kafka's ReplicaFetcherManager): one fetcher per leader
// broker (num.replica.fetchers spreads partitions over more), each a loop that asks every
// partition's FollowerPartition what to do next: an OffsetForLeaderEpoch round to find
// where its log diverges from the leader's, a truncation, a ListOffsets round after
// OFFSET_OUT_OF_RANGE, or a Fetch with replica_id set, whose batches are appended exactly as
// the leader stored them. The leader is reached on its inter-broker listener as the
// metadata image registers it, or at sluice.inter.broker.addresses (a proxy per link in
// chaos runs, so a partition can cut one broker-to-broker link).

import type { BrokerConfig } from '../../config/config.ts'
import type { PartitionLog } from '../../log/partition-log.ts'
import type { Broker } from '../../server/broker.ts'
import type { MetadataImage, PartitionState } from '../image.ts'
import { FollowerPartition } from '../replica/follower-state.ts'
import { logView } from './follower-log.ts'
import { ReplicaFetcher, type FollowedPartition } from './replica-fetcher.ts'
import type { HighWatermarkCheckpoint } from './hw-checkpoint.ts'

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export class ReplicaFetchers {
  readonly #broker: Broker
  readonly #config: BrokerConfig
  readonly #image: () => MetadataImage
  readonly #checkpoint: HighWatermarkCheckpoint
  readonly #followed = new Map<string, FollowedPartition>()
  /** By `${leaderId}/${fetcherIndex}`. */
  readonly #fetchers = new Map<string, ReplicaFetcher>()

  constructor (broker: Broker, config: BrokerConfig, image: () => MetadataImage, checkpoint: HighWatermarkCheckpoint) {
    this.#broker = broker
    this.#config = config
    this.#image = image
    this.#checkpoint = checkpoint
  }

  /** The HW this replica learned as a follower (the start of its HW if it becomes leader). */
  highWatermarkOf (topic: string, partition: number): number | undefined {
    return this.#followed.get(key(topic, partition))?.state.highWatermark
  }

  follow (topic: string, partition: number, log: PartitionLog, state: PartitionState): void {
    const k = key(topic, partition)
    const current = this.#followed.get(k)
    if (current !== undefined) {
      if (!current.state.onLeaderChange(state.leader, state.leaderEpoch, logView(log))) return
      current.fetcher?.remove(k)
      this.#followed.delete(k)
      if (state.leader < 0) this.#followed.set(k, { ...current, leaderId: -1, fetcher: null })
      else this.#assign(k, { ...current, leaderId: state.leader })
      return
    }
    const learned = Math.min(this.#checkpoint.get(topic, partition) ?? 0, log.highWatermark)
    const follower = new FollowerPartition({ leaderId: state.leader, leaderEpoch: state.leaderEpoch, highWatermark: learned, log: logView(log), useDivergingEpoch: false, debug: this.#broker.debug })
    if (state.leader < 0) this.#followed.set(k, { topic, partition, log, state: follower, leaderId: -1, fetcher: null })
    else this.#assign(k, { topic, partition, log, state: follower, leaderId: state.leader })
  }

  stopFollowing (topic: string, partition: number): void {
    const k = key(topic, partition)
    const current = this.#followed.get(k)
    if (current === undefined) return
    current.fetcher?.remove(k)
    this.#followed.delete(k)
  }

  close (): void {
    for (const fetcher of this.#fetchers.values()) fetcher.stop()
    this.#fetchers.clear()
  }

  #assign (k: string, followed: Omit<FollowedPartition, 'fetcher'>): void {
    const count = this.#config.int('num.replica.fetchers')
    const index = Math.abs(hash(k)) % count
    const id = `${followed.leaderId}/${index}`
    let fetcher = this.#fetchers.get(id)
    if (fetcher === undefined || fetcher.stopped) {
      fetcher = new ReplicaFetcher(this.#broker, this.#config, followed.leaderId, this.#image, (topic, partition, hw) => this.#checkpoint.set(topic, partition, hw))
      this.#fetchers.set(id, fetcher)
    }
    const entry: FollowedPartition = { ...followed, fetcher }
    this.#followed.set(k, entry)
    fetcher.add(k, entry)
  }
}

function hash (text: string): number {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0
  return h
}
