// CreateTopics v0-4 (flexible from v5; this codec handles up to v6, since v7 adds topic
// ids). num_partitions and replication_factor are -1 when the client wants the broker's
// defaults (v4+) or gives explicit assignments. validate_only checks without creating.
//
//   CreateTopicsRequest => [topics] timeout_ms validate_only
//     topics => name num_partitions replication_factor [assignments] [configs]
//       name => STRING
//       num_partitions => INT32
//       replication_factor => INT16
//       assignments => partition_index INT32, [broker_ids INT32]
//       configs => name STRING, value NULLABLE_STRING
//     timeout_ms => INT32
//     validate_only => BOOLEAN (v1+)
//
//   CreateTopicsResponse => throttle_time_ms [topics]
//     throttle_time_ms => INT32 (v2+)
//     topics => name error_code error_message num_partitions replication_factor [configs]
//       name => STRING
//       error_code => INT16
//       error_message => NULLABLE_STRING (v1+)
//       num_partitions => INT32 (v5+, default -1)
//       replication_factor => INT16 (v5+, default -1)
//       configs => name value read_only config_source is_sensitive (v5+, nullable)
//         name => STRING
//         value => NULLABLE_STRING
//         read_only => BOOLEAN
//         config_source => INT8
//         is_sensitive => BOOLEAN

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeErrorMessage, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

const FLEXIBLE_VERSION = 5

export interface CreatableReplicaAssignment {
  partitionIndex: number
  brokerIds: number[]
}

export interface CreatableTopicConfig {
  name: string
  value: string | null
}

export interface CreatableTopic {
  name: string
  /** -1 = broker default. */
  numPartitions: number
  /** -1 = broker default. */
  replicationFactor: number
  assignments: CreatableReplicaAssignment[]
  configs: CreatableTopicConfig[]
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[]
  timeoutMs: number
  validateOnly: boolean
}

export interface CreatableTopicResultConfig {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
}

export interface CreatableTopicResult {
  name: string
  errorCode: number
  errorMessage: string | null
  /** v5+ only; left out when decoding older versions. */
  numPartitions?: number
  replicationFactor?: number
  configs?: CreatableTopicResultConfig[] | null
}

export interface CreateTopicsResponse {
  throttleTimeMs: number
  topics: CreatableTopicResult[]
}

function writeTopic (w: Writer, flexible: boolean, t: CreatableTopic): void {
  writeStr(w, flexible, t.name)
  w.writeInt32(t.numPartitions).writeInt16(t.replicationFactor)
  writeArr(w, flexible, t.assignments, (w, a) => {
    w.writeInt32(a.partitionIndex)
    writeInt32Arr(w, flexible, a.brokerIds)
    writeTags(w, flexible)
  })
  writeArr(w, flexible, t.configs, (w, c) => {
    writeStr(w, flexible, c.name)
    writeNullableStr(w, flexible, c.value)
    writeTags(w, flexible)
  })
  writeTags(w, flexible)
}

function readTopic (r: Reader, flexible: boolean): CreatableTopic {
  const name = readStr(r, flexible)
  const numPartitions = r.readInt32()
  const replicationFactor = r.readInt16()
  const assignments = readArr(r, flexible, r => {
    const a = { partitionIndex: r.readInt32(), brokerIds: readInt32Arr(r, flexible) }
    readTags(r, flexible)
    return a
  })
  const configs = readArr(r, flexible, r => {
    const c = { name: readStr(r, flexible), value: readNullableStr(r, flexible) }
    readTags(r, flexible)
    return c
  })
  readTags(r, flexible)
  return { name, numPartitions, replicationFactor, assignments, configs }
}

function writeResult (w: Writer, version: number, t: CreatableTopicResult): void {
  const flexible = version >= FLEXIBLE_VERSION
  writeStr(w, flexible, t.name)
  w.writeInt16(t.errorCode)
  if (version >= 1) writeErrorMessage(w, flexible, t.errorMessage)
  if (version >= 5) {
    w.writeInt32(t.numPartitions ?? -1).writeInt16(t.replicationFactor ?? -1)
    writeNullableArr(w, flexible, t.configs ?? null, (w, c) => {
      writeStr(w, flexible, c.name)
      writeNullableStr(w, flexible, c.value)
      w.writeBoolean(c.readOnly).writeInt8(c.configSource).writeBoolean(c.isSensitive)
      writeTags(w, flexible)
    })
  }
  writeTags(w, flexible)
}

function readResult (r: Reader, version: number): CreatableTopicResult {
  const flexible = version >= FLEXIBLE_VERSION
  const name = readStr(r, flexible)
  const errorCode = r.readInt16()
  const errorMessage = version >= 1 ? readNullableStr(r, flexible) : null
  const result: CreatableTopicResult = { name, errorCode, errorMessage }
  if (version >= 5) {
    result.numPartitions = r.readInt32()
    result.replicationFactor = r.readInt16()
    result.configs = readNullableArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const value = readNullableStr(r, flexible)
      const c = { name, value, readOnly: r.readBoolean(), configSource: r.readInt8(), isSensitive: r.readBoolean() }
      readTags(r, flexible)
      return c
    })
  }
  readTags(r, flexible)
  return result
}

export const CreateTopics: ApiCodec<CreateTopicsRequest, CreateTopicsResponse> = {
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    writeArr(w, flexible, req.topics, (w, t) => writeTopic(w, flexible, t))
    w.writeInt32(req.timeoutMs)
    if (version >= 1) w.writeBoolean(req.validateOnly)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const topics = readArr(r, flexible, r => readTopic(r, flexible))
    const timeoutMs = r.readInt32()
    const validateOnly = version >= 1 ? r.readBoolean() : false
    readTags(r, flexible)
    return { topics, timeoutMs, validateOnly }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 2) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flexible, res.topics, (w, t) => writeResult(w, version, t))
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 2 ? r.readInt32() : 0
    const topics = readArr(r, flexible, r => readResult(r, version))
    readTags(r, flexible)
    return { throttleTimeMs, topics }
  },
}
