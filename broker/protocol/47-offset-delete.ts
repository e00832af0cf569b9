// OffsetDelete v0 (no flexible version exists). platformatic's admin.deleteConsumerGroupOffsets.
// Deletes committed offsets of partitions the group does not consume right now: a topic a
// live member is subscribed to answers GROUP_SUBSCRIBED_TO_TOPIC for its partitions.
//
//   Request  => group_id string, topics [name string, partitions [partition_index int32]]
//   Response => error_code int16, throttle_time_ms int32,
//               topics [name string, partitions [partition_index int32, error_code int16]]

import { type ApiCodec, readInt32Arr, writeInt32Arr } from './api.ts'

export interface OffsetDeleteRequest {
  groupId: string
  topics: Array<{ name: string, partitionIndexes: number[] }>
}

export interface OffsetDeleteResponse {
  /** Group-level error; the partitions carry their own. */
  errorCode: number
  throttleTimeMs: number
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }>
}

/** OffsetDelete has no flexible version; this is past any version Kafka defines. */
const NEVER_FLEXIBLE = 0x7fff

export const OffsetDelete: ApiCodec<OffsetDeleteRequest, OffsetDeleteResponse> = {
  key: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  flexibleVersion: NEVER_FLEXIBLE,

  encodeRequest (w, _version, req) {
    w.writeString(req.groupId)
    w.writeArray(req.topics, (w, t) => {
      w.writeString(t.name)
      // Each partition is a struct of one int32 field, which is the same bytes as an int32 array.
      writeInt32Arr(w, false, t.partitionIndexes)
    })
  },

  decodeRequest (r) {
    const groupId = r.readString()
    const topics = r.readArray(r => ({ name: r.readString(), partitionIndexes: readInt32Arr(r, false) }))
    return { groupId, topics }
  },

  encodeResponse (w, _version, res) {
    w.writeInt16(res.errorCode).writeInt32(res.throttleTimeMs)
    w.writeArray(res.topics, (w, t) => {
      w.writeString(t.name)
      w.writeArray(t.partitions, (w, p) => { w.writeInt32(p.partitionIndex).writeInt16(p.errorCode) })
    })
  },

  decodeResponse (r) {
    const errorCode = r.readInt16()
    const throttleTimeMs = r.readInt32()
    const topics = r.readArray(r => ({
      name: r.readString(),
      partitions: r.readArray(r => ({ partitionIndex: r.readInt32(), errorCode: r.readInt16() })),
    }))
    return { errorCode, throttleTimeMs, topics }
  },
}
