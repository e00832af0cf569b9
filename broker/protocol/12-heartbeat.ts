// Heartbeat v0-3 (flexible from v4). Every client sends v3 to us; the minimum must stay 0
// for librdkafka.
//
//   Request v0-2 => group_id string, generation_id int32, member_id string
//   Request v3   => v0 + group_instance_id nullable_string
//   Request v4   => v3 with compact encodings and tagged fields
//   Response v0   => error_code int16
//   Response v1-3 => throttle_time_ms int32, error_code int16
//
// REBALANCE_IN_PROGRESS here is how a member learns it must rejoin.

import { type ApiCodec, readNullableStr, readStr, readTags, writeNullableStr, writeStr, writeTags } from './api.ts'

export interface HeartbeatRequest {
  groupId: string
  generationId: number
  memberId: string
  /** null before v3. */
  groupInstanceId: string | null
}

export interface HeartbeatResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
}

const FLEXIBLE_VERSION = 4

export const Heartbeat: ApiCodec<HeartbeatRequest, HeartbeatResponse> = {
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    w.writeInt32(req.generationId)
    writeStr(w, flex, req.memberId)
    if (version >= 3) writeNullableStr(w, flex, req.groupInstanceId)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const generationId = r.readInt32()
    const memberId = readStr(r, flex)
    const groupInstanceId = version >= 3 ? readNullableStr(r, flex) : null
    readTags(r, flex)
    return { groupId, generationId, memberId, groupInstanceId }
  },

  encodeResponse (w, version, res) {
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    writeTags(w, version >= FLEXIBLE_VERSION)
  },

  decodeResponse (r, version) {
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    readTags(r, version >= FLEXIBLE_VERSION)
    return { throttleTimeMs, errorCode }
  },
}
