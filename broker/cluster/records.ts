// The cluster metadata records, as plain objects. They are Kafka's KRaft records (KIP-631)
// under Kafka's names and api keys, restricted to the fields Sluice uses; record-codec.ts
// writes them in Kafka's own framing so the metadata log reads like Kafka's.
//
// Every change to cluster state is one of these records: the controller proposes them, the
// Raft quorum commits them in order, and every node replays them into a MetadataImage.

/** Kafka's sentinel leader ids: no leader, and (in a PartitionChange) "leader unchanged". */
export const NO_LEADER = -1
export const NO_LEADER_CHANGE = -2

/** KIP-704: a leader chosen by an unclean election is RECOVERING until its ISR grows. */
export const LeaderRecoveryState = { RECOVERED: 0, RECOVERING: 1 } as const

/** Kafka's SecurityProtocol ids; only PLAINTEXT is served today. */
export const SecurityProtocol = { PLAINTEXT: 0 } as const

/** Kafka's ConfigResource.Type ids used in ConfigRecord. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const

export interface Endpoint {
  name: string
  host: string
  port: number
  securityProtocol: number
}

/** RegisterBrokerRecord (api key 0): a broker (re)joined; a new incarnation gets a new epoch. */
export interface RegisterBrokerRecord {
  type: 'registerBroker'
  brokerId: number
  incarnationId: string
  brokerEpoch: number
  endpoints: Endpoint[]
  rack: string | null
  fenced: boolean
  inControlledShutdown: boolean
}

/** FenceBrokerRecord (7): the broker may no longer lead or be in an ISR. */
export interface FenceBrokerRecord {
  type: 'fenceBroker'
  brokerId: number
  brokerEpoch: number
}

/** UnfenceBrokerRecord (8): the broker caught up with the metadata log and may serve. */
export interface UnfenceBrokerRecord {
  type: 'unfenceBroker'
  brokerId: number
  brokerEpoch: number
}

/** BrokerRegistrationChangeRecord (17), used here to mark a broker in controlled shutdown. */
export interface BrokerRegistrationChangeRecord {
  type: 'brokerRegistrationChange'
  brokerId: number
  brokerEpoch: number
  inControlledShutdown: boolean
}

/** TopicRecord (2). */
export interface TopicRecord {
  type: 'topic'
  name: string
  topicId: string
}

/** PartitionRecord (3): a new partition with its full state. */
export interface PartitionRecord {
  type: 'partition'
  topicId: string
  partitionId: number
  /** AR: the assigned replicas in preference order. */
  replicas: number[]
  isr: number[]
  leader: number
  leaderRecoveryState: number
  leaderEpoch: number
  partitionEpoch: number
}

/**
 * PartitionChangeRecord (5): a change to an existing partition. Absent parts (null,
 * NO_LEADER_CHANGE, -1) stay as they are. Replaying it bumps the partition epoch, and the
 * leader epoch too whenever `leader` is set (even to the same broker), as in Kafka.
 */
export interface PartitionChangeRecord {
  type: 'partitionChange'
  topicId: string
  partitionId: number
  isr: number[] | null
  leader: number
  replicas: number[] | null
  /** -1: unchanged. */
  leaderRecoveryState: number
}

/** RemoveTopicRecord (9). */
export interface RemoveTopicRecord {
  type: 'removeTopic'
  topicId: string
}

/** ConfigRecord (4): a dynamic config value; null deletes it. */
export interface ConfigRecord {
  type: 'config'
  resourceType: number
  resourceName: string
  name: string
  value: string | null
}

/** FeatureLevelRecord (12): e.g. metadata.version, written first in a new log. */
export interface FeatureLevelRecord {
  type: 'featureLevel'
  name: string
  featureLevel: number
}

export type MetadataRecord =
  | RegisterBrokerRecord | FenceBrokerRecord | UnfenceBrokerRecord | BrokerRegistrationChangeRecord
  | TopicRecord | PartitionRecord | PartitionChangeRecord | RemoveTopicRecord
  | ConfigRecord | FeatureLevelRecord

export type MetadataRecordType = MetadataRecord['type']
