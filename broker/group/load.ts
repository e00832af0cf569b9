// Between memory and the records of __consumer_offsets: what a group's metadata record
// holds, and how replaying the topic at start rebuilds every group. Replay applies records
// in log order, so the last record for a key wins, as it did when it was written.

import type { Group } from './group.ts'
import { Member } from './member.ts'
import type { OffsetsRecord, StoredGroup } from './records.ts'
import { EMPTY_BYTES } from './types.ts'

/**
 * The group's metadata record. Members (with their subscription for the chosen protocol
 * and their assignment) are written only with `assignments`, i.e. when a generation's
 * assignment is decided; an Empty group has none.
 */
export function toStoredGroup (group: Group, assignments?: ReadonlyMap<string, Buffer>): StoredGroup {
  const protocolName = group.protocolName ?? ''
  return {
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    stateTimestampMs: group.stateSinceMs,
    members: assignments === undefined
      ? []
      : [...group.members.values()].map(m => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          sessionTimeoutMs: m.sessionTimeoutMs,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          subscription: m.metadataFor(protocolName),
          assignment: assignments.get(m.memberId) ?? EMPTY_BYTES,
        })),
  }
}

/** Applies one replayed record; `groupFor` finds or creates the group. */
export function applyRecord (record: OffsetsRecord, logOffset: number, timestampMs: number, groupFor: (groupId: string) => Group): void {
  const group = groupFor(record.groupId)
  if (record.kind === 'offset') {
    if (record.value === null) {
      const current = group.offset(record.topic, record.partition)
      if (current !== undefined && current.logOffset < logOffset) group.deleteOffset(record.topic, record.partition)
    } else {
      group.setOffset(record.topic, record.partition, { ...record.value, logOffset, writtenAtMs: timestampMs })
    }
    return
  }
  group.members.clear()
  group.staticMembers.clear()
  group.leaderId = null
  if (record.value === null) {
    // The group was removed; offsets written after the tombstone (if any) stay.
    group.protocolType = null
    group.protocolName = null
    group.generationId = 0
    group.metadataWrittenAtMs = Infinity
    group.restoreState('Empty', 0)
    return
  }
  const v = record.value
  group.protocolType = v.protocolType === '' ? null : v.protocolType
  group.generationId = v.generationId
  group.protocolName = v.protocolName
  group.metadataWrittenAtMs = timestampMs
  for (const m of v.members) {
    const member = new Member({ ...m, protocolType: v.protocolType, protocols: [{ name: v.protocolName ?? '', metadata: m.subscription }] }, 0)
    member.assignment = m.assignment
    group.add(member)
  }
  if (v.leaderId !== null && group.members.has(v.leaderId)) group.leaderId = v.leaderId
  group.restoreState(group.members.size > 0 && v.protocolName !== null ? 'Stable' : 'Empty', v.stateTimestampMs)
}

/**
 * After replay: restored members get one full session from now to come back (their
 * clients reconnect and heartbeat with their generation); groups left with nothing to keep
 * are dropped. Returns the groups to keep.
 */
export function finishReplay (groups: Iterable<Group>, nowMs: number): Group[] {
  const kept: Group[] = []
  for (const group of groups) {
    if (group.state === 'Empty') {
      group.members.clear()
      group.staticMembers.clear()
      group.leaderId = null
      if (group.offsetCount() === 0 && group.protocolType === null) continue
    }
    for (const member of group.members.values()) member.lastHeartbeatMs = nowMs
    kept.push(group)
  }
  return kept
}
