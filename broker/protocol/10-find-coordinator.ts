// FindCoordinator v0-2 (flexible from v3). Every client sends v2 to us.
// The minimum must stay 0: librdkafka (and so `kcat -G`) never finds its coordinator
// if it does not see v0 in our range.
//
//   Request v0   => key string
//   Request v1-2 => key string, key_type int8 (0 group, 1 transaction)
//   Request v3   => v2 with compact encodings and tagged fields
//   Response v0   => error_code int16, node_id int32, host string, port int32
//   Response v1-2 => throttle_time_ms int32, error_code int16, error_message nullable_string,
//                    node_id int32, host string, port int32
//
// v4 replaces key with a batch of coordinator_keys; we stop before it.

import { type ApiCodec, readNullableStr, readStr, readTags, writeErrorMessage, writeStr, writeTags } from './api.ts'

export const COORDINATOR_KEY_TYPE_GROUP = 0
export const COORDINATOR_KEY_TYPE_TRANSACTION = 1

export interface FindCoordinatorRequest {
  key: string
  /** COORDINATOR_KEY_TYPE_GROUP before v1. */
  keyType: number
}

export interface FindCoordinatorResponse {
  /** 0 before v1. */
  throttleTimeMs: number
  errorCode: number
  /** null before v1. */
  errorMessage: string | null
  nodeId: number
  host: string
  port: number
}

const FLEXIBLE_VERSION = 3

export const FindCoordinator: ApiCodec<FindCoordinatorRequest, FindCoordinatorResponse> = {
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeStr(w, flex, req.key)
    if (version >= 1) w.writeInt8(req.keyType)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const key = readStr(r, flex)
    const keyType = version >= 1 ? r.readInt8() : COORDINATOR_KEY_TYPE_GROUP
    readTags(r, flex)
    return { key, keyType }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    w.writeInt16(res.errorCode)
    if (version >= 1) writeErrorMessage(w, flex, res.errorMessage)
    w.writeInt32(res.nodeId)
    writeStr(w, flex, res.host)
    w.writeInt32(res.port)
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = r.readInt16()
    const errorMessage = version >= 1 ? readNullableStr(r, flex) : null
    const nodeId = r.readInt32()
    const host = readStr(r, flex)
    const port = r.readInt32()
    readTags(r, flex)
    return { throttleTimeMs, errorCode, errorMessage, nodeId, host, port }
  },
}
