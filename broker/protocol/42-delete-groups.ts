// DeleteGroups v0-2 (flexible from v2). kafkajs sends v1 (admin.deleteGroups), platformatic
// v2. A group can be deleted only while it has no members (GROUP_NOT_EMPTY otherwise);
// deleting drops its committed offsets too.
//
//   Request  => groups_names [string]
//   Response => throttle_time_ms int32, results [group_id string, error_code int16]

import { type ApiCodec, readArr, readStr, readStrArr, readTags, writeArr, writeStr, writeStrArr, writeTags } from './api.ts'

export interface DeleteGroupsRequest {
  groupsNames: string[]
}

export interface DeleteGroupsResult {
  groupId: string
  errorCode: number
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number
  results: DeleteGroupsResult[]
}

const FLEXIBLE_VERSION = 2

export const DeleteGroups: ApiCodec<DeleteGroupsRequest, DeleteGroupsResponse> = {
  key: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStrArr(w, flex, req.groupsNames)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const groupsNames = readStrArr(r, flex)
    readTags(r, flex)
    return { groupsNames }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.results, (w, g) => {
      writeStr(w, flex, g.groupId)
      w.writeInt16(g.errorCode)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const results = readArr(r, flex, r => {
      const groupId = readStr(r, flex)
      const errorCode = r.readInt16()
      readTags(r, flex)
      return { groupId, errorCode }
    })
    readTags(r, flex)
    return { throttleTimeMs, results }
  },
}
