// Fetch v4-11 (flexible from v12; this codec handles up to v12, since v13 replaces topic
// names with topic ids). The broker always answers session_id = 0: every fetch is a full
// fetch, so incremental-session fields are read and ignored.
//
//   FetchRequest => replica_id max_wait_ms min_bytes max_bytes isolation_level session_id session_epoch [topics] [forgotten_topics_data] rack_id
//     replica_id => INT32
//     max_wait_ms => INT32
//     min_bytes => INT32
//     max_bytes => INT32 (v3+, default 0x7fffffff)
//     isolation_level => INT8 (v4+, 0 read_uncommitted, 1 read_committed)
//     session_id => INT32 (v7+, default 0)
//     session_epoch => INT32 (v7+, default -1)
//     topics => topic [partitions]
//       topic => STRING
//       partitions => partition current_leader_epoch fetch_offset last_fetched_epoch log_start_offset partition_max_bytes
//         partition => INT32
//         current_leader_epoch => INT32 (v9+, default -1)
//         fetch_offset => INT64
//         last_fetched_epoch => INT32 (v12+, default -1)
//         log_start_offset => INT64 (v5+, default -1)
//         partition_max_bytes => INT32
//     forgotten_topics_data => topic [partitions INT32] (v7+)
//     rack_id => STRING (v11+, default "")
//
//   FetchResponse => throttle_time_ms error_code session_id [responses]
//     throttle_time_ms => INT32 (v1+)
//     error_code => INT16 (v7+)
//     session_id => INT32 (v7+)
//     responses => topic [partitions]
//       topic => STRING
//       partitions => partition_index error_code high_watermark last_stable_offset log_start_offset [aborted_transactions] preferred_read_replica records
//         partition_index => INT32
//         error_code => INT16
//         high_watermark => INT64
//         last_stable_offset => INT64 (v4+, default -1)
//         log_start_offset => INT64 (v5+, default -1)
//         aborted_transactions => producer_id INT64, first_offset INT64 (v4+, nullable)
//         preferred_read_replica => INT32 (v11+, default -1)
//         records => RECORDS (nullable bytes)
//
// The records of a response may be given as a list of buffers (chunks read straight from
// segment files); they are written by reference behind one length prefix, never copied
// or decoded. Decoding always yields one view into the frame.

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableBuf, readStr, readTags,
  writeArr, writeInt32Arr, writeNullableArr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

const FLEXIBLE_VERSION = 12
const MAX_BYTES_DEFAULT = 0x7fffffff
const INT32_MAX = 0x7fffffff

export const IsolationLevel = { readUncommitted: 0, readCommitted: 1 } as const

export interface FetchPartitionRequest {
  partitionIndex: number
  currentLeaderEpoch: number
  fetchOffset: number
  /** v12+ only; -1 otherwise. */
  lastFetchedEpoch: number
  logStartOffset: number
  partitionMaxBytes: number
}

export interface FetchTopicRequest {
  name: string
  partitions: FetchPartitionRequest[]
}

export interface FetchForgottenTopic {
  name: string
  partitions: number[]
}

export interface FetchRequest {
  replicaId: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  isolationLevel: number
  sessionId: number
  sessionEpoch: number
  topics: FetchTopicRequest[]
  forgottenTopics: FetchForgottenTopic[]
  rackId: string
}

export interface FetchAbortedTransaction {
  producerId: number
  firstOffset: number
}

/** Whole batches as one buffer or as several chunks sent back to back; null = no records. */
export type FetchRecords = Buffer | readonly Buffer[] | null

export interface FetchPartitionResponse {
  partitionIndex: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  abortedTransactions: FetchAbortedTransaction[] | null
  preferredReadReplica: number
  records: FetchRecords
}

export interface FetchTopicResponse {
  name: string
  partitions: FetchPartitionResponse[]
}

export interface FetchResponse {
  throttleTimeMs: number
  errorCode: number
  sessionId: number
  topics: FetchTopicResponse[]
}

/** Total bytes of a records field, whichever form it takes. */
export function fetchRecordsBytes (records: FetchRecords): number {
  if (records === null) return 0
  if (Buffer.isBuffer(records)) return records.length
  let total = 0
  for (const chunk of records as readonly Buffer[]) total += chunk.length
  return total
}

function writeRecords (w: Writer, flexible: boolean, records: FetchRecords): void {
  if (records === null) {
    if (flexible) w.writeUnsignedVarInt(0)
    else w.writeInt32(-1)
    return
  }
  const totalBytes = fetchRecordsBytes(records)
  if (totalBytes > INT32_MAX) throw new RangeError(`records of ${totalBytes} bytes do not fit one fetch response`)
  if (flexible) w.writeUnsignedVarInt(totalBytes + 1)
  else w.writeInt32(totalBytes)
  if (Buffer.isBuffer(records)) w.writeRaw(records)
  else for (const chunk of records as readonly Buffer[]) w.writeRaw(chunk)
}

function writeAborted (w: Writer, t: FetchAbortedTransaction, flexible: boolean): void {
  w.writeInt64(t.producerId).writeInt64(t.firstOffset)
  writeTags(w, flexible)
}

