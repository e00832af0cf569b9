// ListGroups v0-4 (flexible from v3). Used by admin clients and our own tests.
//
//   Request v0-2 => (empty)
//   Request v3   => tagged fields only
//   Request v4   => states_filter [compact string], tagged fields
//   Response v0   => error_code int16, groups [group_id string, protocol_type string]
//   Response v1-3 => throttle_time_ms int32, then v0
//   Response v4   => v3 + group_state string per group
//
// protocol_type is "consumer" for consumer groups and "" for groups that only commit offsets.
// v5 (types_filter, group_type) belongs to the new consumer protocol, which we do not speak.

import { type ApiCodec, readArr, readStr, readStrArr, readTags, writeArr, writeStr, writeStrArr, writeTags } from './api.ts'

export interface ListGroupsRequest {
  /** v4+: only groups in one of these states; empty means every state. */
  statesFilter?: string[]
}

export interface ListedGroup {
  groupId: string
  protocolType: string
  /** v4+ only. */
  groupState?: string
}

export interface ListGroupsResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
  groups: ListedGroup[]
}

const FLEXIBLE_VERSION = 3
const STATES_VERSION = 4

export const ListGroups: ApiCodec<ListGroupsRequest, ListGroupsResponse> = {
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    if (version >= STATES_VERSION) writeStrArr(w, true, req.statesFilter ?? [])
    writeTags(w, version >= FLEXIBLE_VERSION)
  },

  decodeRequest (r, version) {
    const request: ListGroupsRequest = {}
    if (version >= STATES_VERSION) request.statesFilter = readStrArr(r, true)
    readTags(r, version >= FLEXIBLE_VERSION)
    return request
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    writeArr(w, flex, res.groups, (w, g) => {
      writeStr(w, flex, g.groupId)
      writeStr(w, flex, g.protocolType)
      if (version >= STATES_VERSION) writeStr(w, flex, g.groupState ?? '')
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const groups = readArr(r, flex, r => {
      const group: ListedGroup = { groupId: readStr(r, flex), protocolType: readStr(r, flex) }
      if (version >= STATES_VERSION) group.groupState = readStr(r, flex)
      readTags(r, flex)
      return group
    })
    readTags(r, flex)
    return { throttleTimeMs, errorCode, groups }
  },
}
