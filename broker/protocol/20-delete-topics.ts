// DeleteTopics v0-3 (flexible from v4; this codec handles up to v5, since v6 names topics
// by id). Each topic gets its own error code; an unknown topic is
// UNKNOWN_TOPIC_OR_PARTITION for that topic only.
//
//   DeleteTopicsRequest => [topic_names] timeout_ms
//     topic_names => STRING
//     timeout_ms => INT32
//
//   DeleteTopicsResponse => throttle_time_ms [responses]
//     throttle_time_ms => INT32 (v1+)
//     responses => name error_code error_message
//       name => STRING
//       error_code => INT16
//       error_message => NULLABLE_STRING (v5+)

import {
  type ApiCodec, readArr, readNullableStr, readStr, readStrArr, readTags,
  writeArr, writeErrorMessage, writeStr, writeStrArr, writeTags,
} from './api.ts'

const FLEXIBLE_VERSION = 4

export interface DeleteTopicsRequest {
  topicNames: string[]
  timeoutMs: number
}

export interface DeletableTopicResult {
  name: string
  errorCode: number
  /** v5+ only; left out when decoding older versions. */
  errorMessage?: string | null
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number
  topics: DeletableTopicResult[]
}

export const DeleteTopics: ApiCodec<DeleteTopicsRequest, DeleteTopicsResponse> = {
  key: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    writeStrArr(w, flexible, req.topicNames)
    w.writeInt32(req.timeoutMs)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const topicNames = readStrArr(r, flexible)
    const timeoutMs = r.readInt32()
    readTags(r, flexible)
    return { topicNames, timeoutMs }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flexible, res.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      w.writeInt16(t.errorCode)
      if (version >= 5) writeErrorMessage(w, flexible, t.errorMessage ?? null)
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const topics = readArr(r, flexible, r => {
      const result: DeletableTopicResult = { name: readStr(r, flexible), errorCode: r.readInt16() }
      if (version >= 5) result.errorMessage = readNullableStr(r, flexible)
      readTags(r, flexible)
      return result
    })
    readTags(r, flexible)
    return { throttleTimeMs, topics }
  },
}
