// DescribeGroups v0-4 (flexible from v5). kafkajs sends v2, platformatic v4.
//
//   Request v0-2 => groups [string]
//   Request v3-4 => groups [string], include_authorized_operations boolean
//   Request v5   => v4 with compact encodings and tagged fields
//   Response v0   => groups [error_code int16, group_id string, group_state string,
//                    protocol_type string, protocol_data string, members [member_id string,
//                    client_id string, client_host string, member_metadata bytes,
//                    member_assignment bytes]]
//   Response v1-2 => throttle_time_ms int32, then v0
//   Response v3   => v1 + groups[].authorized_operations int32 after members
//   Response v4   => v3 + members[].group_instance_id nullable_string after member_id
//
// An unknown group is described, not refused: error NONE with state "Dead" and no members.
// Kafka fills member metadata and assignment only while the group is Stable.

import {
  type ApiCodec, readArr, readNullableBuf, readNullableStr, readStr, readStrArr, readTags,
  writeArr, writeNullableBuf, writeNullableStr, writeStr, writeStrArr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

/** authorized_operations when the client did not ask for them (Kafka's INT32_MIN). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface DescribeGroupsRequest {
  groups: string[]
  /** false before v3. */
  includeAuthorizedOperations: boolean
}

export interface DescribedGroupMember {
  memberId: string
  /** null before v4. */
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  memberMetadata: Buffer
  memberAssignment: Buffer
}

export interface DescribedGroup {
  errorCode: number
  groupId: string
  groupState: string
  protocolType: string
  /** The chosen protocol's name (for consumers, the assignor). */
  protocolData: string
  members: DescribedGroupMember[]
  /** AUTHORIZED_OPERATIONS_OMITTED before v3. */
  authorizedOperations: number
}

export interface DescribeGroupsResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  groups: DescribedGroup[]
}

const FLEXIBLE_VERSION = 5

/** bytes / compact_bytes: never null in this API, so a null from a client reads as empty. */
function readBytes (r: Reader, flex: boolean): Buffer {
  return readNullableBuf(r, flex) ?? EMPTY_BYTES
}

const EMPTY_BYTES = Buffer.alloc(0)

function writeMember (w: Writer, version: number, m: DescribedGroupMember): void {
  const flex = version >= FLEXIBLE_VERSION
  writeStr(w, flex, m.memberId)
  if (version >= 4) writeNullableStr(w, flex, m.groupInstanceId)
  writeStr(w, flex, m.clientId)
  writeStr(w, flex, m.clientHost)
  writeNullableBuf(w, flex, m.memberMetadata)
  writeNullableBuf(w, flex, m.memberAssignment)
  writeTags(w, flex)
}

function readMember (r: Reader, version: number): DescribedGroupMember {
  const flex = version >= FLEXIBLE_VERSION
  const memberId = readStr(r, flex)
  const groupInstanceId = version >= 4 ? readNullableStr(r, flex) : null
  const clientId = readStr(r, flex)
  const clientHost = readStr(r, flex)
  const memberMetadata = readBytes(r, flex)
  const memberAssignment = readBytes(r, flex)
  readTags(r, flex)
  return { memberId, groupInstanceId, clientId, clientHost, memberMetadata, memberAssignment }
}

function writeGroup (w: Writer, version: number, g: DescribedGroup): void {
  const flex = version >= FLEXIBLE_VERSION
  w.writeInt16(g.errorCode)
  writeStr(w, flex, g.groupId)
  writeStr(w, flex, g.groupState)
  writeStr(w, flex, g.protocolType)
  writeStr(w, flex, g.protocolData)
  writeArr(w, flex, g.members, (w, m) => { writeMember(w, version, m) })
  if (version >= 3) w.writeInt32(g.authorizedOperations)
  writeTags(w, flex)
}

function readGroup (r: Reader, version: number): DescribedGroup {
  const flex = version >= FLEXIBLE_VERSION
  const errorCode = r.readInt16()
  const groupId = readStr(r, flex)
  const groupState = readStr(r, flex)
  const protocolType = readStr(r, flex)
  const protocolData = readStr(r, flex)
  const members = readArr(r, flex, r => readMember(r, version))
  const authorizedOperations = version >= 3 ? r.readInt32() : AUTHORIZED_OPERATIONS_OMITTED
  readTags(r, flex)
  return { errorCode, groupId, groupState, protocolType, protocolData, members, authorizedOperations }
}

export const DescribeGroups: ApiCodec<DescribeGroupsRequest, DescribeGroupsResponse> = {
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStrArr(w, flex, req.groups)
    if (version >= 3) w.writeBoolean(req.includeAuthorizedOperations)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groups = readStrArr(r, flex)
    const includeAuthorizedOperations = version >= 3 ? r.readBoolean() : false
    readTags(r, flex)
    return { groups, includeAuthorizedOperations }
  },

  encodeResponse (w, version, res) {
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    writeArr(w, version >= FLEXIBLE_VERSION, res.groups, (w, g) => { writeGroup(w, version, g) })
    writeTags(w, version >= FLEXIBLE_VERSION)
  },

  decodeResponse (r, version) {
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const groups = readArr(r, version >= FLEXIBLE_VERSION, r => readGroup(r, version))
    readTags(r, version >= FLEXIBLE_VERSION)
    return { throttleTimeMs, groups }
  },
}
