// OffsetFetch v0-8 (flexible from v6). kafkajs sends v4, librdkafka v5 or higher,
// platformatic v8. librdkafka needs a version <= 1 in our range.
//
//   Request v0-1 => group_id string, topics [name string, partition_indexes [int32]]
//   Request v2-5 => as v0, but topics may be null, meaning every topic the group committed
//   Request v6   => v5 with compact encodings and tagged fields
//   Request v7   => v6 + require_stable boolean
//   Request v8   => groups [group_id, topics nullable [name, partition_indexes [int32]]], require_stable boolean
//   Response v0-1 => topics [name string, partitions [partition_index int32, committed_offset int64,
//                    metadata nullable_string, error_code int16]]
//   Response v2   => v0 + error_code int16 (group level) after topics
//   Response v3-4 => throttle_time_ms int32, topics, error_code
//   Response v5-7 => v3 + committed_leader_epoch int32 after committed_offset
//   Response v8   => throttle_time_ms, groups [group_id, topics (as v5), error_code]
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

export interface OffsetFetchRequestGroup {
  groupId: string
  /** null (v2+ only) asks for every topic the group has offsets for. */
  topics: OffsetFetchRequestTopic[] | null
}

/** v0-7 name one group in groupId/topics; v8 names several in `groups` (groupId '' and topics null then). */
export interface OffsetFetchRequest extends OffsetFetchRequestGroup {
  /** v7+; false before. */
  requireStable?: boolean
  /** v8+ only. */
  groups?: OffsetFetchRequestGroup[]
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

export interface OffsetFetchResponseGroup {
  groupId: string
  topics: OffsetFetchResponseTopic[]
  errorCode: number
}

export interface OffsetFetchResponse {
  /** 0 before v3. */
  throttleTimeMs: number
  /** v0-7; at v8, the one group's topics when a single group was asked for (else empty). */
  topics: OffsetFetchResponseTopic[]
  /** Group-level error; 0 before v2, where clients read errors per partition only. */
  errorCode: number
  /** v8+ only: one entry per requested group. */
  groups?: OffsetFetchResponseGroup[]
}

const FLEXIBLE_VERSION = 6
const REQUIRE_STABLE_VERSION = 7
const GROUPS_VERSION = 8

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

function readTopics (r: Reader, flex: boolean): OffsetFetchRequestTopic[] | null {
  return readNullableArr(r, flex, r => readTopic(r, flex))
}

function writeTopics (w: Writer, flex: boolean, topics: OffsetFetchRequestTopic[] | null): void {
  writeNullableArr(w, flex, topics, (w, topic) => { writeTopic(w, flex, topic) })
}

function writeResponseTopics (w: Writer, version: number, topics: readonly OffsetFetchResponseTopic[]): void {
  const flex = version >= FLEXIBLE_VERSION
  writeArr(w, flex, topics, (w, topic) => {
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
}

function readResponseTopics (r: Reader, version: number): OffsetFetchResponseTopic[] {
  const flex = version >= FLEXIBLE_VERSION
  const readPartition = (r: Reader): OffsetFetchResponsePartition => {
    const partitionIndex = r.readInt32()
    const committedOffset = r.readInt64()
    const committedLeaderEpoch = version >= 5 ? r.readInt32() : -1
    const metadata = readNullableStr(r, flex)
    const errorCode = r.readInt16()
    readTags(r, flex)
    return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode }
  }
  return readArr(r, flex, r => {
    const name = readStr(r, flex)
    const partitions = readArr(r, flex, readPartition)
    readTags(r, flex)
    return { name, partitions }
  })
}

export const OffsetFetch: ApiCodec<OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= GROUPS_VERSION) {
      // A caller that names one group the v0-7 way (groupId, topics) asks for that group.
      writeArr(w, flex, req.groups ?? [{ groupId: req.groupId, topics: req.topics }], (w, g) => {
        writeStr(w, flex, g.groupId)
        writeTopics(w, flex, g.topics)
        writeTags(w, flex)
      })
    } else {
      writeStr(w, flex, req.groupId)
      if (req.topics === null && version < 2) throw new RangeError(`OffsetFetch v${version} cannot ask for all topics`)
      writeTopics(w, flex, req.topics)
    }
    if (version >= REQUIRE_STABLE_VERSION) w.writeBoolean(req.requireStable ?? false)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= GROUPS_VERSION) {
      const groups = readArr(r, flex, r => {
        const groupId = readStr(r, flex)
        const topics = readTopics(r, flex)
        readTags(r, flex)
        return { groupId, topics }
      })
      const requireStable = r.readBoolean()
      readTags(r, flex)
      return { groupId: '', topics: null, requireStable, groups }
    }
    const groupId = readStr(r, flex)
    const topics = readTopics(r, flex)
    // Before v2 a null array is not part of the grammar; reading it as "all topics" would
    // answer a question the client never asked.
    if (topics === null && version < 2) throw new ProtocolError(`OffsetFetch v${version} with null topics`)
    const request: OffsetFetchRequest = { groupId, topics }
    if (version >= REQUIRE_STABLE_VERSION) request.requireStable = r.readBoolean()
    readTags(r, flex)
    return request
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 3) w.writeInt32(res.throttleTimeMs)
    if (version >= GROUPS_VERSION) {
      writeArr(w, flex, res.groups ?? [], (w, g) => {
        writeStr(w, flex, g.groupId)
        writeResponseTopics(w, version, g.topics)
        w.writeInt16(g.errorCode)
        writeTags(w, flex)
      })
    } else {
      writeResponseTopics(w, version, res.topics)
      if (version >= 2) w.writeInt16(res.errorCode)
    }
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 3 ? r.readInt32() : 0
    if (version >= GROUPS_VERSION) {
      const groups = readArr(r, flex, r => {
        const groupId = readStr(r, flex)
        const topics = readResponseTopics(r, version)
        const errorCode = r.readInt16()
        readTags(r, flex)
        return { groupId, topics, errorCode }
      })
      readTags(r, flex)
      // One group answered: also in the v0-7 places, so single-group callers read it as before.
      const only = groups.length === 1 ? groups[0]! : null
      return { throttleTimeMs, topics: only?.topics ?? [], errorCode: only?.errorCode ?? 0, groups }
    }
    const topics = readResponseTopics(r, version)
    const errorCode = version >= 2 ? r.readInt16() : 0
    readTags(r, flex)
    return { throttleTimeMs, topics, errorCode }
  },
}
