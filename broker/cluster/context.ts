// What every controller operation works with: the options, the soft state, the clock, and
// a batch that applies each record to a working image as it is added, so later decisions in
// the same operation see earlier ones (two topics of one name in one request, two brokers
// fenced in one tick).

import type { BrokerConfig } from '../config/config.ts'
import { randomUuid } from '../protocol/uuid.ts'
import type { BrokerHeartbeats } from './heartbeats.ts'
import type { MetadataImage } from './image.ts'
import { ConfigResourceType, type MetadataRecord } from './records.ts'

export interface ControllerOptions {
  clusterId: string
  /** broker.session.timeout.ms (Kafka: 9000). */
  sessionTimeoutMs: number
  /** num.partitions, for CreateTopics with num_partitions -1. */
  defaultNumPartitions: number
  /** default.replication.factor, for CreateTopics with replication_factor -1. */
  defaultReplicationFactor: number
  /** unclean.leader.election.enable, unless a topic config says otherwise. */
  uncleanLeaderElection: boolean
  /** auto.leader.rebalance.enable and its two companions. */
  autoLeaderRebalance: boolean
  leaderImbalanceCheckIntervalMs: number
  leaderImbalancePerBrokerPercentage: number
  /** Topic ids come from here; a seeded source makes a simulation replayable. */
  newUuid: () => string
}

export const DEFAULT_CONTROLLER_OPTIONS: Omit<ControllerOptions, 'clusterId' | 'newUuid'> = {
  sessionTimeoutMs: 9000,
  defaultNumPartitions: 1,
  defaultReplicationFactor: 1,
  uncleanLeaderElection: false,
  autoLeaderRebalance: true,
  leaderImbalanceCheckIntervalMs: 300_000,
  leaderImbalancePerBrokerPercentage: 10,
}

/** The controller's options from the broker config keys of the same names. */
export function controllerOptionsFromConfig (config: BrokerConfig, clusterId: string): ControllerOptions {
  return {
    clusterId,
    sessionTimeoutMs: config.int('broker.session.timeout.ms'),
    defaultNumPartitions: config.int('num.partitions'),
    defaultReplicationFactor: config.int('default.replication.factor'),
    uncleanLeaderElection: config.bool('unclean.leader.election.enable'),
    autoLeaderRebalance: config.bool('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalMs: config.int('leader.imbalance.check.interval.seconds') * 1000,
    leaderImbalancePerBrokerPercentage: config.int('leader.imbalance.per.broker.percentage'),
    newUuid: () => randomUuid(),
  }
}

export class RecordBatch {
  image: MetadataImage
  readonly records: MetadataRecord[] = []

  constructor (image: MetadataImage) {
    this.image = image
  }

  add (...records: MetadataRecord[]): void {
    if (records.length === 0) return
    this.records.push(...records)
    this.image = this.image.apply(records)
  }
}

export interface ControllerContext {
  readonly options: ControllerOptions
  readonly heartbeats: BrokerHeartbeats
  readonly nowMs: number
  readonly batch: RecordBatch
}

/** The topic's unclean.leader.election.enable, else the controller's default. */
export function uncleanEnabled (ctx: ControllerContext, topicName: string): boolean {
  const value = ctx.batch.image.config(ConfigResourceType.TOPIC, topicName)?.get('unclean.leader.election.enable')
  return value === undefined ? ctx.options.uncleanLeaderElection : value === 'true'
}
