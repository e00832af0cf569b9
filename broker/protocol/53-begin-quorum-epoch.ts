// BeginQuorumEpoch v0-1 (flexible from v1): a newly elected KRaft leader tells the voters
// (KIP-595). Not advertised yet: the quorum's network wiring registers it.
//
//   Request  => cluster_id nullable_string, voter_id int32 (v1+),
//               topics [topic_name, partitions [partition_index int32,
//               voter_directory_id uuid (v1+), leader_id int32, leader_epoch int32]],
//               leader_endpoints [name, host, port uint16] (v1+)
//   Response => error_code int16, topics [topic_name, partitions [partition_index int32,
//               error_code int16, leader_id int32, leader_epoch int32]]

import { type ApiCodec, readArr, readNullableStr, readStr, readTags, writeArr, writeNullableStr, writeStr, writeTags } from './api.ts'
import { type QuorumEpochResponse, type RaftEndpoint, readEndpoints, readQuorumEpochResponse, readUuidCopy, writeEndpoints, writeQuorumEpochResponse, ZERO_UUID } from './raft-common.ts'

export interface BeginQuorumEpochPartition {
  partitionIndex: number
  /** ZERO_UUID before v1. */
  voterDirectoryId: Buffer
  leaderId: number
  leaderEpoch: number
}

export interface BeginQuorumEpochRequest {
  clusterId: string | null
  /** -1 before v1. */
  voterId: number
  topics: Array<{ topicName: string; partitions: BeginQuorumEpochPartition[] }>
  /** Empty before v1. */
  leaderEndpoints: RaftEndpoint[]
}

export type BeginQuorumEpochResponse = QuorumEpochResponse

const FLEXIBLE_VERSION = 1

export const BeginQuorumEpoch: ApiCodec<BeginQuorumEpochRequest, BeginQuorumEpochResponse> = {
  key: 53,
  name: 'BeginQuorumEpoch',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, v, req) {
    const flex = v >= FLEXIBLE_VERSION
    writeNullableStr(w, flex, req.clusterId)
    if (v >= 1) w.writeInt32(req.voterId)
    writeArr(w, flex, req.topics, (w, t) => {
      writeStr(w, flex, t.topicName)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex)
        if (v >= 1) w.writeUuid(p.voterDirectoryId)
        w.writeInt32(p.leaderId).writeInt32(p.leaderEpoch)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    if (v >= 1) writeEndpoints(w, req.leaderEndpoints)
    writeTags(w, flex)
  },

  decodeRequest (r, v) {
    const flex = v >= FLEXIBLE_VERSION
    const clusterId = readNullableStr(r, flex)
    const voterId = v >= 1 ? r.readInt32() : -1
    const topics = readArr(r, flex, r => {
      const topicName = readStr(r, flex)
      const partitions = readArr(r, flex, r => {
        const partitionIndex = r.readInt32()
        const voterDirectoryId = v >= 1 ? readUuidCopy(r) : ZERO_UUID
        const p = { partitionIndex, voterDirectoryId, leaderId: r.readInt32(), leaderEpoch: r.readInt32() }
        readTags(r, flex)
        return p
      })
      readTags(r, flex)
      return { topicName, partitions }
    })
    const leaderEndpoints = v >= 1 ? readEndpoints(r) : []
    readTags(r, flex)
    return { clusterId, voterId, topics, leaderEndpoints }
  },

  encodeResponse (w, v, res) { writeQuorumEpochResponse(w, v >= FLEXIBLE_VERSION, res) },
  decodeResponse (r, v) { return readQuorumEpochResponse(r, v >= FLEXIBLE_VERSION) },
}
