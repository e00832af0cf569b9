// Consumer groups over the HTTP API, for curl users and the harness:
//
//   GET /groups         [{groupId, state, protocolType, protocol, members}]
//   GET /groups/{id}    state, generation, protocol, leader, members (client id and host,
//                       subscribed topics, assigned partitions) and committed offsets with
//                       lag = high watermark - committed offset
//
// Subscriptions and assignments are decoded with the consumer protocol when the group's
// protocol type is "consumer"; other types show their byte counts.

import { decodeConsumerAssignment, decodeConsumerSubscription, CONSUMER_PROTOCOL_TYPE, type TopicPartitions } from '../protocol/consumer-protocol.ts'
import type { Broker } from '../server/broker.ts'
import { HttpError } from '../server/http-error.ts'
import type { RouteExtension } from '../server/http-api.ts'
import type { Group } from './group.ts'
import type { Member } from './member.ts'

function describeMember (group: Group, member: Member): Record<string, unknown> {
  const base = {
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    clientId: member.clientId,
    clientHost: member.clientHost,
    sessionTimeoutMs: member.sessionTimeoutMs,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
  }
  const metadata = member.metadataFor(group.protocolName ?? member.protocols[0]?.name ?? '')
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { ...base, metadataBytes: metadata.length, assignmentBytes: member.assignment.length }
  let subscription: string[] | null = null
  let assignment: TopicPartitions[] | null = null
  try {
    subscription = metadata.length === 0 ? [] : decodeConsumerSubscription(metadata).topics
    assignment = decodeConsumerAssignment(member.assignment).assignedPartitions
  } catch (err) {
    return { ...base, subscription, assignment, decodeError: (err as Error).message }
  }
  return { ...base, subscription, assignment }
}

function describeOffsets (broker: Broker, group: Group): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = []
  for (const topic of [...group.offsets.keys()].sort()) {
    const partitions = group.offsets.get(topic)!
    for (const partition of [...partitions.keys()].sort((a, b) => a - b)) {
      const committed = partitions.get(partition)!
      const highWatermark = broker.partition(topic, partition)?.highWatermark ?? null
      const lag = highWatermark === null || committed.offset < 0 ? null : Math.max(0, highWatermark - committed.offset)
      rows.push({ topic, partition, committedOffset: committed.offset, metadata: committed.metadata, commitTimestampMs: committed.commitTimestampMs, highWatermark, lag })
    }
  }
  return rows
}

function describeGroup (broker: Broker, groupId: string): Record<string, unknown> {
  const group = broker.groups.get(groupId)
  if (group === undefined) {
    const known = [...broker.groups.groups()].length
    throw new HttpError(404, `unknown group "${groupId}": this broker coordinates ${known} group(s); GET /groups lists them`)
  }
  return {
    groupId,
    state: group.state,
    generationId: group.generationId,
    protocolType: group.protocolType ?? '',
    protocol: group.protocolName,
    leader: group.leaderId,
    members: [...group.members.values()].map(m => describeMember(group, m)),
    offsets: describeOffsets(broker, group),
  }
}

export const groupRoutes: RouteExtension = (broker, method, path) => {
  if (path[0] !== 'groups' || method !== 'GET' || path.length > 2) return undefined
  if (path.length === 1) {
    return Promise.resolve([...broker.groups.groups()].map(g => ({
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocol: g.protocolName,
      members: g.members.size,
    })))
  }
  return new Promise(resolve => resolve(describeGroup(broker, path[1]!)))
}
