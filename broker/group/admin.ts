// Admin operations on groups: DeleteGroups and OffsetDelete. Both write tombstones to
// __consumer_offsets (as offset expiry in retention.ts does), so a restart does not bring
// back what was deleted. Memory changes first, then the tombstones are appended: a commit
// arriving meanwhile is written after them and wins, as it would in Kafka.

import { ErrorCode } from '../protocol/errors.ts'
import { decodeConsumerSubscription } from '../protocol/consumer-protocol.ts'
import type { Group } from './group.ts'
import { storeErrorCode } from './offsets-store.ts'
import type { Housekeeping } from './retention.ts'

/** DeleteGroups for one group: only an empty (or offsets-only) group may go. */
export async function deleteGroup (h: Housekeeping, groupId: string, nowMs: number): Promise<number> {
  const group = h.groups.get(groupId)
  if (group === undefined || group.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND
  if (group.state !== 'Empty' || group.members.size > 0 || group.pendingMembers.size > 0) return ErrorCode.NON_EMPTY_GROUP
  const tombstones = [...group.offsets].flatMap(([topic, partitions]) => [...partitions.keys()].map(partition => ({ topic, partition, value: null })))
  group.transitionTo('Dead', nowMs)
  h.groups.delete(groupId)
  try {
    await h.store.appendRecords(groupId, tombstones, null)
    return ErrorCode.NONE
  } catch (err) {
    h.log(`deleting group ${groupId} failed to write its tombstones (it comes back after a restart): ${(err as Error).message}`)
    return storeErrorCode(err)
  }
}

/** Topics some member of the group is subscribed to (from the consumer protocol's subscription). */
function subscribedTopics (group: Group): Set<string> {
  const topics = new Set<string>()
  if (group.protocolType !== 'consumer') return topics
  for (const member of group.members.values()) {
    try {
      for (const topic of decodeConsumerSubscription(member.metadataFor(group.protocolName ?? '')).topics) topics.add(topic)
    } catch {
      // Metadata this broker cannot read: count none of its topics as subscribed.
    }
  }
  return topics
}

export interface OffsetDeleteResult {
  errorCode: number
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }>
}

/** OffsetDelete: drops the named offsets unless a live member consumes their topic. */
export async function deleteOffsets (h: Housekeeping, groupId: string, topics: ReadonlyArray<{ name: string, partitionIndexes: number[] }>): Promise<OffsetDeleteResult> {
  const group = h.groups.get(groupId)
  if (group === undefined || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
  const subscribed = subscribedTopics(group)
  const tombstones: Array<{ topic: string, partition: number, value: null }> = []
  const results = topics.map(t => ({
    name: t.name,
    partitions: t.partitionIndexes.map(partitionIndex => {
      if (subscribed.has(t.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
      if (group.offset(t.name, partitionIndex) !== undefined) {
        group.deleteOffset(t.name, partitionIndex)
        tombstones.push({ topic: t.name, partition: partitionIndex, value: null })
      }
      return { partitionIndex, errorCode: ErrorCode.NONE }
    }),
  }))
  if (tombstones.length === 0) return { errorCode: ErrorCode.NONE, topics: results }
  try {
    await h.store.appendRecords(groupId, tombstones)
    return { errorCode: ErrorCode.NONE, topics: results }
  } catch (err) {
    h.log(`deleting offsets of group ${groupId} failed to write tombstones (they come back after a restart): ${(err as Error).message}`)
    return { errorCode: storeErrorCode(err), topics: [] }
  }
}
