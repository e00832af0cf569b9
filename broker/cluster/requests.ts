// What the controller is asked and what it answers, as plain objects. They follow Kafka's
// request schemas (BrokerRegistration 62, BrokerHeartbeat 63, CreateTopics 19, DeleteTopics
// 20, CreatePartitions 37, AlterPartition 56, ElectLeaders 43, IncrementalAlterConfigs 44 for
// topics) minus what the wire adds
// (versions, throttle times); the glue that owns the sockets converts between the two.

import type { AlterPartitionResponsePartition } from '../protocol/56-alter-partition.ts'
import type { MetadataRecord, Endpoint } from './records.ts'

export interface BrokerRegistrationRequest {
  kind: 'brokerRegistration'
  brokerId: number
  clusterId: string
  incarnationId: string
  listeners: Endpoint[]
  rack: string | null
}
export interface BrokerRegistrationReply { errorCode: number, errorMessage: string | null, brokerEpoch: number }

export interface BrokerHeartbeatRequest {
  kind: 'brokerHeartbeat'
  brokerId: number
  brokerEpoch: number
  /** The highest metadata offset the broker has replayed. */
  currentMetadataOffset: number
  wantFence: boolean
  wantShutDown: boolean
}
export interface BrokerHeartbeatReply { errorCode: number, isCaughtUp: boolean, isFenced: boolean, shouldShutDown: boolean }

export interface CreateTopicSpec {
  name: string
  /** -1: num.partitions. */
  numPartitions: number
  /** -1: default.replication.factor. */
  replicationFactor: number
  /** Explicit AR per partition (numPartitions and replicationFactor must then be -1). */
  assignments: { partitionIndex: number, brokerIds: number[] }[]
  configs: { name: string, value: string | null }[]
}
export interface CreateTopicsRequest { kind: 'createTopics', topics: CreateTopicSpec[], validateOnly: boolean }
export interface CreateTopicResult {
  name: string
  topicId: string
  errorCode: number
  errorMessage: string | null
  numPartitions: number
  replicationFactor: number
}
export interface CreateTopicsReply { topics: CreateTopicResult[] }

export interface DeleteTopicsRequest { kind: 'deleteTopics', names: string[] }
export interface DeleteTopicsReply { topics: { name: string, topicId: string, errorCode: number, errorMessage: string | null }[] }

export interface CreatePartitionsRequest {
  kind: 'createPartitions'
  /** count = the new total; assignments, when given, list the AR of each new partition. */
  topics: { name: string, count: number, assignments: number[][] | null }[]
  validateOnly: boolean
}
export interface CreatePartitionsReply { results: { name: string, errorCode: number, errorMessage: string | null }[] }

export interface AlterPartitionRequest {
  kind: 'alterPartition'
  brokerId: number
  brokerEpoch: number
  topics: {
    topicId: string
    partitions: {
      partitionIndex: number
      leaderEpoch: number
      /** brokerEpoch -1 skips the epoch check (AlterPartition v0-2 have no epochs). */
      newIsr: { brokerId: number, brokerEpoch: number }[]
      leaderRecoveryState: number
      partitionEpoch: number
    }[]
  }[]
}
/** The same fields as on the wire. */
export type AlterPartitionPartitionReply = AlterPartitionResponsePartition
export interface AlterPartitionReply { errorCode: number, topics: { topicId: string, partitions: AlterPartitionPartitionReply[] }[] }

/** Topic config overrides to set (or, value null, delete); the broker asking has checked them. */
export interface AlterConfigsRequest {
  kind: 'alterConfigs'
  topics: { name: string, configs: { name: string, value: string | null }[] }[]
}
export interface AlterConfigsReply { topics: { name: string, errorCode: number, errorMessage: string | null }[] }

/** Kafka's ElectionType: 0 = PREFERRED, 1 = UNCLEAN. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const
export interface ElectLeadersRequest {
  kind: 'electLeaders'
  electionType: number
  /** null: every partition. */
  topicPartitions: { topic: string, partitions: number[] }[] | null
}
export interface ElectLeadersReply {
  errorCode: number
  results: { topic: string, partitions: { partitionId: number, errorCode: number, errorMessage: string | null }[] }[]
}

export type ControllerRequest =
  | BrokerRegistrationRequest | BrokerHeartbeatRequest | CreateTopicsRequest | DeleteTopicsRequest
  | CreatePartitionsRequest | AlterPartitionRequest | ElectLeadersRequest | AlterConfigsRequest

export interface ReplyByKind {
  brokerRegistration: BrokerRegistrationReply
  brokerHeartbeat: BrokerHeartbeatReply
  createTopics: CreateTopicsReply
  deleteTopics: DeleteTopicsReply
  createPartitions: CreatePartitionsReply
  alterPartition: AlterPartitionReply
  electLeaders: ElectLeadersReply
  alterConfigs: AlterConfigsReply
}

export type ReplyOf<R extends ControllerRequest> = ReplyByKind[R['kind']]

/**
 * Records to propose to the quorum, and the reply to send once they are committed (at
 * once when there are none). Kafka's ControllerResult.
 */
export interface ControllerResult<T> {
  records: MetadataRecord[]
  reply: T
}
