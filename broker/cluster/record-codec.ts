// Metadata records in Kafka's ApiMessageAndVersion framing, as Kafka's metadata log and
// snapshots store them (AbstractApiMessageSerde):
//
//   Record => frame_version api_key version body
//     frame_version => UNSIGNED_VARINT (always 1)
//     api_key => UNSIGNED_VARINT (RegisterBroker 0, Topic 2, Partition 3, Config 4,
//       PartitionChange 5, FenceBroker 7, UnfenceBroker 8, RemoveTopic 9, FeatureLevel 12,
//       BrokerRegistrationChange 17)
//     version => UNSIGNED_VARINT
//     body => the record's fields in flexible (compact, tagged) encoding
//
// We write one version per record (the ones below, whose fields are the ones we keep) and
// read only those, so a record from a newer writer is refused instead of half-read. A
// corrupt record throws ProtocolError and never yields a half-built object.

import { readInt32Arr, readNullableArr, readNullableStr, readStr, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr } from '../protocol/api.ts'
import { ProtocolError, Reader } from '../protocol/reader.ts'
import { readTagged, writeTagged, type TaggedField } from '../protocol/tagged.ts'
import { Writer } from '../protocol/writer.ts'
import { NO_LEADER_CHANGE, type Endpoint, type MetadataRecord, type MetadataRecordType, type PartitionChangeRecord, type PartitionRecord, type RegisterBrokerRecord } from './records.ts'
import { readUuidText as readUuid, writeUuidText as writeUuid } from '../protocol/uuid.ts'

const FRAME_VERSION = 1

const API_KEYS: Record<MetadataRecordType, { key: number, version: number }> = {
  registerBroker: { key: 0, version: 1 },
  topic: { key: 2, version: 0 },
  partition: { key: 3, version: 0 },
  config: { key: 4, version: 0 },
  partitionChange: { key: 5, version: 0 },
  fenceBroker: { key: 7, version: 0 },
  unfenceBroker: { key: 8, version: 0 },
  removeTopic: { key: 9, version: 0 },
  featureLevel: { key: 12, version: 0 },
  brokerRegistrationChange: { key: 17, version: 1 },
}
const TYPES_BY_KEY = new Map(Object.entries(API_KEYS).map(([type, { key }]) => [key, type as MetadataRecordType]))

const skipTags = (r: Reader): void => { readTagged(r, () => {}) }
const noTags = (w: Writer): void => { w.writeUnsignedVarInt(0) }
const readNullableInt32Arr = (r: Reader): number[] | null => readNullableArr(r, true, r => r.readInt32())
const writeNullableInt32Arr = (w: Writer, v: number[] | null): void => { writeNullableArr(w, true, v, (w, n) => { w.writeInt32(n) }) }

function writeRegisterBroker (w: Writer, rec: RegisterBrokerRecord): void {
  w.writeInt32(rec.brokerId)
  writeUuid(w, rec.incarnationId)
  w.writeInt64(rec.brokerEpoch)
  w.writeCompactArray(rec.endpoints, (w, e) => {
    writeStr(w, true, e.name)
    writeStr(w, true, e.host)
    w.writeInt16(e.port << 16 >> 16).writeInt16(e.securityProtocol)
    noTags(w)
  })
  w.writeCompactArray([], () => {})
  writeNullableStr(w, true, rec.rack)
  w.writeBoolean(rec.fenced).writeBoolean(rec.inControlledShutdown)
  noTags(w)
}

function readEndpoint (r: Reader): Endpoint {
  const e = { name: readStr(r, true), host: readStr(r, true), port: r.readInt16() & 0xffff, securityProtocol: r.readInt16() }
  skipTags(r)
  return e
}

function readRegisterBroker (r: Reader): RegisterBrokerRecord {
  const brokerId = r.readInt32()
  const incarnationId = readUuid(r)
  const brokerEpoch = r.readInt64()
  const endpoints = r.readCompactArray(readEndpoint)
  r.readCompactArray(r => { readStr(r, true); r.readInt16(); r.readInt16(); skipTags(r) })
  const rack = readNullableStr(r, true)
  const fenced = r.readBoolean()
  const inControlledShutdown = r.readBoolean()
  skipTags(r)
  return { type: 'registerBroker', brokerId, incarnationId, brokerEpoch, endpoints, rack, fenced, inControlledShutdown }
}

function writePartition (w: Writer, rec: PartitionRecord): void {
  w.writeInt32(rec.partitionId)
  writeUuid(w, rec.topicId)
  writeInt32Arr(w, true, rec.replicas)
  writeInt32Arr(w, true, rec.isr)
  writeInt32Arr(w, true, [])
  writeInt32Arr(w, true, [])
  w.writeInt32(rec.leader).writeInt32(rec.leaderEpoch).writeInt32(rec.partitionEpoch)
  writeTagged(w, rec.leaderRecoveryState === 0 ? [] : [[0, w => w.writeInt8(rec.leaderRecoveryState)]])
}

function readPartition (r: Reader): PartitionRecord {
  const partitionId = r.readInt32()
  const topicId = readUuid(r)
  const replicas = readInt32Arr(r, true)
  const isr = readInt32Arr(r, true)
  readInt32Arr(r, true)
  readInt32Arr(r, true)
  const leader = r.readInt32()
  const leaderEpoch = r.readInt32()
  const partitionEpoch = r.readInt32()
  let leaderRecoveryState = 0
  readTagged(r, (tag, f) => { if (tag === 0) leaderRecoveryState = f.readInt8(); else f.readRaw(f.remaining) })
  return { type: 'partition', topicId, partitionId, replicas, isr, leader, leaderRecoveryState, leaderEpoch, partitionEpoch }
}

