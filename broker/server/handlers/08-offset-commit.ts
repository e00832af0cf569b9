// OffsetCommit v0-7. Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION and
// metadata past offset.metadata.max.bytes (4096) OFFSET_METADATA_TOO_LARGE; the rest go to
// the coordinator as one record batch in one append, so they share one answer: NONE once
// the batch is in __consumer_offsets, or the group's error (ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ...) with nothing written. Generation -1 with
// no member id is a simple commit from an assign() consumer, allowed while the group has
// no members. retention_time_ms (v2-4) is ignored: offsets.retention.minutes applies.

import { ErrorCode } from '../../protocol/errors.ts'
import { OffsetCommit, type OffsetCommitResponsePartition, type OffsetCommitResponseTopic } from '../../protocol/08-offset-commit.ts'
import type { CommitEntry } from '../../group/commits.ts'
import { OFFSET_METADATA_LENGTH_MAX } from '../../group/types.ts'
import { defineHandler } from '../handler.ts'

export const offsetCommitHandler = defineHandler(OffsetCommit, async ({ broker }, request) => {
  const entries: CommitEntry[] = []
  const accepted: OffsetCommitResponsePartition[] = []
  const topics: OffsetCommitResponseTopic[] = request.topics.map(topic => ({
    name: topic.name,
    partitions: topic.partitions.map(p => {
      let errorCode: number = ErrorCode.NONE
      if (broker.partition(topic.name, p.partitionIndex) === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      else if (p.committedMetadata !== null && p.committedMetadata.length > OFFSET_METADATA_LENGTH_MAX) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE
      const result = { partitionIndex: p.partitionIndex, errorCode }
      if (errorCode === ErrorCode.NONE) {
        entries.push({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })
        accepted.push(result)
      }
      return result
    }),
  }))
  const groupError = await broker.groups.commitOffsets(request, entries)
  for (const result of accepted) result.errorCode = groupError
  return { throttleTimeMs: 0, topics }
})
