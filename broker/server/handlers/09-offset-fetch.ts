// OffsetFetch v0-8. A partition the group never committed answers offset -1 and no error;
// null topics (v2+) ask for everything the group committed, and so does an empty topic
// list from v6 on (clients of the flexible versions send [] for "all"). v8 asks for several
// groups at once, each answered with its own error code. Group-level errors
// (INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE) go in error_code from v2; before v2 each
// requested partition carries them. require_stable (v7+) needs no waiting: commits are
// applied only once written, and transactions do not exist yet.

import { ErrorCode } from '../../protocol/errors.ts'
import { OffsetFetch, type OffsetFetchRequestTopic, type OffsetFetchResponseGroup } from '../../protocol/09-offset-fetch.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

const ALL_TOPICS_WHEN_EMPTY_VERSION = 6
/** Groups one v8 request may name; more are refused rather than walked. */
const GROUPS_PER_REQUEST_MAX = 1000

function fetchGroup (broker: Broker, groupId: string, topics: OffsetFetchRequestTopic[] | null, version: number): OffsetFetchResponseGroup {
  const asked = version >= ALL_TOPICS_WHEN_EMPTY_VERSION && topics !== null && topics.length === 0 ? null : topics
  return { groupId, ...broker.groups.fetchOffsets(groupId, asked) }
}

export const offsetFetchHandler = defineHandler(OffsetFetch, ({ broker }, request, version) => {
  if (request.groups !== undefined) {
    const groups = request.groups.length > GROUPS_PER_REQUEST_MAX
      ? request.groups.map(g => ({ groupId: g.groupId, topics: [], errorCode: ErrorCode.INVALID_REQUEST }))
      : request.groups.map(g => fetchGroup(broker, g.groupId, g.topics, version))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [], groups }
  }
  const { errorCode, topics } = fetchGroup(broker, request.groupId, request.topics, version)
  if (errorCode === ErrorCode.NONE || version >= 2) return { throttleTimeMs: 0, errorCode, topics }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: (request.topics ?? []).map(t => ({
      name: t.name,
      partitions: t.partitionIndexes.map(partitionIndex => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
    })),
  }
})
