// ListOffsets v1-5 (flexible from v6; this codec handles up to v10). v0 returned a list
// of old-style offsets and is not supported. Timestamp -1 asks for the latest offset
// (high watermark, or last stable offset under read_committed), -2 for the earliest.
//
//   ListOffsetsRequest => replica_id isolation_level [topics] timeout_ms
//     replica_id => INT32
//     isolation_level => INT8 (v2+)
//     topics => name [partitions]
//       name => STRING
//       partitions => partition_index current_leader_epoch timestamp
//         partition_index => INT32
//         current_leader_epoch => INT32 (v4+, default -1)
//         timestamp => INT64
//     timeout_ms => INT32 (v10+)
//
//   ListOffsetsResponse => throttle_time_ms [topics]
//     throttle_time_ms => INT32 (v2+)
//     topics => name [partitions]
//       name => STRING
//       partitions => partition_index error_code timestamp offset leader_epoch
//         partition_index => INT32
//         error_code => INT16
//         timestamp => INT64 (default -1)
//         offset => INT64 (default -1)
//         leader_epoch => INT32 (v4+, default -1)

import { type ApiCodec, readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'

const FLEXIBLE_VERSION = 6

export const ListOffsetsTimestamp = { latest: -1, earliest: -2 } as const

export interface ListOffsetsPartitionRequest {
  partitionIndex: number
  currentLeaderEpoch: number
  /** Ms since the epoch, or a ListOffsetsTimestamp sentinel. */
  timestamp: number
}

export interface ListOffsetsTopicRequest {
  name: string
  partitions: ListOffsetsPartitionRequest[]
}

export interface ListOffsetsRequest {
  replicaId: number
  isolationLevel: number
  topics: ListOffsetsTopicRequest[]
  /** v10+ only. */
  timeoutMs?: number
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number
  errorCode: number
  timestamp: number
  offset: number
  leaderEpoch: number
}

export interface ListOffsetsTopicResponse {
  name: string
  partitions: ListOffsetsPartitionResponse[]
}

export interface ListOffsetsResponse {
  throttleTimeMs: number
  topics: ListOffsetsTopicResponse[]
}

const TIMEOUT_MS_DEFAULT = 30_000

export const ListOffsets: ApiCodec<ListOffsetsRequest, ListOffsetsResponse> = {
  key: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 5,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    w.writeInt32(req.replicaId)
    if (version >= 2) w.writeInt8(req.isolationLevel)
    writeArr(w, flexible, req.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex)
        if (version >= 4) w.writeInt32(p.currentLeaderEpoch)
        w.writeInt64(p.timestamp)
        writeTags(w, flexible)
      })
      writeTags(w, flexible)
    })
    if (version >= 10) w.writeInt32(req.timeoutMs ?? TIMEOUT_MS_DEFAULT)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const replicaId = r.readInt32()
    const isolationLevel = version >= 2 ? r.readInt8() : 0
    const topics = readArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const partitions = readArr(r, flexible, r => {
        const partitionIndex = r.readInt32()
        const currentLeaderEpoch = version >= 4 ? r.readInt32() : -1
        const timestamp = r.readInt64()
        readTags(r, flexible)
        return { partitionIndex, currentLeaderEpoch, timestamp }
      })
      readTags(r, flexible)
      return { name, partitions }
    })
    const req: ListOffsetsRequest = { replicaId, isolationLevel, topics }
    if (version >= 10) req.timeoutMs = r.readInt32()
    readTags(r, flexible)
    return req
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 2) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flexible, res.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt64(p.timestamp).writeInt64(p.offset)
        if (version >= 4) w.writeInt32(p.leaderEpoch)
        writeTags(w, flexible)
      })
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 2 ? r.readInt32() : 0
    const topics = readArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const partitions = readArr(r, flexible, r => {
        const partitionIndex = r.readInt32()
        const errorCode = r.readInt16()
        const timestamp = r.readInt64()
        const offset = r.readInt64()
        const leaderEpoch = version >= 4 ? r.readInt32() : -1
        readTags(r, flexible)
        return { partitionIndex, errorCode, timestamp, offset, leaderEpoch }
      })
      readTags(r, flexible)
      return { name, partitions }
    })
    readTags(r, flexible)
    return { throttleTimeMs, topics }
  },
}
