// Shapes and bounds shared by the group coordinator's modules: the configuration it runs
// with, the answers a join or sync waits for, and the limits that keep one client from
// growing a group's memory (and its metadata record) without bound.

import type { BrokerConfig } from '../config/config.ts'
import type { JoinGroupResponseMember } from '../protocol/11-join-group.ts'

/** The states of Kafka's classic group protocol, spelled as DescribeGroups reports them. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export interface GroupConfig {
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  sessionTimeoutMinMs: number
  sessionTimeoutMaxMs: number
  /** group.initial.rebalance.delay.ms: wait this long for more members before the first generation. */
  initialRebalanceDelayMs: number
  /** offsets.retention.minutes, in ms. */
  offsetsRetentionMs: number
  /** offsets.topic.num.partitions, used when the internal topic is created. */
  offsetsTopicPartitions: number
  /**
   * log.retention.ms as it applies to __consumer_offsets (-1: forever). The topic is not
   * compacted, so live entries are rewritten before retention could delete their segment.
   */
  offsetsTopicRetentionMs: number
}

export function groupConfigFrom (config: BrokerConfig): GroupConfig {
  return {
    sessionTimeoutMinMs: config.int('group.min.session.timeout.ms'),
    sessionTimeoutMaxMs: config.int('group.max.session.timeout.ms'),
    initialRebalanceDelayMs: config.int('group.initial.rebalance.delay.ms'),
    offsetsRetentionMs: config.int('offsets.retention.minutes') * 60_000,
    offsetsTopicPartitions: config.int('offsets.topic.num.partitions'),
    offsetsTopicRetentionMs: config.int('log.retention.ms'),
  }
}

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolName: string
  leader: string
  memberId: string
  /** Filled for the leader only: every member's metadata for the chosen protocol. */
  members: JoinGroupResponseMember[]
}

export interface SyncResult {
  errorCode: number
  assignment: Buffer
}

export interface MemberProtocol {
  name: string
  metadata: Buffer
}

export const EMPTY_BYTES = Buffer.alloc(0)

const MiB = 1024 * 1024

/** Longest group id accepted (characters); longer ids get INVALID_GROUP_ID. */
export const GROUP_ID_LENGTH_MAX = 1024
/** Longest member or group instance id accepted; longer ones are unknown by definition. */
export const MEMBER_ID_LENGTH_MAX = 1024
/** How much of the client id goes into a generated member id. */
export const MEMBER_ID_CLIENT_PREFIX_MAX = 64
/** Protocols one member may offer in a JoinGroup. */
export const PROTOCOLS_PER_MEMBER_MAX = 64
export const PROTOCOL_NAME_LENGTH_MAX = 256
/** Sum of a member's protocol metadata bytes (subscriptions are small; 1 MiB is generous). */
export const MEMBER_METADATA_BYTES_MAX = 1 * MiB
/** One member's assignment bytes in a SyncGroup from the leader. */
export const ASSIGNMENT_BYTES_MAX = 1 * MiB
/** Members (joined and pending) of one group; more get GROUP_MAX_SIZE_REACHED. */
export const MEMBERS_PER_GROUP_MAX = 1000
/** Groups held by this coordinator; past it new groups get COORDINATOR_NOT_AVAILABLE. */
export const GROUPS_MAX = 100_000
/** Kafka's offset.metadata.max.bytes default: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
export const OFFSET_METADATA_LENGTH_MAX = 4096
