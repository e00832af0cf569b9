// Who may commit offsets for a group, what OffsetFetch answers, and which committed offsets
// have outlived offsets.retention.minutes. Pure functions over a Group; the coordinator does
// the writing.
//
// Commit rules (Kafka's, with one documented choice):
//   - generation -1, empty member id, no instance id: a "simple" commit from a consumer that
//     uses assign(); allowed while the group has no members (kcat, the chaos harness).
//   - otherwise the member must be known (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) and its
//     generation current (ILLEGAL_GENERATION).
//   - PreparingRebalance: members of the current generation may still commit. They own their
//     partitions until they rejoin, and eager consumers commit exactly then; refusing would
//     make the next owner re-consume what was already processed.
//   - CompletingRebalance: REBALANCE_IN_PROGRESS for members of the new generation and of
//     the one just ended (the rebalance is not finished; they rejoin or wait for SyncGroup).
//     Older generations get ILLEGAL_GENERATION.

import { ErrorCode } from '../protocol/errors.ts'
import type { OffsetFetchRequestTopic, OffsetFetchResponseTopic } from '../protocol/09-offset-fetch.ts'
import type { Group } from './group.ts'

export interface CommitParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export interface CommitEntry {
  topic: string
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string | null
}

export function isSimpleCommit (p: CommitParams): boolean {
  return p.generationId < 0 && p.memberId === '' && p.groupInstanceId === null
}

/** NONE if the commit may be written; also counts as a heartbeat from a valid member. */
export function commitError (group: Group, p: CommitParams, nowMs: number): number {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (isSimpleCommit(p)) return group.members.size > 0 ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE
  const error = group.memberError(p.memberId, p.groupInstanceId)
  if (error !== ErrorCode.NONE) return error
  if (group.state === 'CompletingRebalance' && (p.generationId === group.generationId || p.generationId === group.generationId - 1)) {
    return ErrorCode.REBALANCE_IN_PROGRESS
  }
  if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  group.members.get(p.memberId)!.lastHeartbeatMs = nowMs
  return ErrorCode.NONE
}

/** A partition nobody committed answers offset -1 and no error, as in Kafka. */
export function fetchOffsets (group: Group | undefined, topics: readonly OffsetFetchRequestTopic[] | null): OffsetFetchResponseTopic[] {
  const answer = (topic: string, partitionIndex: number): OffsetFetchResponseTopic['partitions'][number] => {
    const committed = group?.offset(topic, partitionIndex)
    return {
      partitionIndex,
      committedOffset: committed?.offset ?? -1,
      committedLeaderEpoch: committed?.leaderEpoch ?? -1,
      metadata: committed?.metadata ?? '',
      errorCode: ErrorCode.NONE,
    }
  }
  if (topics !== null) return topics.map(t => ({ name: t.name, partitions: t.partitionIndexes.map(p => answer(t.name, p)) }))
  if (group === undefined) return []
  return [...group.offsets].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()].sort((a, b) => a - b).map(p => answer(name, p)) }))
}

/** A group whose offsets may expire: no members, no handshake under way, nothing being written. */
export function isExpirable (group: Group): boolean {
  return group.state === 'Empty' && group.members.size === 0 && group.pendingMembers.size === 0 && group.pendingCommits === 0
}

/**
 * Offsets to drop (KIP-211): only a group without members loses offsets, each once the
 * retention has passed both since the group became empty and since its last commit. A
 * group that only stores offsets (no protocol) counts from each commit.
 */
export function expiredOffsets (group: Group, nowMs: number, retentionMs: number): Array<{ topic: string, partition: number }> {
  if (!isExpirable(group)) return []
  const expired: Array<{ topic: string, partition: number }> = []
  for (const [topic, partitions] of group.offsets) {
    for (const [partition, committed] of partitions) {
      const sinceMs = group.protocolType === null ? committed.commitTimestampMs : Math.max(group.stateSinceMs, committed.commitTimestampMs)
      if (nowMs - sinceMs >= retentionMs) expired.push({ topic, partition })
    }
  }
  return expired
}
