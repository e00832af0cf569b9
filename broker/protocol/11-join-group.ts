// JoinGroup v0-5 (flexible from v6). Every client sends v5 to us; the minimum must stay 0
// for librdkafka.
//
//   Request v0   => group_id string, session_timeout_ms int32, member_id string,
//                   protocol_type string, protocols [name string, metadata bytes]
//   Request v1-4 => v0 + rebalance_timeout_ms int32 after session_timeout_ms
//   Request v5   => v1 + group_instance_id nullable_string after member_id
//   Request v6   => v5 with compact encodings and tagged fields
//   Response v0-1 => error_code int16, generation_id int32, protocol_name string, leader string,
//                    member_id string, members [member_id string, metadata bytes]
//   Response v2-4 => throttle_time_ms int32, then v0
//   Response v5   => v2 + members[].group_instance_id nullable_string after member_id
//
// From v4 a first join with an empty member id may be answered MEMBER_ID_REQUIRED with a
// generated id in member_id; the client joins again with it. Only the leader gets a
// non-empty members list. The metadata bytes are opaque here (see consumer-protocol.ts).

import {
  type ApiCodec, readArr, readNullableBuf, readNullableStr, readStr, readTags,
  writeArr, writeNullableBuf, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'

export interface JoinGroupRequestProtocol {
  name: string
  metadata: Buffer
}

export interface JoinGroupRequest {
  groupId: string
  sessionTimeoutMs: number
  /** -1 before v1; the coordinator then uses sessionTimeoutMs instead. */
  rebalanceTimeoutMs: number
  /** '' on a member's first join. */
  memberId: string
  /** null before v5 and for dynamic members. */
  groupInstanceId: string | null
  protocolType: string
  protocols: JoinGroupRequestProtocol[]
}

export interface JoinGroupResponseMember {
  memberId: string
  /** null before v5. */
  groupInstanceId: string | null
  metadata: Buffer
}

export interface JoinGroupResponse {
  /** 0 before v2. */
  throttleTimeMs: number
  errorCode: number
  generationId: number
  protocolName: string
  leader: string
  memberId: string
  members: JoinGroupResponseMember[]
}

const FLEXIBLE_VERSION = 6

/** bytes / compact_bytes: never null in this API, so a null from a client reads as empty. */
function readBytes (r: Reader, flex: boolean): Buffer {
  return readNullableBuf(r, flex) ?? EMPTY_BYTES
}

const EMPTY_BYTES = Buffer.alloc(0)

export const JoinGroup: ApiCodec<JoinGroupRequest, JoinGroupResponse> = {
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.groupId)
    w.writeInt32(req.sessionTimeoutMs)
    if (version >= 1) w.writeInt32(req.rebalanceTimeoutMs)
    writeStr(w, flex, req.memberId)
    if (version >= 5) writeNullableStr(w, flex, req.groupInstanceId)
    writeStr(w, flex, req.protocolType)
    writeArr(w, flex, req.protocols, (w, p) => {
      writeStr(w, flex, p.name)
      writeNullableBuf(w, flex, p.metadata)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupId = readStr(r, flex)
    const sessionTimeoutMs = r.readInt32()
    const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1
    const memberId = readStr(r, flex)
    const groupInstanceId = version >= 5 ? readNullableStr(r, flex) : null
    const protocolType = readStr(r, flex)
    const protocols = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const metadata = readBytes(r, flex)
      readTags(r, flex)
      return { name, metadata }
    })
    readTags(r, flex)
    return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 2) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode).writeInt32(res.generationId)
    writeStr(w, flex, res.protocolName)
    writeStr(w, flex, res.leader)
    writeStr(w, flex, res.memberId)
    writeArr(w, flex, res.members, (w, m) => {
      writeStr(w, flex, m.memberId)
      if (version >= 5) writeNullableStr(w, flex, m.groupInstanceId)
      writeNullableBuf(w, flex, m.metadata)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 2 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const generationId = r.readInt32()
    const protocolName = readStr(r, flex)
    const leader = readStr(r, flex)
    const memberId = readStr(r, flex)
    const members = readArr(r, flex, r => {
      const memberId = readStr(r, flex)
      const groupInstanceId = version >= 5 ? readNullableStr(r, flex) : null
      const metadata = readBytes(r, flex)
      readTags(r, flex)
      return { memberId, groupInstanceId, metadata }
    })
    readTags(r, flex)
    return { throttleTimeMs, errorCode, generationId, protocolName, leader, memberId, members }
  },
}
