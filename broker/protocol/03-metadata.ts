// Metadata v0-8 (flexible from v9; this codec handles up to v9). We stop advertising at
// v8 because platformatic 2.12 gives every topic the all-zero id from v10 on and keys its
// fetches by topic id. Topics: null = all topics, [] = none (v1+). In v0 the array cannot
// be null and an empty array means all topics, so v0 decodes [] as null and encodes null
// as []: handlers see one meaning whatever the version.
//
//   MetadataRequest => [topics] allow_auto_topic_creation include_cluster_authorized_operations include_topic_authorized_operations
//     topics => name STRING (array nullable from v1)
//     allow_auto_topic_creation => BOOLEAN (v4+, default true)
//     include_cluster_authorized_operations => BOOLEAN (v8-10)
//     include_topic_authorized_operations => BOOLEAN (v8+)
//
//   MetadataResponse => throttle_time_ms [brokers] cluster_id controller_id [topics] cluster_authorized_operations
//     throttle_time_ms => INT32 (v3+)
//     brokers => node_id INT32, host STRING, port INT32, rack NULLABLE_STRING (v1+)
//     cluster_id => NULLABLE_STRING (v2+)
//     controller_id => INT32 (v1+, default -1)
//     topics => error_code name is_internal [partitions] topic_authorized_operations
//       error_code => INT16
//       name => STRING
//       is_internal => BOOLEAN (v1+)
//       partitions => error_code partition_index leader_id leader_epoch [replica_nodes] [isr_nodes] [offline_replicas]
//         error_code => INT16
//         partition_index => INT32
//         leader_id => INT32
//         leader_epoch => INT32 (v7+, default -1)
//         replica_nodes => INT32
//         isr_nodes => INT32
//         offline_replicas => INT32 (v5+)
//       topic_authorized_operations => INT32 (v8+, default -2^31)
//     cluster_authorized_operations => INT32 (v8-10, default -2^31)

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import { ProtocolError, type Reader } from './reader.ts'
import type { Writer } from './writer.ts'

const FLEXIBLE_VERSION = 9
/** "Not requested": Kafka's default for the authorized-operations bit fields. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface MetadataRequest {
  /** null = all topics. */
  topics: string[] | null
  allowAutoTopicCreation: boolean
  includeClusterAuthorizedOperations: boolean
  includeTopicAuthorizedOperations: boolean
}

export interface MetadataBroker {
  nodeId: number
  host: string
  port: number
  rack: string | null
}

export interface MetadataPartition {
  errorCode: number
  partitionIndex: number
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
  offlineReplicas: number[]
}

export interface MetadataTopic {
  errorCode: number
  name: string
  isInternal: boolean
  partitions: MetadataPartition[]
  topicAuthorizedOperations: number
}

export interface MetadataResponse {
  throttleTimeMs: number
  brokers: MetadataBroker[]
  clusterId: string | null
  controllerId: number
  topics: MetadataTopic[]
  clusterAuthorizedOperations: number
}

function writePartition (w: Writer, version: number, p: MetadataPartition): void {
  const flexible = version >= FLEXIBLE_VERSION
  w.writeInt16(p.errorCode).writeInt32(p.partitionIndex).writeInt32(p.leaderId)
  if (version >= 7) w.writeInt32(p.leaderEpoch)
  writeInt32Arr(w, flexible, p.replicaNodes)
  writeInt32Arr(w, flexible, p.isrNodes)
  if (version >= 5) writeInt32Arr(w, flexible, p.offlineReplicas)
  writeTags(w, flexible)
}

function readPartition (r: Reader, version: number): MetadataPartition {
  const flexible = version >= FLEXIBLE_VERSION
  const errorCode = r.readInt16()
  const partitionIndex = r.readInt32()
  const leaderId = r.readInt32()
  const leaderEpoch = version >= 7 ? r.readInt32() : -1
  const replicaNodes = readInt32Arr(r, flexible)
  const isrNodes = readInt32Arr(r, flexible)
  const offlineReplicas = version >= 5 ? readInt32Arr(r, flexible) : []
  readTags(r, flexible)
  return { errorCode, partitionIndex, leaderId, leaderEpoch, replicaNodes, isrNodes, offlineReplicas }
}

