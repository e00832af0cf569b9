// Snapshots of the metadata image: the smallest record list that rebuilds it. The Raft
// core writes one at a committed offset and, on restart or when a follower is too far
// behind, replays it instead of the log before that offset, so the log stays bounded.
// The order is canonical (features, brokers by id, topics by name with their configs and
// partitions, other configs), so two equal images give byte-identical snapshots.

import { ProtocolError } from '../protocol/reader.ts'
import { configResourceKey, MetadataImage, type BrokerState } from './image.ts'
import { decodeRecord, encodeRecord } from './record-codec.ts'
import { ConfigResourceType, type MetadataRecord, type RegisterBrokerRecord } from './records.ts'

function brokerRecords (b: BrokerState): MetadataRecord[] {
  const register: RegisterBrokerRecord = {
    type: 'registerBroker', brokerId: b.id, incarnationId: b.incarnationId, brokerEpoch: b.epoch,
    endpoints: [...b.endpoints], rack: b.rack, fenced: b.fenced, inControlledShutdown: b.inControlledShutdown,
  }
  return [register]
}

function configRecords (image: MetadataImage, key: string): MetadataRecord[] {
  const at = key.indexOf(':')
  const resourceType = Number(key.slice(0, at))
  const resourceName = key.slice(at + 1)
  const values = image.configs.get(key)
  if (values === undefined) return []
  return [...values.keys()].sort().map(name => ({ type: 'config', resourceType, resourceName, name, value: values.get(name)! }))
}

export function imageToRecords (image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = []
  for (const name of [...image.features.keys()].sort()) out.push({ type: 'featureLevel', name, featureLevel: image.features.get(name)! })
  for (const id of [...image.brokers.keys()].sort((a, b) => a - b)) out.push(...brokerRecords(image.brokers.get(id)!))
  const topicConfigKeys = new Set<string>()
  for (const name of [...image.topicIdsByName.keys()].sort()) {
    const topic = image.topicByName(name)!
    out.push({ type: 'topic', name, topicId: topic.id })
    const key = configResourceKey(ConfigResourceType.TOPIC, name)
    topicConfigKeys.add(key)
    out.push(...configRecords(image, key))
    topic.partitions.forEach((p, partitionId) => {
      out.push({ type: 'partition', topicId: topic.id, partitionId, replicas: [...p.replicas], isr: [...p.isr], leader: p.leader, leaderRecoveryState: p.leaderRecoveryState, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch })
    })
  }
  for (const key of [...image.configs.keys()].sort()) if (!topicConfigKeys.has(key)) out.push(...configRecords(image, key))
  return out
}

export function imageFromRecords (records: readonly MetadataRecord[]): MetadataImage {
  return MetadataImage.EMPTY.apply(records)
}

/** One buffer: each record as int32 length + record (Kafka framing). */
export function encodeSnapshot (image: MetadataImage): Buffer {
  const parts: Buffer[] = []
  for (const rec of imageToRecords(image)) {
    const bytes = encodeRecord(rec)
    const size = Buffer.allocUnsafe(4)
    size.writeInt32BE(bytes.length, 0)
    parts.push(size, bytes)
  }
  return Buffer.concat(parts)
}

export function decodeSnapshot (bytes: Buffer): MetadataImage {
  const records: MetadataRecord[] = []
  for (let at = 0; at < bytes.length;) {
    if (at + 4 > bytes.length) throw new ProtocolError(`metadata snapshot: truncated record size at ${at}`)
    const size = bytes.readInt32BE(at)
    if (size < 0 || at + 4 + size > bytes.length) throw new ProtocolError(`metadata snapshot: record of ${size} bytes at ${at} overruns the snapshot`)
    records.push(decodeRecord(bytes.subarray(at + 4, at + 4 + size)))
    at += 4 + size
  }
  return imageFromRecords(records)
}
