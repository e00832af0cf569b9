// Produce v3-8 (flexible from v9). v3 is the first version with RecordBatch v2 and the
// transactional id; v9-11 change only the encoding, tagged fields and error codes, so the
// flexible branch reads them too (their tagged fields are skipped, we write none).
//
//   ProduceRequest => transactional_id acks timeout_ms [topic_data]
//     transactional_id => NULLABLE_STRING (v3+)
//     acks => INT16
//     timeout_ms => INT32
//     topic_data => name [partition_data]
//       name => STRING
//       partition_data => index records
//         index => INT32
//         records => RECORDS (nullable bytes)
//
//   ProduceResponse => [responses] throttle_time_ms
//     responses => name [partition_responses]
//       name => STRING
//       partition_responses => index error_code base_offset log_append_time_ms log_start_offset [record_errors] error_message
//         index => INT32
//         error_code => INT16
//         base_offset => INT64
//         log_append_time_ms => INT64 (v2+, default -1)
//         log_start_offset => INT64 (v5+, default -1)
//         record_errors => batch_index INT32, batch_index_error_message NULLABLE_STRING (v8+)
//         error_message => NULLABLE_STRING (v8+)
//     throttle_time_ms => INT32 (v1+)
//
// The records blob stays a view into the request frame: the codec never parses it, the
// log validates and stores it as received. acks=0 requests get no response (the server's
// job, not the codec's).

import {
  type ApiCodec, readArr, readNullableBuf, readNullableStr, readStr, readTags,
  writeArr, writeErrorMessage, writeNullableBuf, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

const FLEXIBLE_VERSION = 9

export interface ProducePartitionData {
  partitionIndex: number
  /** One or more whole record batches, as sent; a view into the frame. */
  records: Buffer | null
}

export interface ProduceTopicData {
  name: string
  partitions: ProducePartitionData[]
}

export interface ProduceRequest {
  transactionalId: string | null
  acks: number
  timeoutMs: number
  topics: ProduceTopicData[]
}

export interface ProduceRecordError {
  batchIndex: number
  batchIndexErrorMessage: string | null
}

export interface ProducePartitionResponse {
  partitionIndex: number
  errorCode: number
  baseOffset: number
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number
  logStartOffset: number
  recordErrors: ProduceRecordError[]
  errorMessage: string | null
}

export interface ProduceTopicResponse {
  name: string
  partitions: ProducePartitionResponse[]
}

export interface ProduceResponse {
  topics: ProduceTopicResponse[]
  throttleTimeMs: number
}

// Request items depend only on flexibility, so their readers are built once per module
// rather than once per request: Produce is the hottest request the broker decodes.
function readPartitionData (r: Reader, flexible: boolean): ProducePartitionData {
  const partitionIndex = r.readInt32()
  const records = readNullableBuf(r, flexible)
  readTags(r, flexible)
  return { partitionIndex, records }
}

function readTopicData (r: Reader, flexible: boolean): ProduceTopicData {
  const name = readStr(r, flexible)
  const partitions = readArr(r, flexible, flexible ? readPartitionFlexible : readPartitionClassic)
  readTags(r, flexible)
  return { name, partitions }
}

const readPartitionClassic = (r: Reader): ProducePartitionData => readPartitionData(r, false)
const readPartitionFlexible = (r: Reader): ProducePartitionData => readPartitionData(r, true)
const readTopicClassic = (r: Reader): ProduceTopicData => readTopicData(r, false)
const readTopicFlexible = (r: Reader): ProduceTopicData => readTopicData(r, true)

function writePartitionResponse (w: Writer, version: number, p: ProducePartitionResponse): void {
  const flexible = version >= FLEXIBLE_VERSION
  w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt64(p.baseOffset)
  if (version >= 2) w.writeInt64(p.logAppendTimeMs)
  if (version >= 5) w.writeInt64(p.logStartOffset)
  if (version >= 8) {
    writeArr(w, flexible, p.recordErrors, (w, e) => {
      w.writeInt32(e.batchIndex)
      writeErrorMessage(w, flexible, e.batchIndexErrorMessage)
      writeTags(w, flexible)
    })
    writeErrorMessage(w, flexible, p.errorMessage)
  }
  writeTags(w, flexible)
}

function readPartitionResponse (r: Reader, version: number): ProducePartitionResponse {
  const flexible = version >= FLEXIBLE_VERSION
  const partitionIndex = r.readInt32()
  const errorCode = r.readInt16()
  const baseOffset = r.readInt64()
  const logAppendTimeMs = version >= 2 ? r.readInt64() : -1
  const logStartOffset = version >= 5 ? r.readInt64() : -1
  let recordErrors: ProduceRecordError[] = []
  let errorMessage: string | null = null
  if (version >= 8) {
    recordErrors = readArr(r, flexible, r => {
      const e = { batchIndex: r.readInt32(), batchIndexErrorMessage: readNullableStr(r, flexible) }
      readTags(r, flexible)
      return e
    })
    errorMessage = readNullableStr(r, flexible)
  }
  readTags(r, flexible)
  return { partitionIndex, errorCode, baseOffset, logAppendTimeMs, logStartOffset, recordErrors, errorMessage }
}

export const Produce: ApiCodec<ProduceRequest, ProduceResponse> = {
  key: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 8,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    if (version >= 3) writeNullableStr(w, flexible, req.transactionalId)
    w.writeInt16(req.acks).writeInt32(req.timeoutMs)
    writeArr(w, flexible, req.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => {
        w.writeInt32(p.partitionIndex)
        writeNullableBuf(w, flexible, p.records)
        writeTags(w, flexible)
      })
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const transactionalId = version >= 3 ? readNullableStr(r, flexible) : null
    const acks = r.readInt16()
    const timeoutMs = r.readInt32()
    const topics = readArr(r, flexible, flexible ? readTopicFlexible : readTopicClassic)
    readTags(r, flexible)
    return { transactionalId, acks, timeoutMs, topics }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    writeArr(w, flexible, res.topics, (w, t) => {
      writeStr(w, flexible, t.name)
      writeArr(w, flexible, t.partitions, (w, p) => writePartitionResponse(w, version, p))
      writeTags(w, flexible)
    })
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const topics = readArr(r, flexible, r => {
      const name = readStr(r, flexible)
      const partitions = readArr(r, flexible, r => readPartitionResponse(r, version))
      readTags(r, flexible)
      return { name, partitions }
    })
    const throttleTimeMs = version >= 1 ? r.readInt32() : 0
    readTags(r, flexible)
    return { topics, throttleTimeMs }
  },
}
