// OffsetCommit v0-7 (flexible from v8). kafkajs sends v5, librdkafka and platformatic v7.
// librdkafka only commits through the broker if our range includes a version <= 2.
//
//   Request v0   => group_id string, topics [name string, partitions [partition_index int32,
//                   committed_offset int64, committed_metadata nullable_string]]
//   Request v1   => group_id, generation_id int32, member_id string, topics [name, partitions
//                   [partition_index, committed_offset, commit_timestamp int64, committed_metadata]]
//   Request v2-4 => group_id, generation_id, member_id, retention_time_ms int64, topics [name,
//                   partitions [partition_index, committed_offset, committed_metadata]]
//   Request v5   => v2 without retention_time_ms
//   Request v6   => v5 + committed_leader_epoch int32 after committed_offset
//   Request v7   => v6 + group_instance_id nullable_string after member_id
//   Request v8   => v7 with compact encodings and tagged fields
//   Response v0-2 => topics [name string, partitions [partition_index int32, error_code int16]]
//   Response v3+  => throttle_time_ms int32, topics (as v0)
//
// Fields a version does not carry decode to Kafka's defaults (-1, '' or null), so the
// handler sees one shape whatever the client sent.

import {
  type ApiCodec, readArr, readNullableStr, readStr, readTags,
  writeArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'

export interface OffsetCommitRequestPartition {
  partitionIndex: number
  committedOffset: number
  /** -1 before v6. */
  committedLeaderEpoch: number
  /** v1 only; -1 elsewhere. Later versions let the broker stamp the commit time. */
  commitTimestamp: number
  committedMetadata: string | null
}

export interface OffsetCommitRequestTopic {
  name: string
  partitions: OffsetCommitRequestPartition[]
}

export interface OffsetCommitRequest {
  groupId: string
  /** -1 before v1 (a v0 commit comes from a client that manages no group). */
  generationId: number
  /** '' before v1. */
  memberId: string
  /** null before v7. */
  groupInstanceId: string | null
  /** v2-4 only; -1 means the broker's default retention. */
  retentionTimeMs: number
  topics: OffsetCommitRequestTopic[]
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number
  errorCode: number
}

export interface OffsetCommitResponseTopic {
  name: string
  partitions: OffsetCommitResponsePartition[]
}

export interface OffsetCommitResponse {
  /** 0 before v3. */
  throttleTimeMs: number
  topics: OffsetCommitResponseTopic[]
}

const FLEXIBLE_VERSION = 8

export const OffsetCommit: ApiCodec<OffsetCommitRequest, OffsetCommitResponse> = {
  key: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 7,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    if (version >= 1) {
      w.writeInt32(req.generationId)
      writeStr(w, flex, req.memberId)
    }
    if (version >= 7) writeNullableStr(w, flex, req.groupInstanceId)
    if (version >= 2 && version <= 4) w.writeInt64(req.retentionTimeMs)
    writeArr(w, flex, req.topics, (w, topic) => {
      writeStr(w, flex, topic.name)
      writeArr(w, flex, topic.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt64(p.committedOffset)
        if (version >= 6) w.writeInt32(p.committedLeaderEpoch)
        if (version === 1) w.writeInt64(p.commitTimestamp)
        writeNullableStr(w, flex, p.committedMetadata)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const generationId = version >= 1 ? r.readInt32() : -1
    const memberId = version >= 1 ? readStr(r, flex) : ''
    const groupInstanceId = version >= 7 ? readNullableStr(r, flex) : null
    const retentionTimeMs = version >= 2 && version <= 4 ? r.readInt64() : -1
    const topics = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const partitions = readArr(r, flex, r => {
        const partitionIndex = r.readInt32()
        const committedOffset = r.readInt64()
        const committedLeaderEpoch = version >= 6 ? r.readInt32() : -1
        const commitTimestamp = version === 1 ? r.readInt64() : -1
        const committedMetadata = readNullableStr(r, flex)
        readTags(r, flex)
        return { partitionIndex, committedOffset, committedLeaderEpoch, commitTimestamp, committedMetadata }
      })
      readTags(r, flex)
      return { name, partitions }
    })
    readTags(r, flex)
    return { groupId, generationId, memberId, groupInstanceId, retentionTimeMs, topics }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 3) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.topics, (w, topic) => {
      writeStr(w, flex, topic.name)
      writeArr(w, flex, topic.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt16(p.errorCode)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 3 ? r.readInt32() : 0
    const topics = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const partitions = readArr(r, flex, r => {
        const partitionIndex = r.readInt32()
        const errorCode = r.readInt16()
        readTags(r, flex)
        return { partitionIndex, errorCode }
      })
      readTags(r, flex)
      return { name, partitions }
    })
    readTags(r, flex)
    return { throttleTimeMs, topics }
  },
}
