// ElectLeaders v0-2 (flexible from v2): ask the controller for preferred (0) or unclean
// (1) leader elections. A null partition list means every partition. v0 has no election
// type (always preferred) and no top-level error code.
//
//   ElectLeadersRequest => election_type [topic_partitions] timeout_ms
//     election_type => INT8 (v1+)
//     topic_partitions => topic [partitions] (nullable)
//       topic => STRING, partitions => INT32
//     timeout_ms => INT32
//
//   ElectLeadersResponse => throttle_time_ms error_code [replica_election_results]
//     throttle_time_ms => INT32, error_code => INT16 (v1+)
//     replica_election_results => topic [partition_result]
//       topic => STRING
//       partition_result => partition_id error_code error_message
//         partition_id => INT32, error_code => INT16, error_message => NULLABLE_STRING

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'

const FLEXIBLE_VERSION = 2

export interface ElectLeadersTopicPartitions { topic: string, partitions: number[] }

export interface ElectLeadersRequest {
  /** 0 = PREFERRED, 1 = UNCLEAN; 0 for v0. */
  electionType: number
  topicPartitions: ElectLeadersTopicPartitions[] | null
  timeoutMs: number
}

export interface ElectLeadersPartitionResult { partitionId: number, errorCode: number, errorMessage: string | null }
export interface ElectLeadersTopicResult { topic: string, partitionResult: ElectLeadersPartitionResult[] }

export interface ElectLeadersResponse {
  throttleTimeMs: number
  /** v1+; 0 for v0. */
  errorCode: number
  replicaElectionResults: ElectLeadersTopicResult[]
}

export const ElectLeaders: ApiCodec<ElectLeadersRequest, ElectLeadersResponse> = {
  key: 43,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt8(req.electionType)
    writeNullableArr(w, flexible, req.topicPartitions, (w, t) => {
      writeStr(w, flexible, t.topic)
      writeInt32Arr(w, flexible, t.partitions)
      writeTags(w, flexible)
    })
    w.writeInt32(req.timeoutMs)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const electionType = version >= 1 ? r.readInt8() : 0
    const topicPartitions = readNullableArr(r, flexible, r => {
      const t = { topic: readStr(r, flexible), partitions: readInt32Arr(r, flexible) }
      readTags(r, flexible)
      return t
    })
    const timeoutMs = r.readInt32()
    readTags(r, flexible)
    return { electionType, topicPartitions, timeoutMs }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    if (version >= 1) w.writeInt16(res.errorCode)
    writeArr(w, flexible, res.replicaElectionResults, (w, t) => {
      writeStr(w, flexible, t.topic)
      writeArr(w, flexible, t.partitionResult, (w, p) => {
        w.writeInt32(p.partitionId).writeInt16(p.errorCode)
        writeNullableStr(w, flexible, p.errorMessage)
        writeTags(w, flexible)
      })
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const errorCode = version >= 1 ? r.readInt16() : 0
    const replicaElectionResults = readArr(r, flexible, r => {
      const topic = readStr(r, flexible)
      const partitionResult = readArr(r, flexible, r => {
        const p = { partitionId: r.readInt32(), errorCode: r.readInt16(), errorMessage: readNullableStr(r, flexible) }
        readTags(r, flexible)
        return p
      })
      readTags(r, flexible)
      return { topic, partitionResult }
    })
    readTags(r, flexible)
    return { throttleTimeMs, errorCode, replicaElectionResults }
  },
}
