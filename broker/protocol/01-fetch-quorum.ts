// Fetch v12-18 as the KRaft metadata quorum speaks it (KIP-595): only the controller
// listener registers this codec. The client-facing Fetch (01-fetch.ts, v4-11) stays what
// client listeners advertise; this object shares the api key, never a registry with it.
//
// Flexible versions only. What the quorum needs beyond classic Fetch:
//   request:  cluster_id (tag 0), replica_id (v12-14) or replica_state (tag 1, v15+:
//             replica_id int32, replica_epoch int64), last_fetched_epoch per partition,
//             topic name (v12) or topic id (v13+), replica_directory_id (partition tag 0, v17+),
//             high_watermark (partition tag 1, v18+: read and ignored)
//   response: per partition diverging_epoch (tag 0: epoch int32, end_offset int64),
//             current_leader (tag 1: leader_id int32, leader_epoch int32),
//             snapshot_id (tag 2: end_offset int64, epoch int32); node_endpoints (tag 0,
//             v16+) is skipped on decode and not sent.

import { type ApiCodec, readArr, readInt32Arr, readNullableArr, readStr, readTags, writeArr, writeInt32Arr, writeNullableArr, writeStr, writeTags } from './api.ts'
import { readUuidCopy, ZERO_UUID } from './raft-common.ts'
import type { Reader } from './reader.ts'
import { readTagged, writeTagged, type TaggedField } from './tagged.ts'
import type { Writer } from './writer.ts'

/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1): the topic id of `__cluster_metadata`. */
export const METADATA_TOPIC_ID: Buffer = Buffer.from('00000000000000000000000000000001', 'hex')
export const METADATA_TOPIC = '__cluster_metadata'

export interface QuorumFetchPartitionRequest {
  partition: number
  currentLeaderEpoch: number
  fetchOffset: number
  lastFetchedEpoch: number
  logStartOffset: number
  partitionMaxBytes: number
  /** ZERO_UUID when absent (always before v17). */
  replicaDirectoryId: Buffer
}

export interface QuorumFetchTopic {
  /** Used at v12; '' from v13. */
  topic: string
  /** Used from v13; ZERO_UUID at v12. */
  topicId: Buffer
}

export interface QuorumFetchRequest {
  clusterId: string | null
  replicaId: number
  /** v15+ (replica_state); -1 otherwise. */
  replicaEpoch: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  isolationLevel: number
  sessionId: number
  sessionEpoch: number
  topics: Array<QuorumFetchTopic & { partitions: QuorumFetchPartitionRequest[] }>
  forgottenTopicsData: Array<QuorumFetchTopic & { partitions: number[] }>
  rackId: string
}

export interface QuorumFetchPartitionResponse {
  partitionIndex: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  divergingEpoch: { epoch: number; endOffset: number } | null
  currentLeader: { leaderId: number; leaderEpoch: number } | null
  snapshotId: { endOffset: number; epoch: number } | null
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null
  preferredReadReplica: number
  records: Buffer | null
}

export interface QuorumFetchResponse {
  throttleTimeMs: number
  errorCode: number
  sessionId: number
  responses: Array<QuorumFetchTopic & { partitions: QuorumFetchPartitionResponse[] }>
}

function writeTopicRef (w: Writer, v: number, t: QuorumFetchTopic): void {
  if (v >= 13) w.writeUuid(t.topicId)
  else writeStr(w, true, t.topic)
}

function readTopicRef (r: Reader, v: number): QuorumFetchTopic {
  return v >= 13 ? { topic: '', topicId: readUuidCopy(r) } : { topic: readStr(r, true), topicId: ZERO_UUID }
}

/** Skips a tagged field this codec does not keep. */
function skip (field: Reader): void {
  field.readRaw(field.remaining)
}

function writePartitionRequest (w: Writer, v: number, p: QuorumFetchPartitionRequest): void {
  w.writeInt32(p.partition).writeInt32(p.currentLeaderEpoch).writeInt64(p.fetchOffset).writeInt32(p.lastFetchedEpoch)
  w.writeInt64(p.logStartOffset).writeInt32(p.partitionMaxBytes)
  const tags: TaggedField[] = []
  if (v >= 17 && !p.replicaDirectoryId.equals(ZERO_UUID)) tags.push([0, w => { w.writeUuid(p.replicaDirectoryId) }])
  writeTagged(w, tags)
}

function readPartitionRequest (r: Reader, v: number): QuorumFetchPartitionRequest {
  const p = {
    partition: r.readInt32(),
    currentLeaderEpoch: r.readInt32(),
    fetchOffset: r.readInt64(),
    lastFetchedEpoch: r.readInt32(),
    logStartOffset: r.readInt64(),
    partitionMaxBytes: r.readInt32(),
    replicaDirectoryId: ZERO_UUID,
  }
  readTagged(r, (tag, field) => {
    if (tag === 0 && v >= 17) p.replicaDirectoryId = readUuidCopy(field)
    else skip(field)
  })
  return p
}

function writePartitionResponse (w: Writer, p: QuorumFetchPartitionResponse): void {
  w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt64(p.highWatermark).writeInt64(p.lastStableOffset).writeInt64(p.logStartOffset)
  writeNullableArr(w, true, p.abortedTransactions, (w, a) => { w.writeInt64(a.producerId).writeInt64(a.firstOffset); writeTags(w, true) })
  w.writeInt32(p.preferredReadReplica)
  w.writeCompactNullableBytes(p.records)
  const { divergingEpoch: d, currentLeader: c, snapshotId: s } = p
  const tags: TaggedField[] = []
  if (d !== null) tags.push([0, w => { w.writeInt32(d.epoch).writeInt64(d.endOffset); writeTags(w, true) }])
  if (c !== null) tags.push([1, w => { w.writeInt32(c.leaderId).writeInt32(c.leaderEpoch); writeTags(w, true) }])
  if (s !== null) tags.push([2, w => { w.writeInt64(s.endOffset).writeInt32(s.epoch); writeTags(w, true) }])
  writeTagged(w, tags)
}

