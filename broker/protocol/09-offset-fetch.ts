// OffsetFetch v0-5 (flexible from v6). kafkajs sends v4, librdkafka and platformatic v5.
// librdkafka needs a version <= 1 in our range.
//
//   Request v0-1 => group_id string, topics [name string, partition_indexes [int32]]
//   Request v2-5 => as v0, but topics may be null, meaning every topic the group committed
//   Request v6   => v5 with compact encodings and tagged fields
//   Response v0-1 => topics [name string, partitions [partition_index int32, committed_offset int64,
//                    metadata nullable_string, error_code int16]]
//   Response v2   => v0 + error_code int16 (group level) after topics
//   Response v3-4 => throttle_time_ms int32, topics, error_code
//   Response v5   => v3 + committed_leader_epoch int32 after committed_offset
//
// A partition with no committed offset answers committed_offset -1 and error NONE.

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import { ProtocolError, type Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export interface OffsetFetchRequestTopic {
  name: string
  partitionIndexes: number[]
}

export interface OffsetFetchRequest {
  groupId: string
  /** null (v2+ only) asks for every topic the group has offsets for. */
  topics: OffsetFetchRequestTopic[] | null
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number
  /** -1 when the group has no offset for this partition. */
  committedOffset: number
  /** -1 before v5 and when unknown. */
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}

export interface OffsetFetchResponseTopic {
  name: string
  partitions: OffsetFetchResponsePartition[]
}

export interface OffsetFetchResponse {
  /** 0 before v3. */
  throttleTimeMs: number
  topics: OffsetFetchResponseTopic[]
  /** Group-level error; 0 before v2, where clients read errors per partition only. */
  errorCode: number
}

const FLEXIBLE_VERSION = 6

function readTopic (r: Reader, flex: boolean): OffsetFetchRequestTopic {
  const name = readStr(r, flex)
  const partitionIndexes = readInt32Arr(r, flex)
  readTags(r, flex)
  return { name, partitionIndexes }
}

function writeTopic (w: Writer, flex: boolean, topic: OffsetFetchRequestTopic): void {
  writeStr(w, flex, topic.name)
  writeInt32Arr(w, flex, topic.partitionIndexes)
  writeTags(w, flex)
}

export const OffsetFetch: ApiCodec<OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 5,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    if (req.topics === null && version < 2) throw new RangeError(`OffsetFetch v${version} cannot ask for all topics`)
    const writeItem = (w: Writer, topic: OffsetFetchRequestTopic): void => { writeTopic(w, flex, topic) }
    writeNullableArr(w, flex, req.topics, writeItem)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const readItem = (r: Reader): OffsetFetchRequestTopic => readTopic(r, flex)
    const topics = readNullableArr(r, flex, readItem)
    // Before v2 a null array is not part of the grammar; reading it as "all topics" would
    // answer a question the client never asked.
    if (topics === null && version < 2) throw new ProtocolError(`OffsetFetch v${version} with null topics`)
    readTags(r, flex)
    return { groupId, topics }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 3) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.topics, (w, topic) => {
      writeStr(w, flex, topic.name)
      writeArr(w, flex, topic.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt64(p.committedOffset)
        if (version >= 5) w.writeInt32(p.committedLeaderEpoch)
        writeNullableStr(w, flex, p.metadata)
        w.writeInt16(p.errorCode)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    if (version >= 2) w.writeInt16(res.errorCode)
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 3 ? r.readInt32() : 0
    const readPartition = (r: Reader): OffsetFetchResponsePartition => {
      const partitionIndex = r.readInt32()
      const committedOffset = r.readInt64()
      const committedLeaderEpoch = version >= 5 ? r.readInt32() : -1
      const metadata = readNullableStr(r, flex)
      const errorCode = r.readInt16()
      readTags(r, flex)
      return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode }
    }
    const readTopicResult = (r: Reader): OffsetFetchResponseTopic => {
      const name = readStr(r, flex)
      const partitions = readArr(r, flex, readPartition)
      readTags(r, flex)
      return { name, partitions }
    }
    const topics = readArr(r, flex, readTopicResult)
    const errorCode = version >= 2 ? r.readInt16() : 0
    readTags(r, flex)
    return { throttleTimeMs, topics, errorCode }
  },
}
