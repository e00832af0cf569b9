// EndQuorumEpoch v0-1 (flexible from v1): a resigning KRaft leader names its preferred
// successors so the election starts at once (KIP-595; v1 carries directory ids, KIP-853).
// Not advertised yet: the quorum's network wiring registers it.
//
//   Request  => cluster_id nullable_string, topics [topic_name, partitions [
//               partition_index int32, leader_id int32, leader_epoch int32,
//               preferred_successors [int32] (v0 only),
//               preferred_candidates [candidate_id int32, candidate_directory_id uuid] (v1+)]],
//               leader_endpoints [name, host, port uint16] (v1+)
//   Response => as BeginQuorumEpoch's (raft-common.ts)

import { type ApiCodec, readArr, readInt32Arr, readNullableStr, readStr, readTags, writeArr, writeInt32Arr, writeNullableStr, writeStr, writeTags } from './api.ts'
import { type QuorumEpochResponse, type RaftEndpoint, readEndpoints, readQuorumEpochResponse, readUuidCopy, writeEndpoints, writeQuorumEpochResponse } from './raft-common.ts'
import type { Reader } from './reader.ts'

export interface PreferredCandidate {
  candidateId: number
  candidateDirectoryId: Buffer
}

export interface EndQuorumEpochPartition {
  partitionIndex: number
  leaderId: number
  leaderEpoch: number
  /** v0 only; empty from v1. */
  preferredSuccessors: number[]
  /** v1+; empty at v0. */
  preferredCandidates: PreferredCandidate[]
}

export interface EndQuorumEpochRequest {
  clusterId: string | null
  topics: Array<{ topicName: string; partitions: EndQuorumEpochPartition[] }>
  /** Empty before v1. */
  leaderEndpoints: RaftEndpoint[]
}

export type EndQuorumEpochResponse = QuorumEpochResponse

const FLEXIBLE_VERSION = 1

export const EndQuorumEpoch: ApiCodec<EndQuorumEpochRequest, EndQuorumEpochResponse> = {
  key: 54,
  name: 'EndQuorumEpoch',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, v, req) {
    const flex = v >= FLEXIBLE_VERSION
    writeNullableStr(w, flex, req.clusterId)
    writeArr(w, flex, req.topics, (w, t) => {
      writeStr(w, flex, t.topicName)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex).writeInt32(p.leaderId).writeInt32(p.leaderEpoch)
        if (v === 0) writeInt32Arr(w, flex, p.preferredSuccessors)
        else writeArr(w, flex, p.preferredCandidates, (w, c) => { w.writeInt32(c.candidateId).writeUuid(c.candidateDirectoryId); writeTags(w, flex) })
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
    const topics = readArr(r, flex, r => {
      const topicName = readStr(r, flex)
      const partitions = readArr(r, flex, r => readPartition(r, v, flex))
      readTags(r, flex)
      return { topicName, partitions }
    })
    const leaderEndpoints = v >= 1 ? readEndpoints(r) : []
    readTags(r, flex)
    return { clusterId, topics, leaderEndpoints }
  },

  encodeResponse (w, v, res) { writeQuorumEpochResponse(w, v >= FLEXIBLE_VERSION, res) },
  decodeResponse (r, v) { return readQuorumEpochResponse(r, v >= FLEXIBLE_VERSION) },
}

function readPartition (r: Reader, v: number, flex: boolean): EndQuorumEpochPartition {
  const partitionIndex = r.readInt32()
  const leaderId = r.readInt32()
  const leaderEpoch = r.readInt32()
  const preferredSuccessors = v === 0 ? readInt32Arr(r, flex) : []
  const preferredCandidates = v >= 1
    ? readArr(r, flex, r => {
      const c = { candidateId: r.readInt32(), candidateDirectoryId: readUuidCopy(r) }
      readTags(r, flex)
      return c
    })
    : []
  readTags(r, flex)
  return { partitionIndex, leaderId, leaderEpoch, preferredSuccessors, preferredCandidates }
}
