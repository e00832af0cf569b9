// ListGroups v0-2 (flexible from v3). Used by admin clients and our own tests.
//
//   Request v0-2 => (empty)
//   Request v3   => tagged fields only (states_filter arrives in v4, which we do not offer)
//   Response v0   => error_code int16, groups [group_id string, protocol_type string]
//   Response v1-2 => throttle_time_ms int32, then v0
//
// protocol_type is "consumer" for consumer groups and "" for groups that only commit offsets.

import { type ApiCodec, readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'

/** The request has no fields in the versions we offer. */
export type ListGroupsRequest = Record<string, never>

export interface ListedGroup {
  groupId: string
  protocolType: string
}

export interface ListGroupsResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
  groups: ListedGroup[]
}

const FLEXIBLE_VERSION = 3

export const ListGroups: ApiCodec<ListGroupsRequest, ListGroupsResponse> = {
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version) {
    writeTags(w, version >= FLEXIBLE_VERSION)
  },

  decodeRequest (r, version) {
    readTags(r, version >= FLEXIBLE_VERSION)
    return {}
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    writeArr(w, flex, res.groups, (w, g) => {
      writeStr(w, flex, g.groupId)
      writeStr(w, flex, g.protocolType)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const groups = readArr(r, flex, r => {
      const groupId = readStr(r, flex)
      const protocolType = readStr(r, flex)
      readTags(r, flex)
      return { groupId, protocolType }
    })
    readTags(r, flex)
    return { throttleTimeMs, errorCode, groups }
  },
}
