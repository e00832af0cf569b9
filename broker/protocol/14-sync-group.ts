// SyncGroup v0-3 (flexible from v4). Every client sends v3 to us; the minimum must stay 0
// for librdkafka.
//
//   Request v0-2 => group_id string, generation_id int32, member_id string,
//                   assignments [member_id string, assignment bytes]
//   Request v3   => v0 + group_instance_id nullable_string after member_id
//   Request v4   => v3 with compact encodings and tagged fields
//   Response v0   => error_code int16, assignment bytes
//   Response v1-3 => throttle_time_ms int32, error_code int16, assignment bytes
//
// Only the leader sends assignments; followers send an empty list and wait. The bytes are
// opaque here (see consumer-protocol.ts); an error answer carries empty assignment bytes.

import {
  type ApiCodec, readArr, readNullableBuf, readNullableStr, readStr, readTags,
  writeArr, writeNullableBuf, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'

export interface SyncGroupRequestAssignment {
  memberId: string
  assignment: Buffer
}

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  /** null before v3. */
  groupInstanceId: string | null
  assignments: SyncGroupRequestAssignment[]
}

export interface SyncGroupResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
  assignment: Buffer
}

const FLEXIBLE_VERSION = 4

/** bytes / compact_bytes: never null in this API, so a null from a client reads as empty. */
function readBytes (r: Reader, flex: boolean): Buffer {
  return readNullableBuf(r, flex) ?? EMPTY_BYTES
}

const EMPTY_BYTES = Buffer.alloc(0)

export const SyncGroup: ApiCodec<SyncGroupRequest, SyncGroupResponse> = {
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    w.writeInt32(req.generationId)
    writeStr(w, flex, req.memberId)
    if (version >= 3) writeNullableStr(w, flex, req.groupInstanceId)
    writeArr(w, flex, req.assignments, (w, a) => {
      writeStr(w, flex, a.memberId)
      writeNullableBuf(w, flex, a.assignment)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const generationId = r.readInt32()
    const memberId = readStr(r, flex)
    const groupInstanceId = version >= 3 ? readNullableStr(r, flex) : null
    const assignments = readArr(r, flex, r => {
      const memberId = readStr(r, flex)
      const assignment = readBytes(r, flex)
      readTags(r, flex)
      return { memberId, assignment }
    })
    readTags(r, flex)
    return { groupId, generationId, memberId, groupInstanceId, assignments }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    writeNullableBuf(w, flex, res.assignment)
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const assignment = readBytes(r, flex)
    readTags(r, flex)
    return { throttleTimeMs, errorCode, assignment }
  },
}
