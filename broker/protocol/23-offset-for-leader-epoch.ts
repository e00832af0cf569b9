// OffsetForLeaderEpoch v2-4 (flexible from v4; KIP-101, KIP-279, KIP-320). A follower asks
// its leader where an epoch ended, to truncate a log that diverged; consumers ask it to
// detect truncation after a leader change. v3 adds replica_id (-1 consumer, -2 debugging
// tools; a broker id for followers). The answer per partition is the largest epoch <= the
// one asked and the offset where the next epoch starts (or the log end), or
// UNDEFINED_EPOCH / -1 when the epoch is older than the log.
//
//   Request  => replica_id int32 (v3+), topics [topic string, partitions [partition int32,
//               current_leader_epoch int32, leader_epoch int32]]
//   Response => throttle_time_ms int32, topics [topic string, partitions [error_code int16,
//               partition int32, leader_epoch int32, end_offset int64]]

import { type ApiCodec, readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'

export interface EpochQuery { partition: number, currentLeaderEpoch: number, leaderEpoch: number }
export interface OffsetForLeaderEpochRequest {
  /** -1 before v3. */
  replicaId: number
  topics: Array<{ topic: string, partitions: EpochQuery[] }>
}

export interface EpochEndOffset { errorCode: number, partition: number, leaderEpoch: number, endOffset: number }
export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number
  topics: Array<{ topic: string, partitions: EpochEndOffset[] }>
}

const FLEXIBLE_VERSION = 4
export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1

export const OffsetForLeaderEpoch: ApiCodec<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  key: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 2,
  maxVersion: 4,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    if (version >= 3) w.writeInt32(req.replicaId)
    writeArr(w, flex, req.topics, (w, t) => {
      writeStr(w, flex, t.topic)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt32(p.partition).writeInt32(p.currentLeaderEpoch).writeInt32(p.leaderEpoch)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const replicaId = version >= 3 ? r.readInt32() : -1
    const readPartition = (r: Reader): EpochQuery => {
      const partition = r.readInt32()
      const currentLeaderEpoch = r.readInt32()
      const leaderEpoch = r.readInt32()
      readTags(r, flex)
      return { partition, currentLeaderEpoch, leaderEpoch }
    }
    const topics = readArr(r, flex, r => {
      const topic = readStr(r, flex)
      const partitions = readArr(r, flex, readPartition)
      readTags(r, flex)
      return { topic, partitions }
    })
    readTags(r, flex)
    return { replicaId, topics }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.topics, (w, t) => {
      writeStr(w, flex, t.topic)
      writeArr(w, flex, t.partitions, (w, p) => {
        w.writeInt16(p.errorCode).writeInt32(p.partition).writeInt32(p.leaderEpoch).writeInt64(p.endOffset)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const readPartition = (r: Reader): EpochEndOffset => {
      const errorCode = r.readInt16()
      const partition = r.readInt32()
      const leaderEpoch = r.readInt32()
      const endOffset = r.readInt64()
      readTags(r, flex)
      return { errorCode, partition, leaderEpoch, endOffset }
    }
    const topics = readArr(r, flex, r => {
      const topic = readStr(r, flex)
      const partitions = readArr(r, flex, readPartition)
      readTags(r, flex)
      return { topic, partitions }
    })
    readTags(r, flex)
    return { throttleTimeMs, topics }
  },
}