function writePartitionChange (w: Writer, rec: PartitionChangeRecord): void {
  w.writeInt32(rec.partitionId)
  writeUuid(w, rec.topicId)
  const tags: TaggedField[] = []
  if (rec.isr !== null) tags.push([0, w => { writeNullableInt32Arr(w, rec.isr) }])
  if (rec.leader !== NO_LEADER_CHANGE) tags.push([1, w => w.writeInt32(rec.leader)])
  if (rec.replicas !== null) tags.push([2, w => { writeNullableInt32Arr(w, rec.replicas) }])
  if (rec.leaderRecoveryState !== -1) tags.push([5, w => w.writeInt8(rec.leaderRecoveryState)])
  writeTagged(w, tags)
}

function readPartitionChange (r: Reader): PartitionChangeRecord {
  const partitionId = r.readInt32()
  const topicId = readUuid(r)
  const rec: PartitionChangeRecord = { type: 'partitionChange', topicId, partitionId, isr: null, leader: NO_LEADER_CHANGE, replicas: null, leaderRecoveryState: -1 }
  readTagged(r, (tag, f) => {
    if (tag === 0) rec.isr = readNullableInt32Arr(f)
    else if (tag === 1) rec.leader = f.readInt32()
    else if (tag === 2) rec.replicas = readNullableInt32Arr(f)
    else if (tag === 5) rec.leaderRecoveryState = f.readInt8()
    else f.readRaw(f.remaining)
  })
  return rec
}

function writeBody (w: Writer, rec: MetadataRecord): void {
  switch (rec.type) {
    case 'registerBroker': return writeRegisterBroker(w, rec)
    case 'partition': return writePartition(w, rec)
    case 'partitionChange': return writePartitionChange(w, rec)
    case 'fenceBroker':
    case 'unfenceBroker':
      w.writeInt32(rec.brokerId).writeInt64(rec.brokerEpoch)
      return noTags(w)
    case 'brokerRegistrationChange':
      w.writeInt32(rec.brokerId).writeInt64(rec.brokerEpoch)
      return writeTagged(w, rec.inControlledShutdown ? [[1, w => w.writeInt8(1)]] : [])
    case 'topic':
      writeStr(w, true, rec.name)
      writeUuid(w, rec.topicId)
      return noTags(w)
    case 'removeTopic':
      writeUuid(w, rec.topicId)
      return noTags(w)
    case 'config':
      w.writeInt8(rec.resourceType)
      writeStr(w, true, rec.resourceName)
      writeStr(w, true, rec.name)
      writeNullableStr(w, true, rec.value)
      return noTags(w)
    case 'featureLevel':
      writeStr(w, true, rec.name)
      w.writeInt16(rec.featureLevel)
      return noTags(w)
  }
}

function readBrokerChange (r: Reader): MetadataRecord {
  const brokerId = r.readInt32()
  const brokerEpoch = r.readInt64()
  let inControlledShutdown = false
  readTagged(r, (tag, f) => { if (tag === 1) inControlledShutdown = f.readInt8() === 1; else f.readRaw(f.remaining) })
  return { type: 'brokerRegistrationChange', brokerId, brokerEpoch, inControlledShutdown }
}

function readBody (r: Reader, type: MetadataRecordType): MetadataRecord {
  switch (type) {
    case 'registerBroker': return readRegisterBroker(r)
    case 'partition': return readPartition(r)
    case 'partitionChange': return readPartitionChange(r)
    case 'brokerRegistrationChange': return readBrokerChange(r)
    case 'fenceBroker':
    case 'unfenceBroker': {
      const rec = { type, brokerId: r.readInt32(), brokerEpoch: r.readInt64() }
      skipTags(r)
      return rec
    }
    case 'topic': {
      const rec = { type, name: readStr(r, true), topicId: readUuid(r) }
      skipTags(r)
      return rec
    }
    case 'removeTopic': {
      const rec = { type, topicId: readUuid(r) }
      skipTags(r)
      return rec
    }
    case 'config': {
      const rec = { type, resourceType: r.readInt8(), resourceName: readStr(r, true), name: readStr(r, true), value: readNullableStr(r, true) }
      skipTags(r)
      return rec
    }
    case 'featureLevel': {
      const rec = { type, name: readStr(r, true), featureLevel: r.readInt16() }
      skipTags(r)
      return rec
    }
  }
}

export function writeRecord (w: Writer, rec: MetadataRecord): void {
  const { key, version } = API_KEYS[rec.type]
  w.writeUnsignedVarInt(FRAME_VERSION).writeUnsignedVarInt(key).writeUnsignedVarInt(version)
  writeBody(w, rec)
}

export function encodeRecord (rec: MetadataRecord): Buffer {
  const w = new Writer()
  writeRecord(w, rec)
  return w.toBuffer()
}

/** Decodes one whole record; trailing bytes, unknown types and versions are errors. */
export function decodeRecord (bytes: Buffer): MetadataRecord {
  const r = new Reader(bytes)
  const frameVersion = r.readUnsignedVarInt()
  if (frameVersion !== FRAME_VERSION) throw new ProtocolError(`metadata record frame version ${frameVersion} (only ${FRAME_VERSION} is known)`)
  const key = r.readUnsignedVarInt()
  const version = r.readUnsignedVarInt()
  const type = TYPES_BY_KEY.get(key)
  if (type === undefined) throw new ProtocolError(`unknown metadata record type ${key}`)
  if (version !== API_KEYS[type].version) throw new ProtocolError(`${type} record version ${version} (Sluice reads version ${API_KEYS[type].version})`)
  const rec = readBody(r, type)
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} bytes of garbage after a ${type} record`)
  return rec
}
