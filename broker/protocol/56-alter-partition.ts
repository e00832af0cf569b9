// AlterPartition v0-3 (flexible from v0): a partition leader asks the controller to change
// the partition's ISR (KIP-497), naming the leader and partition epochs it acts on so a
// stale leader is refused. v1 adds leader_recovery_state (KIP-704); v2 names topics by id
// instead of by name (KIP-841); v3 sends each new ISR member with its broker epoch (KIP-903).
//
//   AlterPartitionRequest => broker_id broker_epoch [topics]
//     broker_id => INT32, broker_epoch => INT64
//     topics => topic_name (v0-1) | topic_id (v2+) [partitions]
//       topic_name => COMPACT_STRING, topic_id => UUID
//       partitions => partition_index leader_epoch new_isr (v0-2) | [new_isr_with_epochs] (v3+)
//                     leader_recovery_state partition_epoch
//         partition_index => INT32, leader_epoch => INT32, new_isr => COMPACT_ARRAY of INT32
//         new_isr_with_epochs => broker_id INT32, broker_epoch INT64
//         leader_recovery_state => INT8 (v1+), partition_epoch => INT32
//
//   AlterPartitionResponse => throttle_time_ms error_code [topics]
//     throttle_time_ms => INT32, error_code => INT16
//     topics => topic_name (v0-1) | topic_id (v2+) [partitions]
//       partitions => partition_index error_code leader_id leader_epoch [isr]
//                     leader_recovery_state partition_epoch
//         partition_index => INT32, error_code => INT16, leader_id => INT32, leader_epoch => INT32
//         isr => INT32, leader_recovery_state => INT8 (v1+), partition_epoch => INT32

import { type ApiCodec, readInt32Arr, readStr, readTags, writeInt32Arr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'
import { readUuidText, writeUuidText, ZERO_UUID } from './uuid.ts'
import type { Writer } from './writer.ts'

export interface IsrMember { brokerId: number, brokerEpoch: number }

export interface AlterPartitionRequestPartition {
  partitionIndex: number
  leaderEpoch: number
  /** v0-2 carry ids only: decoded members get brokerEpoch -1 (no check). */
  newIsr: IsrMember[]
  /** v1+; 0 below. */
  leaderRecoveryState: number
  partitionEpoch: number
}

/** topicName is used by v0-1 ('' above), topicId by v2+ (ZERO_UUID below). */
export interface AlterPartitionRequestTopic { topicName: string, topicId: string, partitions: AlterPartitionRequestPartition[] }

export interface AlterPartitionRequest { brokerId: number, brokerEpoch: number, topics: AlterPartitionRequestTopic[] }

export interface AlterPartitionResponsePartition {
  partitionIndex: number
  errorCode: number
  leaderId: number
  leaderEpoch: number
  isr: number[]
  leaderRecoveryState: number
  partitionEpoch: number
}

export interface AlterPartitionResponseTopic { topicName: string, topicId: string, partitions: AlterPartitionResponsePartition[] }

export interface AlterPartitionResponse { throttleTimeMs: number, errorCode: number, topics: AlterPartitionResponseTopic[] }

function writeTopicKey (w: Writer, version: number, t: { topicName: string, topicId: string }): void {
  if (version >= 2) writeUuidText(w, t.topicId)
  else writeStr(w, true, t.topicName)
}

function readTopicKey (r: Reader, version: number): { topicName: string, topicId: string } {
  return version >= 2 ? { topicName: '', topicId: readUuidText(r) } : { topicName: readStr(r, true), topicId: ZERO_UUID }
}

function writeRequestPartition (w: Writer, version: number, p: AlterPartitionRequestPartition): void {
  w.writeInt32(p.partitionIndex).writeInt32(p.leaderEpoch)
  if (version >= 3) {
    w.writeCompactArray(p.newIsr, (w, m) => {
      w.writeInt32(m.brokerId).writeInt64(m.brokerEpoch)
      writeTags(w, true)
    })
  } else {
    writeInt32Arr(w, true, p.newIsr.map(m => m.brokerId))
  }
  if (version >= 1) w.writeInt8(p.leaderRecoveryState)
  w.writeInt32(p.partitionEpoch)
  writeTags(w, true)
}

function readIsrMember (r: Reader): IsrMember {
  const m = { brokerId: r.readInt32(), brokerEpoch: r.readInt64() }
  readTags(r, true)
  return m
}

function readRequestPartition (r: Reader, version: number): AlterPartitionRequestPartition {
  const partitionIndex = r.readInt32()
  const leaderEpoch = r.readInt32()
  const newIsr = version >= 3 ? r.readCompactArray(readIsrMember) : readInt32Arr(r, true).map(brokerId => ({ brokerId, brokerEpoch: -1 }))
  const leaderRecoveryState = version >= 1 ? r.readInt8() : 0
  const partitionEpoch = r.readInt32()
  readTags(r, true)
  return { partitionIndex, leaderEpoch, newIsr, leaderRecoveryState, partitionEpoch }
}

function writeResponsePartition (w: Writer, version: number, p: AlterPartitionResponsePartition): void {
  w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt32(p.leaderId).writeInt32(p.leaderEpoch)
  writeInt32Arr(w, true, p.isr)
  if (version >= 1) w.writeInt8(p.leaderRecoveryState)
  w.writeInt32(p.partitionEpoch)
  writeTags(w, true)
}

function readResponsePartition (r: Reader, version: number): AlterPartitionResponsePartition {
  const partitionIndex = r.readInt32()
  const errorCode = r.readInt16()
  const leaderId = r.readInt32()
  const leaderEpoch = r.readInt32()
  const isr = readInt32Arr(r, true)
  const leaderRecoveryState = version >= 1 ? r.readInt8() : 0
  const partitionEpoch = r.readInt32()
  readTags(r, true)
  return { partitionIndex, errorCode, leaderId, leaderEpoch, isr, leaderRecoveryState, partitionEpoch }
}

export const AlterPartition: ApiCodec<AlterPartitionRequest, AlterPartitionResponse> = {
  key: 56,
  name: 'AlterPartition',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: 0,

  encodeRequest (w, version, req) {
    w.writeInt32(req.brokerId).writeInt64(req.brokerEpoch)
    w.writeCompactArray(req.topics, (w, t) => {
      writeTopicKey(w, version, t)
      w.writeCompactArray(t.partitions, (w, p) => { writeRequestPartition(w, version, p) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeRequest (r, version) {
    const brokerId = r.readInt32()
    const brokerEpoch = r.readInt64()
    const topics = r.readCompactArray(r => {
      const key = readTopicKey(r, version)
      const partitions = r.readCompactArray(r => readRequestPartition(r, version))
      readTags(r, true)
      return { ...key, partitions }
    })
    readTags(r, true)
    return { brokerId, brokerEpoch, topics }
  },

  encodeResponse (w, version, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode)
    w.writeCompactArray(res.topics, (w, t) => {
      writeTopicKey(w, version, t)
      w.writeCompactArray(t.partitions, (w, p) => { writeResponsePartition(w, version, p) })
      writeTags(w, true)
    })
    writeTags(w, true)
  },

  decodeResponse (r, version) {
    const throttleTimeMs = r.readInt32()
    const errorCode = r.readInt16()
    const topics = r.readCompactArray(r => {
      const key = readTopicKey(r, version)
      const partitions = r.readCompactArray(r => readResponsePartition(r, version))
      readTags(r, true)
      return { ...key, partitions }
    })
    readTags(r, true)
    return { throttleTimeMs, errorCode, topics }
  },
}