function writeTopic (w: Writer, version: number, t: MetadataTopic): void {
  const flexible = version >= FLEXIBLE_VERSION
  w.writeInt16(t.errorCode)
  writeStr(w, flexible, t.name)
  if (version >= 1) w.writeBoolean(t.isInternal)
  writeArr(w, flexible, t.partitions, (w, p) => writePartition(w, version, p))
  if (version >= 8) w.writeInt32(t.topicAuthorizedOperations)
  writeTags(w, flexible)
}

function readTopic (r: Reader, version: number): MetadataTopic {
  const flexible = version >= FLEXIBLE_VERSION
  const errorCode = r.readInt16()
  const name = readStr(r, flexible)
  const isInternal = version >= 1 ? r.readBoolean() : false
  const partitions = readArr(r, flexible, r => readPartition(r, version))
  const topicAuthorizedOperations = version >= 8 ? r.readInt32() : AUTHORIZED_OPERATIONS_OMITTED
  readTags(r, flexible)
  return { errorCode, name, isInternal, partitions, topicAuthorizedOperations }
}

export const Metadata: ApiCodec<MetadataRequest, MetadataResponse> = {
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    const writeName = (w: Writer, name: string): void => {
      writeStr(w, flexible, name)
      writeTags(w, flexible)
    }
    if (version === 0) w.writeArray(req.topics ?? [], writeName)
    else writeNullableArr(w, flexible, req.topics, writeName)
    if (version >= 4) w.writeBoolean(req.allowAutoTopicCreation)
    if (version >= 8 && version <= 10) w.writeBoolean(req.includeClusterAuthorizedOperations)
    if (version >= 8) w.writeBoolean(req.includeTopicAuthorizedOperations)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const readName = (r: Reader): string => {
      const name = readStr(r, flexible)
      readTags(r, flexible)
      return name
    }
    let topics = readNullableArr(r, flexible, readName)
    if (version === 0) {
      if (topics === null) throw new ProtocolError('Metadata v0 topics array cannot be null')
      if (topics.length === 0) topics = null
    }
    const allowAutoTopicCreation = version >= 4 ? r.readBoolean() : true
    const includeClusterAuthorizedOperations = version >= 8 && version <= 10 ? r.readBoolean() : false
    const includeTopicAuthorizedOperations = version >= 8 ? r.readBoolean() : false
    readTags(r, flexible)
    return { topics, allowAutoTopicCreation, includeClusterAuthorizedOperations, includeTopicAuthorizedOperations }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 3) w.writeInt32(res.throttleTimeMs)
    writeArr(w, flexible, res.brokers, (w, b) => {
      w.writeInt32(b.nodeId)
      writeStr(w, flexible, b.host)
      w.writeInt32(b.port)
      if (version >= 1) writeNullableStr(w, flexible, b.rack)
      writeTags(w, flexible)
    })
    if (version >= 2) writeNullableStr(w, flexible, res.clusterId)
    if (version >= 1) w.writeInt32(res.controllerId)
    writeArr(w, flexible, res.topics, (w, t) => writeTopic(w, version, t))
    if (version >= 8 && version <= 10) w.writeInt32(res.clusterAuthorizedOperations)
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 3 ? r.readInt32() : 0
    const brokers = readArr(r, flexible, r => {
      const nodeId = r.readInt32()
      const host = readStr(r, flexible)
      const port = r.readInt32()
      const rack = version >= 1 ? readNullableStr(r, flexible) : null
      readTags(r, flexible)
      return { nodeId, host, port, rack }
    })
    const clusterId = version >= 2 ? readNullableStr(r, flexible) : null
    const controllerId = version >= 1 ? r.readInt32() : -1
    const topics = readArr(r, flexible, r => readTopic(r, version))
    const clusterAuthorizedOperations = version >= 8 && version <= 10 ? r.readInt32() : AUTHORIZED_OPERATIONS_OMITTED
    readTags(r, flexible)
    return { throttleTimeMs, brokers, clusterId, controllerId, topics, clusterAuthorizedOperations }
  },
}
