// DescribeQuorum v0-2 (flexible from v0): the quorum leader's view of the voters and
// observers (KIP-595; timestamps v1+, directory ids and node listeners v2+, KIP-853).
// `kafka-metadata-quorum describe --status` sends it. Not advertised yet: the quorum's
// network wiring registers it and fills it from RaftNode.describeQuorum().
//
//   Request  => topics [topic_name, partitions [partition_index int32]]
//   Response => error_code int16, error_message nullable_string (v2+),
//               topics [topic_name, partitions [partition_index int32, error_code int16,
//               error_message nullable_string (v2+), leader_id int32, leader_epoch int32,
//               high_watermark int64, current_voters [ReplicaState], observers [ReplicaState]]],
//               nodes [node_id int32, listeners [name, host, port uint16]] (v2+)
//   ReplicaState => replica_id int32, replica_directory_id uuid (v2+), log_end_offset int64,
//               last_fetch_timestamp int64 (v1+), last_caught_up_timestamp int64 (v1+)

import { type ApiCodec, readArr, readNullableStr, readStr, readTags, writeArr, writeNullableStr, writeStr, writeTags } from './api.ts'
import { type RaftEndpoint, readEndpoints, readUuidCopy, writeEndpoints, ZERO_UUID } from './raft-common.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export interface DescribeQuorumRequest {
  topics: Array<{ topicName: string; partitions: Array<{ partitionIndex: number }> }>
}

export interface QuorumReplicaState {
  replicaId: number
  /** ZERO_UUID before v2. */
  replicaDirectoryId: Buffer
  logEndOffset: number
  /** -1 before v1. */
  lastFetchTimestamp: number
  lastCaughtUpTimestamp: number
}

export interface DescribeQuorumPartition {
  partitionIndex: number
  errorCode: number
  /** null before v2. */
  errorMessage: string | null
  leaderId: number
  leaderEpoch: number
  highWatermark: number
  currentVoters: QuorumReplicaState[]
  observers: QuorumReplicaState[]
}

export interface DescribeQuorumResponse {
  errorCode: number
  /** null before v2. */
  errorMessage: string | null
  topics: Array<{ topicName: string; partitions: DescribeQuorumPartition[] }>
  /** Empty before v2. */
  nodes: Array<{ nodeId: number; listeners: RaftEndpoint[] }>
}

function writeReplica (w: Writer, v: number, s: QuorumReplicaState): void {
  w.writeInt32(s.replicaId)
  if (v >= 2) w.writeUuid(s.replicaDirectoryId)
  w.writeInt64(s.logEndOffset)
  if (v >= 1) w.writeInt64(s.lastFetchTimestamp).writeInt64(s.lastCaughtUpTimestamp)
  writeTags(w, true)
}

function readReplica (r: Reader, v: number): QuorumReplicaState {
  const replicaId = r.readInt32()
  const replicaDirectoryId = v >= 2 ? readUuidCopy(r) : ZERO_UUID
  const logEndOffset = r.readInt64()
  const lastFetchTimestamp = v >= 1 ? r.readInt64() : -1
  const lastCaughtUpTimestamp = v >= 1 ? r.readInt64() : -1
  readTags(r, true)
  return { replicaId, replicaDirectoryId, logEndOffset, lastFetchTimestamp, lastCaughtUpTimestamp }
}

function writePartition (w: Writer, v: number, p: DescribeQuorumPartition): void {
  w.writeInt32(p.partitionIndex).writeInt16(p.errorCode)
  if (v >= 2) writeNullableStr(w, true, p.errorMessage)
  w.writeInt32(p.leaderId).writeInt32(p.leaderEpoch).writeInt64(p.highWatermark)
  writeArr(w, true, p.currentVoters, (w, s) => { writeReplica(w, v, s) })
  writeArr(w, true, p.observers, (w, s) => { writeReplica(w, v, s) })
  writeTags(w, true)
}

function readPartition (r: Reader, v: number): DescribeQuorumPartition {
  const partitionIndex = r.readInt32()
  const errorCode = r.readInt16()
  const errorMessage = v >= 2 ? readNullableStr(r, true) : null
  const leaderId = r.readInt32()
  const leaderEpoch = r.readInt32()
  const highWatermark = r.readInt64()
  const currentVoters = readArr(r, true, r => readReplica(r, v))
  const observers = readArr(r, true, r => readReplica(r, v))
  readTags(r, true)
  return { partitionIndex, errorCode, errorMessage, leaderId, leaderEpoch, highWatermark, currentVoters, observers }
}

export const DescribeQuorum: ApiCodec<DescribeQuorumRequest, DescribeQuorumResponse> = {
  key: 55,
  name: 'DescribeQuorum',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: 0,

  encodeRequest (w, _v, req) {
    writeArr(w, true, req.topics, (w, t) => {
      writeStr(w, true, t.topicName)
      writeArr(w, true, t.partitions, (w, p) => { w.writeInt32(p.partitionIndex); writeTags(w, true) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeRequest (r) {
    const topics = readArr(r, true, r => {
      const topicName = readStr(r, true)
      const partitions = readArr(r, true, r => {
        const partitionIndex = r.readInt32()
        readTags(r, true)
        return { partitionIndex }
      })
      readTags(r, true)
      return { topicName, partitions }
    })
    readTags(r, true)
    return { topics }
  },

  encodeResponse (w, v, res) {
    w.writeInt16(res.errorCode)
    if (v >= 2) writeNullableStr(w, true, res.errorMessage)
    writeArr(w, true, res.topics, (w, t) => {
      writeStr(w, true, t.topicName)
      writeArr(w, true, t.partitions, (w, p) => { writePartition(w, v, p) })
      writeTags(w, true)
    })
    if (v >= 2) {
      writeArr(w, true, res.nodes, (w, n) => { w.writeInt32(n.nodeId); writeEndpoints(w, n.listeners); writeTags(w, true) })
    }
    writeTags(w, true)
  },

  decodeResponse (r, v) {
    const errorCode = r.readInt16()
    const errorMessage = v >= 2 ? readNullableStr(r, true) : null
    const topics = readArr(r, true, r => {
      const topicName = readStr(r, true)
      const partitions = readArr(r, true, r => readPartition(r, v))
      readTags(r, true)
      return { topicName, partitions }
    })
    const nodes = v >= 2
      ? readArr(r, true, r => {
        const nodeId = r.readInt32()
        const listeners = readEndpoints(r)
        readTags(r, true)
        return { nodeId, listeners }
      })
      : []
    readTags(r, true)
    return { errorCode, errorMessage, topics, nodes }
  },
}
