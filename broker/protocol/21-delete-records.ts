// DeleteRecords v0-2 (flexible from v2). kafkajs sends v1 (admin.deleteTopicRecords),
// platformatic v2. Moves each partition's log start offset forward; offset -1 means the
// high watermark. Each partition answers its new low watermark or its own error.
//
//   Request  => topics [name string, partitions [partition_index int32, offset int64]], timeout_ms int32
//   Response => throttle_time_ms int32, topics [name string, partitions [partition_index int32,
//               low_watermark int64, error_code int16]]

import { type ApiCodec, readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'

export interface DeleteRecordsPartition {
  partitionIndex: number
  /** Delete everything before this offset; -1 means the high watermark. */
  offset: number
}

export interface DeleteRecordsTopic {
  name: string
  partitions: DeleteRecordsPartition[]
}

export interface DeleteRecordsRequest {
  topics: DeleteRecordsTopic[]
  timeoutMs: number
}

export interface DeleteRecordsPartitionResult {
  partitionIndex: number
  /** The partition's log start offset after the deletion; -1 with an error. */
  lowWatermark: number
  errorCode: number
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number
  topics: Array<{ name: string, partitions: DeleteRecordsPartitionResult[] }>
}

const FLEXIBLE_VERSION = 2

export const DeleteRecords: ApiCodec<DeleteRecordsRequest, DeleteRecordsResponse> = {
  key: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeArr(w, flex, req.topics, (w, t) => {
      writeStr(w, flex, t.name)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt64(p.offset)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    w.writeInt32(req.timeoutMs)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const readPartition = (r: Reader): DeleteRecordsPartition => {
      const partitionIndex = r.readInt32()
      const offset = r.readInt64()
      readTags(r, flex)
      return { partitionIndex, offset }
    }
    const topics = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const partitions = readArr(r, flex, readPartition)
      readTags(r, flex)
      return { name, partitions }
    })
    const timeoutMs = r.readInt32()
    readTags(r, flex)
    return { topics, timeoutMs }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.topics, (w, t) => {
      writeStr(w, flex, t.name)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt64(p.lowWatermark).writeInt16(p.errorCode)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const readPartition = (r: Reader): DeleteRecordsPartitionResult => {
      const partitionIndex = r.readInt32()
      const lowWatermark = r.readInt64()
      const errorCode = r.readInt16()
      readTags(r, flex)
      return { partitionIndex, lowWatermark, errorCode }
    }
    const topics = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const partitions = readArr(r, flex, readPartition)
      readTags(r, flex)
      return { name, partitions }
    })
    readTags(r, flex)
    return { throttleTimeMs, topics }
  },
}
