// OffsetFetch v0-5. A partition the group never committed answers offset -1 and no error;
// null topics (v2+) ask for everything the group committed. Group-level errors
// (INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE) go in error_code from v2; before v2 each
// requested partition carries them.

import { ErrorCode } from '../../protocol/errors.ts'
import { OffsetFetch } from '../../protocol/09-offset-fetch.ts'
import { defineHandler } from '../handler.ts'

export const offsetFetchHandler = defineHandler(OffsetFetch, ({ broker }, request, version) => {
  const { errorCode, topics } = broker.groups.fetchOffsets(request.groupId, request.topics)
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
