// LeaveGroup v0-3 (flexible from v4). kafkajs and platformatic send v3, librdkafka v1.
//
//   Request v0-2 => group_id string, member_id string
//   Request v3   => group_id string, members [member_id string, group_instance_id nullable_string]
//   Request v4   => v3 with compact encodings and tagged fields
//   Response v0   => error_code int16
//   Response v1-2 => throttle_time_ms int32, error_code int16
//   Response v3   => throttle_time_ms int32, error_code int16,
//                    members [member_id string, group_instance_id nullable_string, error_code int16]
//
// v3 turned one leaving member into a batch. The decoded request keeps both shapes:
// memberId is '' from v3 and members is [] before v3; `leavingMembers` gives one list.

import {
  type ApiCodec, readArr, readNullableStr, readStr, readTags,
  writeArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'

export interface LeaveGroupMember {
  memberId: string
  groupInstanceId: string | null
}

export interface LeaveGroupRequest {
  groupId: string
  /** v0-2 only; '' from v3. */
  memberId: string
  /** v3+ only; [] before v3. */
  members: LeaveGroupMember[]
}

export interface LeaveGroupResponseMember {
  memberId: string
  groupInstanceId: string | null
  errorCode: number
}

export interface LeaveGroupResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
  /** Per-member results, v3+ only; [] before v3. */
  members: LeaveGroupResponseMember[]
}

const FLEXIBLE_VERSION = 4

/** The members a request asks to remove, whichever version it came in. */
export function leavingMembers (request: LeaveGroupRequest, version: number): LeaveGroupMember[] {
  if (version >= 3) return request.members
  return [{ memberId: request.memberId, groupInstanceId: null }]
}

export const LeaveGroup: ApiCodec<LeaveGroupRequest, LeaveGroupResponse> = {
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    if (version <= 2) {
      writeStr(w, flex, req.memberId)
    } else {
      writeArr(w, flex, req.members, (w, m) => {
        writeStr(w, flex, m.memberId)
        writeNullableStr(w, flex, m.groupInstanceId)
        writeTags(w, flex)
      })
    }
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const memberId = version <= 2 ? readStr(r, flex) : ''
    const members = version <= 2
      ? []
      : readArr(r, flex, r => {
        const memberId = readStr(r, flex)
        const groupInstanceId = readNullableStr(r, flex)
        readTags(r, flex)
        return { memberId, groupInstanceId }
      })
    readTags(r, flex)
    return { groupId, memberId, members }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    if (version >= 3) {
      writeArr(w, flex, res.members, (w, m) => {
        writeStr(w, flex, m.memberId)
        writeNullableStr(w, flex, m.groupInstanceId)
        w.writeInt16(m.errorCode)
        writeTags(w, flex)
      })
    }
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const members = version < 3
      ? []
      : readArr(r, flex, r => {
        const memberId = readStr(r, flex)
        const groupInstanceId = readNullableStr(r, flex)
        const errorCode = r.readInt16()
        readTags(r, flex)
        return { memberId, groupInstanceId, errorCode }
      })
    readTags(r, flex)
    return { throttleTimeMs, errorCode, members }
  },
}