function writePartitionResponse (w: Writer, version: number, p: FetchPartitionResponse): void {
  const flexible = version >= FLEXIBLE_VERSION
  w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt64(p.highWatermark)
  if (version >= 4) w.writeInt64(p.lastStableOffset)
  if (version >= 5) w.writeInt64(p.logStartOffset)
  if (version >= 4) writeNullableArr(w, flexible, p.abortedTransactions, (w, t) => writeAborted(w, t, flexible))
  if (version >= 11) w.writeInt32(p.preferredReadReplica)
  writeRecords(w, flexible, p.records)
  writeTags(w, flexible)
}

function readPartitionResponse (r: Reader, version: number): FetchPartitionResponse {
  const flexible = version >= FLEXIBLE_VERSION
  const partitionIndex = r.readInt32()
  const errorCode = r.readInt16()
  const highWatermark = r.readInt64()
  const lastStableOffset = version >= 4 ? r.readInt64() : -1
  const logStartOffset = version >= 5 ? r.readInt64() : -1
  const abortedTransactions = version >= 4
    ? readNullableArr(r, flexible, r => {
      const t = { producerId: r.readInt64(), firstOffset: r.readInt64() }
      readTags(r, flexible)
      return t
    })
    : null
  const preferredReadReplica = version >= 11 ? r.readInt32() : -1
  const records = readNullableBuf(r, flexible)
  readTags(r, flexible)
  return { partitionIndex, errorCode, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, preferredReadReplica, records }
}

function writePartitionRequest (w: Writer, version: number, p: FetchPartitionRequest): void {
  w.writeInt32(p.partitionIndex)
  if (version >= 9) w.writeInt32(p.currentLeaderEpoch)
  w.writeInt64(p.fetchOffset)
  if (version >= 12) w.writeInt32(p.lastFetchedEpoch)
  if (version >= 5) w.writeInt64(p.logStartOffset)
  w.writeInt32(p.partitionMaxBytes)
  writeTags(w, version >= FLEXIBLE_VERSION)
}

function readPartitionRequest (r: Reader, version: number): FetchPartitionRequest {
  const partitionIndex = r.readInt32()
  const currentLeaderEpoch = version >= 9 ? r.readInt32() : -1
  const fetchOffset = r.readInt64()
  const lastFetchedEpoch = version >= 12 ? r.readInt32() : -1
  const logStartOffset = version >= 5 ? r.readInt64() : -1
  const partitionMaxBytes = r.readInt32()
  readTags(r, version >= FLEXIBLE_VERSION)
  return { partitionIndex, currentLeaderEpoch, fetchOffset, lastFetchedEpoch, logStartOffset, partitionMaxBytes }
}

export const Fetch: ApiCodec<FetchRequest, FetchResponse> = {
  key: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    w.writeInt32(req.replicaId).writeInt32(req.maxWaitMs).writeInt32(req.minBytes)
    if (version >= 3) w.writeInt32(req.maxBytes)
    if (version >= 4) w.writeInt8(req.isolationLevel)
    if (version >= 7) w.writeInt32(req.sessionId).writeInt32(req.sessionEpoch)
    writeArr(w, flexible, req.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => writePartitionRequest(w, version, p))
      writeTags(w, flexible)
    })
    if (version >= 7) {
      writeArr(w, flexible, req.forgottenTopics, (w, t) => {
        writeStr(w, flexible, t.name)
        writeInt32Arr(w, flexible, t.partitions)
        writeTags(w, flexible)
      })
    }
    if (version >= 11) writeStr(w, flexible, req.rackId)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const replicaId = r.readInt32()
    const maxWaitMs = r.readInt32()
    const minBytes = r.readInt32()
    const maxBytes = version >= 3 ? r.readInt32() : MAX_BYTES_DEFAULT
    const isolationLevel = version >= 4 ? r.readInt8() : IsolationLevel.readUncommitted
    const sessionId = version >= 7 ? r.readInt32() : 0
    const sessionEpoch = version >= 7 ? r.readInt32() : -1
    const topics = readArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const partitions = readArr(r, flexible, r => readPartitionRequest(r, version))
      readTags(r, flexible)
      return { name, partitions }
    })
    const forgottenTopics = version >= 7
      ? readArr(r, flexible, r => {
        const t = { name: readStr(r, flexible), partitions: readInt32Arr(r, flexible) }
        readTags(r, flexible)
        return t
      })
      : []
    const rackId = version >= 11 ? readStr(r, flexible) : ''
    readTags(r, flexible)
    return { replicaId, maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics, forgottenTopics, rackId }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    if (version >= 7) w.writeInt16(res.errorCode).writeInt32(res.sessionId)
    writeArr(w, flexible, res.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => writePartitionResponse(w, version, p))
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    const errorCode = version >= 7 ? r.readInt16() : 0
    const sessionId = version >= 7 ? r.readInt32() : 0
    const topics = readArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const partitions = readArr(r, flexible, r => readPartitionResponse(r, version))
      readTags(r, flexible)
      return { name, partitions }
    })
    readTags(r, flexible)
    return { throttleTimeMs, errorCode, sessionId, topics }
  },
}