function readPartitionResponse (r: Reader): QuorumFetchPartitionResponse {
  const partitionIndex = r.readInt32()
  const errorCode = r.readInt16()
  const highWatermark = r.readInt64()
  const lastStableOffset = r.readInt64()
  const logStartOffset = r.readInt64()
  const abortedTransactions = readNullableArr(r, true, r => {
    const a = { producerId: r.readInt64(), firstOffset: r.readInt64() }
    readTags(r, true)
    return a
  })
  const preferredReadReplica = r.readInt32()
  const raw = r.readCompactNullableBytes()
  const p: QuorumFetchPartitionResponse = {
    partitionIndex, errorCode, highWatermark, lastStableOffset, logStartOffset,
    divergingEpoch: null, currentLeader: null, snapshotId: null,
    abortedTransactions, preferredReadReplica, records: raw === null ? null : Buffer.from(raw),
  }
  readTagged(r, (tag, f) => {
    if (tag === 0) p.divergingEpoch = { epoch: f.readInt32(), endOffset: f.readInt64() }
    else if (tag === 1) p.currentLeader = { leaderId: f.readInt32(), leaderEpoch: f.readInt32() }
    else if (tag === 2) p.snapshotId = { endOffset: f.readInt64(), epoch: f.readInt32() }
    else return skip(f)
    readTags(f, true)
  })
  return p
}

function writeRequestTags (w: Writer, v: number, req: QuorumFetchRequest): void {
  const tags: TaggedField[] = []
  const clusterId = req.clusterId
  if (clusterId !== null) tags.push([0, w => { w.writeCompactNullableString(clusterId) }])
  if (v >= 15 && (req.replicaId !== -1 || req.replicaEpoch !== -1)) {
    tags.push([1, w => { w.writeInt32(req.replicaId).writeInt64(req.replicaEpoch); writeTags(w, true) }])
  }
  writeTagged(w, tags)
}

export const QuorumFetch: ApiCodec<QuorumFetchRequest, QuorumFetchResponse> = {
  key: 1,
  name: 'Fetch',
  minVersion: 12,
  maxVersion: 18,
  flexibleVersion: 12,

  encodeRequest (w, v, req) {
    if (v <= 14) w.writeInt32(req.replicaId)
    w.writeInt32(req.maxWaitMs).writeInt32(req.minBytes).writeInt32(req.maxBytes).writeInt8(req.isolationLevel)
    w.writeInt32(req.sessionId).writeInt32(req.sessionEpoch)
    writeArr(w, true, req.topics, (w, t) => {
      writeTopicRef(w, v, t)
      writeArr(w, true, t.partitions, (w, p) => { writePartitionRequest(w, v, p) })
      writeTags(w, true)
    })
    writeArr(w, true, req.forgottenTopicsData, (w, t) => {
      writeTopicRef(w, v, t)
      writeInt32Arr(w, true, t.partitions)
      writeTags(w, true)
    })
    writeStr(w, true, req.rackId)
    writeRequestTags(w, v, req)
  },

  decodeRequest (r, v) {
    const replicaIdField = v <= 14 ? r.readInt32() : -1
    const head = { maxWaitMs: r.readInt32(), minBytes: r.readInt32(), maxBytes: r.readInt32(), isolationLevel: r.readInt8(), sessionId: r.readInt32(), sessionEpoch: r.readInt32() }
    const topics = readArr(r, true, r => {
      const ref = readTopicRef(r, v)
      const partitions = readArr(r, true, r => readPartitionRequest(r, v))
      readTags(r, true)
      return { ...ref, partitions }
    })
    const forgottenTopicsData = readArr(r, true, r => {
      const ref = readTopicRef(r, v)
      const partitions = readInt32Arr(r, true)
      readTags(r, true)
      return { ...ref, partitions }
    })
    const rackId = readStr(r, true)
    const req: QuorumFetchRequest = { clusterId: null, replicaId: replicaIdField, replicaEpoch: -1, ...head, topics, forgottenTopicsData, rackId }
    readTagged(r, (tag, f) => {
      if (tag === 0) req.clusterId = f.readCompactNullableString()
      else if (tag === 1 && v >= 15) {
        req.replicaId = f.readInt32()
        req.replicaEpoch = f.readInt64()
        readTags(f, true)
      } else skip(f)
    })
    return req
  },

  encodeResponse (w, v, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode).writeInt32(res.sessionId)
    writeArr(w, true, res.responses, (w, t) => {
      writeTopicRef(w, v, t)
      writeArr(w, true, t.partitions, (w, p) => { writePartitionResponse(w, p) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeResponse (r, v) {
    const throttleTimeMs = r.readInt32()
    const errorCode = r.readInt16()
    const sessionId = r.readInt32()
    const responses = readArr(r, true, r => {
      const ref = readTopicRef(r, v)
      const partitions = readArr(r, true, readPartitionResponse)
      readTags(r, true)
      return { ...ref, partitions }
    })
    readTags(r, true)
    return { throttleTimeMs, errorCode, sessionId, responses }
  },
}
