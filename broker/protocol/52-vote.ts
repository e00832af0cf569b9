// Vote v0-2 (flexible from v0), the KRaft election request (KIP-595); v2 adds PreVote
// (KIP-996) and renames candidate to replica. Not advertised yet: the quorum's network
// wiring registers it. NodeEndpoints (response tag 0, v1+) is skipped on decode and not sent.
//
//   Request  => cluster_id compact_nullable_string, voter_id int32 (v1+),
//               topics [topic_name, partitions [partition_index int32, replica_epoch int32,
//               replica_id int32, replica_directory_id uuid (v1+), voter_directory_id uuid (v1+),
//               last_offset_epoch int32, last_offset int64, pre_vote bool (v2+)]]
//   Response => error_code int16, topics [topic_name, partitions [partition_index int32,
//               error_code int16, leader_id int32, leader_epoch int32, vote_granted bool]]

import { type ApiCodec, readArr, readNullableStr, readStr, readTags, writeArr, writeNullableStr, writeStr, writeTags } from './api.ts'
import { readUuidCopy, ZERO_UUID } from './raft-common.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export interface VotePartitionRequest {
  partitionIndex: number
  replicaEpoch: number
  replicaId: number
  /** ZERO_UUID before v1. */
  replicaDirectoryId: Buffer
  voterDirectoryId: Buffer
  lastOffsetEpoch: number
  lastOffset: number
  /** false before v2. */
  preVote: boolean
}

export interface VoteRequest {
  clusterId: string | null
  /** -1 before v1. */
  voterId: number
  topics: Array<{ topicName: string; partitions: VotePartitionRequest[] }>
}

export interface VotePartitionResponse {
  partitionIndex: number
  errorCode: number
  leaderId: number
  leaderEpoch: number
  voteGranted: boolean
}

export interface VoteResponse {
  errorCode: number
  topics: Array<{ topicName: string; partitions: VotePartitionResponse[] }>
}

function writePartitionRequest (w: Writer, v: number, p: VotePartitionRequest): void {
  w.writeInt32(p.partitionIndex)
  w.writeInt32(p.replicaEpoch)
  w.writeInt32(p.replicaId)
  if (v >= 1) w.writeUuid(p.replicaDirectoryId).writeUuid(p.voterDirectoryId)
  w.writeInt32(p.lastOffsetEpoch)
  w.writeInt64(p.lastOffset)
  if (v >= 2) w.writeBoolean(p.preVote)
  writeTags(w, true)
}

function readPartitionRequest (r: Reader, v: number): VotePartitionRequest {
  const partitionIndex = r.readInt32()
  const replicaEpoch = r.readInt32()
  const replicaId = r.readInt32()
  const replicaDirectoryId = v >= 1 ? readUuidCopy(r) : ZERO_UUID
  const voterDirectoryId = v >= 1 ? readUuidCopy(r) : ZERO_UUID
  const lastOffsetEpoch = r.readInt32()
  const lastOffset = r.readInt64()
  const preVote = v >= 2 ? r.readBoolean() : false
  readTags(r, true)
  return { partitionIndex, replicaEpoch, replicaId, replicaDirectoryId, voterDirectoryId, lastOffsetEpoch, lastOffset, preVote }
}

export const Vote: ApiCodec<VoteRequest, VoteResponse> = {
  key: 52,
  name: 'Vote',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: 0,

  encodeRequest (w, v, req) {
    writeNullableStr(w, true, req.clusterId)
    if (v >= 1) w.writeInt32(req.voterId)
    writeArr(w, true, req.topics, (w, t) => {
      writeStr(w, true, t.topicName)
      writeArr(w, true, t.partitions, (w, p) => { writePartitionRequest(w, v, p) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeRequest (r, v) {
    const clusterId = readNullableStr(r, true)
    const voterId = v >= 1 ? r.readInt32() : -1
    const topics = readArr(r, true, r => {
      const topicName = readStr(r, true)
      const partitions = readArr(r, true, r => readPartitionRequest(r, v))
      readTags(r, true)
      return { topicName, partitions }
    })
    readTags(r, true)
    return { clusterId, voterId, topics }
  },

  encodeResponse (w, _v, res) {
    w.writeInt16(res.errorCode)
    writeArr(w, true, res.topics, (w, t) => {
      writeStr(w, true, t.topicName)
      writeArr(w, true, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt32(p.leaderId).writeInt32(p.leaderEpoch).writeBoolean(p.voteGranted)
        writeTags(w, true)
      })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeResponse (r) {
    const errorCode = r.readInt16()
    const topics = readArr(r, true, r => {
      const topicName = readStr(r, true)
      const partitions = readArr(r, true, r => {
        const p = { partitionIndex: r.readInt32(), errorCode: r.readInt16(), leaderId: r.readInt32(), leaderEpoch: r.readInt32(), voteGranted: r.readBoolean() }
        readTags(r, true)
        return p
      })
      readTags(r, true)
      return { topicName, partitions }
    })
    readTags(r, true)
    return { errorCode, topics }
  },
}
