// FetchSnapshot v0-1 (flexible from v0): a KRaft follower downloads the leader's snapshot
// in chunks by byte position (KIP-630). Only the controller listener registers it.
// v1 adds the follower's directory id (partition tag 0) and NodeEndpoints (response tag 0,
// skipped on decode and not sent).
//
//   Request  => cluster_id (tag 0, nullable string), replica_id int32, max_bytes int32,
//               topics [name, partitions [partition int32, current_leader_epoch int32,
//               snapshot_id [end_offset int64, epoch int32], position int64,
//               replica_directory_id (tag 0, uuid, v1+)]]
//   Response => throttle_time_ms int32, error_code int16, topics [name, partitions [
//               index int32, error_code int16, snapshot_id [end_offset int64, epoch int32],
//               current_leader (tag 0) [leader_id int32, leader_epoch int32],
//               size int64, position int64, unaligned_records records]]

import { type ApiCodec, readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'
import { readUuidCopy, ZERO_UUID } from './raft-common.ts'
import type { Reader } from './reader.ts'
import { readTagged, writeTagged, type TaggedField } from './tagged.ts'
import { ProtocolError } from './reader.ts'
import type { Writer } from './writer.ts'

export interface SnapshotId { endOffset: number; epoch: number }

export interface FetchSnapshotPartitionRequest {
  partition: number
  currentLeaderEpoch: number
  snapshotId: SnapshotId
  position: number
  /** ZERO_UUID when absent (always before v1). */
  replicaDirectoryId: Buffer
}

export interface FetchSnapshotRequest {
  clusterId: string | null
  replicaId: number
  maxBytes: number
  topics: Array<{ name: string; partitions: FetchSnapshotPartitionRequest[] }>
}

export interface FetchSnapshotPartitionResponse {
  index: number
  errorCode: number
  snapshotId: SnapshotId
  /** Tag 0; -1/-1 when absent. */
  currentLeader: { leaderId: number; leaderEpoch: number }
  size: number
  position: number
  unalignedRecords: Buffer
}

export interface FetchSnapshotResponse {
  throttleTimeMs: number
  errorCode: number
  topics: Array<{ name: string; partitions: FetchSnapshotPartitionResponse[] }>
}

function writeSnapshotId (w: Writer, id: SnapshotId): void {
  w.writeInt64(id.endOffset).writeInt32(id.epoch)
  writeTags(w, true)
}

function readSnapshotId (r: Reader): SnapshotId {
  const id = { endOffset: r.readInt64(), epoch: r.readInt32() }
  readTags(r, true)
  return id
}

function writePartitionRequest (w: Writer, v: number, p: FetchSnapshotPartitionRequest): void {
  w.writeInt32(p.partition).writeInt32(p.currentLeaderEpoch)
  writeSnapshotId(w, p.snapshotId)
  w.writeInt64(p.position)
  const tags: TaggedField[] = []
  if (v >= 1 && !p.replicaDirectoryId.equals(ZERO_UUID)) tags.push([0, w => { w.writeUuid(p.replicaDirectoryId) }])
  writeTagged(w, tags)
}

function readPartitionRequest (r: Reader, v: number): FetchSnapshotPartitionRequest {
  const partition = r.readInt32()
  const currentLeaderEpoch = r.readInt32()
  const snapshotId = readSnapshotId(r)
  const position = r.readInt64()
  let replicaDirectoryId = ZERO_UUID
  readTagged(r, (tag, field) => {
    if (tag === 0 && v >= 1) replicaDirectoryId = readUuidCopy(field)
    else field.readRaw(field.remaining)
  })
  return { partition, currentLeaderEpoch, snapshotId, position, replicaDirectoryId }
}

function writePartitionResponse (w: Writer, p: FetchSnapshotPartitionResponse): void {
  w.writeInt32(p.index).writeInt16(p.errorCode)
  writeSnapshotId(w, p.snapshotId)
  w.writeInt64(p.size).writeInt64(p.position)
  w.writeCompactNullableBytes(p.unalignedRecords)
  const { leaderId, leaderEpoch } = p.currentLeader
  const tags: TaggedField[] = []
  if (leaderId !== -1 || leaderEpoch !== -1) tags.push([0, w => { w.writeInt32(leaderId).writeInt32(leaderEpoch); writeTags(w, true) }])
  writeTagged(w, tags)
}

function readPartitionResponse (r: Reader): FetchSnapshotPartitionResponse {
  const index = r.readInt32()
  const errorCode = r.readInt16()
  const snapshotId = readSnapshotId(r)
  const size = r.readInt64()
  const position = r.readInt64()
  const records = r.readCompactNullableBytes()
  if (records === null) throw new ProtocolError('FetchSnapshot unaligned_records must not be null')
  let currentLeader = { leaderId: -1, leaderEpoch: -1 }
  readTagged(r, (tag, field) => {
    if (tag !== 0) { field.readRaw(field.remaining); return }
    currentLeader = { leaderId: field.readInt32(), leaderEpoch: field.readInt32() }
    readTags(field, true)
  })
  return { index, errorCode, snapshotId, currentLeader, size, position, unalignedRecords: Buffer.from(records) }
}

export const FetchSnapshot: ApiCodec<FetchSnapshotRequest, FetchSnapshotResponse> = {
  key: 59,
  name: 'FetchSnapshot',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: 0,

  encodeRequest (w, v, req) {
    w.writeInt32(req.replicaId).writeInt32(req.maxBytes)
    writeArr(w, true, req.topics, (w, t) => {
      writeStr(w, true, t.name)
      writeArr(w, true, t.partitions, (w, p) => { writePartitionRequest(w, v, p) })
      writeTags(w, true)
    })
    const clusterId = req.clusterId
    writeTagged(w, clusterId === null ? [] : [[0, w => { w.writeCompactNullableString(clusterId) }]])
  },

  decodeRequest (r, v) {
    const replicaId = r.readInt32()
    const maxBytes = r.readInt32()
    const topics = readArr(r, true, r => {
      const name = readStr(r, true)
      const partitions = readArr(r, true, r => readPartitionRequest(r, v))
      readTags(r, true)
      return { name, partitions }
    })
    let clusterId: string | null = null
    readTagged(r, (tag, field) => {
      if (tag === 0) clusterId = field.readCompactNullableString()
      else field.readRaw(field.remaining)
    })
    return { clusterId, replicaId, maxBytes, topics }
  },

  encodeResponse (w, _v, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode)
    writeArr(w, true, res.topics, (w, t) => {
      writeStr(w, true, t.name)
      writeArr(w, true, t.partitions, (w, p) => { writePartitionResponse(w, p) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeResponse (r) {
    const throttleTimeMs = r.readInt32()
    const errorCode = r.readInt16()
    const topics = readArr(r, true, r => {
      const name = readStr(r, true)
      const partitions = readArr(r, true, r => readPartitionResponse(r))
      readTags(r, true)
      return { name, partitions }
    })
    readTags(r, true)
    return { throttleTimeMs, errorCode, topics }
  },
}
