// The records the coordinator writes to __consumer_offsets. Sluice's own format, not
// Kafka's: nothing outside this broker reads the internal topic, but a restarted broker
// must, so every key and value starts with a version and a reader refuses versions it does
// not know instead of guessing (replay skips such records and says so). Integers are big-endian; strings are int16 length + UTF-8
// (-1 = null), bytes int32 length + bytes, as in Kafka's classic encodings.
//
//   key, format 0:   int16 key_version = 0, int8 kind, then by kind:
//     kind 0 (committed offset): string group_id, string topic, int32 partition
//     kind 1 (group metadata):   string group_id
//   value (a null value is a tombstone: that key's state is gone):
//     offset v0: int16 value_version = 0, int64 offset, int32 leader_epoch,
//                nullable_string metadata, int64 commit_timestamp_ms
//     group v0:  int16 value_version = 0, string protocol_type ('' = offsets only),
//                int32 generation_id, nullable_string protocol_name, nullable_string leader_id,
//                int64 state_timestamp_ms, int32 member_count, then per member:
//                string member_id, nullable_string group_instance_id, string client_id,
//                string client_host, int32 session_timeout_ms, int32 rebalance_timeout_ms,
//                bytes subscription (metadata for the chosen protocol), bytes assignment
//
// Records of one group all go to one partition, abs(javaHashCode(group_id)) % partitions,
// as Kafka places them, so their order in that partition is the order they happened in.

import { ProtocolError, Reader } from '../protocol/reader.ts'
import { Writer } from '../protocol/writer.ts'

export const RECORD_KEY_VERSION = 0
export const OFFSET_VALUE_VERSION = 0
export const GROUP_VALUE_VERSION = 0
const KIND_OFFSET = 0
const KIND_GROUP = 1

export interface StoredOffset {
  offset: number
  leaderEpoch: number
  metadata: string | null
  commitTimestampMs: number
}

export interface StoredMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  subscription: Buffer
  assignment: Buffer
}

export interface StoredGroup {
  protocolType: string
  generationId: number
  protocolName: string | null
  leaderId: string | null
  stateTimestampMs: number
  members: StoredMember[]
}

export type OffsetsRecord =
  | { kind: 'offset', groupId: string, topic: string, partition: number, value: StoredOffset | null }
  | { kind: 'group', groupId: string, value: StoredGroup | null }

/** A record in __consumer_offsets this broker cannot read: written by a newer Sluice, or damaged. */
export class OffsetsRecordError extends Error {
  readonly code = 'ERR_OFFSETS_RECORD'
  readonly retriable = false
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'OffsetsRecordError'
  }
}

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32. */
export function javaStringHashCode (s: string): number {
  let hash = 0
  for (let i = 0; i < s.length; i++) hash = (Math.imul(31, hash) + s.charCodeAt(i)) | 0
  return hash
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode) % partitions, where abs(MIN_VALUE) is 0. */
export function partitionForGroup (groupId: string, partitionCount: number): number {
  const hash = javaStringHashCode(groupId)
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitionCount
}

export function encodeOffsetKey (groupId: string, topic: string, partition: number): Buffer {
  return new Writer(64).writeInt16(RECORD_KEY_VERSION).writeInt8(KIND_OFFSET).writeString(groupId).writeString(topic).writeInt32(partition).toBuffer()
}

export function encodeGroupKey (groupId: string): Buffer {
  return new Writer(64).writeInt16(RECORD_KEY_VERSION).writeInt8(KIND_GROUP).writeString(groupId).toBuffer()
}

export function encodeOffsetValue (v: StoredOffset): Buffer {
  return new Writer(64).writeInt16(OFFSET_VALUE_VERSION).writeInt64(v.offset).writeInt32(v.leaderEpoch)
    .writeNullableString(v.metadata).writeInt64(v.commitTimestampMs).toBuffer()
}

export function encodeGroupValue (v: StoredGroup): Buffer {
  const w = new Writer(256)
  w.writeInt16(GROUP_VALUE_VERSION).writeString(v.protocolType).writeInt32(v.generationId)
    .writeNullableString(v.protocolName).writeNullableString(v.leaderId).writeInt64(v.stateTimestampMs)
  w.writeArray(v.members, (w, m) => {
    w.writeString(m.memberId).writeNullableString(m.groupInstanceId).writeString(m.clientId).writeString(m.clientHost)
      .writeInt32(m.sessionTimeoutMs).writeInt32(m.rebalanceTimeoutMs).writeBytes(m.subscription).writeBytes(m.assignment)
  })
  return w.toBuffer()
}

function readVersion (r: Reader, what: string, known: number): void {
  const version = r.readInt16()
  if (version !== known) throw new OffsetsRecordError(`${what} version ${version} is not one this broker reads (${known}); was the data dir written by a newer Sluice?`)
}

function decodeOffsetValue (r: Reader): StoredOffset {
  readVersion(r, 'offset value', OFFSET_VALUE_VERSION)
  return { offset: r.readInt64(), leaderEpoch: r.readInt32(), metadata: r.readNullableString(), commitTimestampMs: r.readInt64() }
}

function decodeGroupValue (r: Reader): StoredGroup {
  readVersion(r, 'group value', GROUP_VALUE_VERSION)
  const protocolType = r.readString()
  const generationId = r.readInt32()
  const protocolName = r.readNullableString()
  const leaderId = r.readNullableString()
  const stateTimestampMs = r.readInt64()
  const members = r.readArray(r => ({
    memberId: r.readString(),
    groupInstanceId: r.readNullableString(),
    clientId: r.readString(),
    clientHost: r.readString(),
    sessionTimeoutMs: r.readInt32(),
    rebalanceTimeoutMs: r.readInt32(),
    subscription: Buffer.from(r.readBytes()),
    assignment: Buffer.from(r.readBytes()),
  }))
  return { protocolType, generationId, protocolName, leaderId, stateTimestampMs, members }
}

/** Decodes one record of the internal topic; throws OffsetsRecordError on anything unexpected. */
export function decodeOffsetsRecord (key: Buffer | null, value: Buffer | null): OffsetsRecord {
  if (key === null) throw new OffsetsRecordError('record without a key')
  try {
    const r = new Reader(key)
    readVersion(r, 'key', RECORD_KEY_VERSION)
    const kind = r.readInt8()
    const groupId = r.readString()
    let record: OffsetsRecord
    if (kind === KIND_OFFSET) {
      const topic = r.readString()
      const partition = r.readInt32()
      record = { kind: 'offset', groupId, topic, partition, value: value === null ? null : decodeOffsetValue(new Reader(value)) }
    } else if (kind === KIND_GROUP) {
      record = { kind: 'group', groupId, value: value === null ? null : decodeGroupValue(new Reader(value)) }
    } else {
      throw new OffsetsRecordError(`unknown record kind ${kind}`)
    }
    return record
  } catch (err) {
    if (err instanceof ProtocolError) throw new OffsetsRecordError(`truncated record: ${err.message}`, { cause: err })
    throw err
  }
}
