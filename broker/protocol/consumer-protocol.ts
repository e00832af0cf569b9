// The classic consumer protocol: the payloads that consumers put inside JoinGroup
// protocols[].metadata (a subscription) and SyncGroup assignments[].assignment (an
// assignment). The broker treats them as opaque bytes; we decode them to show group state
// over HTTP and to check assignments in tests.
//
//   Subscription v0 => version int16, topics [string], user_data nullable_bytes
//   Subscription v1 => v0 + owned_partitions [topic string, partitions [int32]]
//   Subscription v2 => v1 + generation_id int32
//   Subscription v3 => v2 + rack_id nullable_string
//   Assignment v0-3 => version int16, assigned_partitions [topic string, partitions [int32]],
//                      user_data nullable_bytes
//
// Kafka never reorders or removes fields here, so a newer version is read as the newest
// we know and its extra bytes are ignored. Clients also claim versions their body does
// not carry: kafkajs writes "v1" with a v0 body, so fields past the end of the bytes
// decode to their defaults instead of failing.

import { ProtocolError, Reader } from './reader.ts'
import { Writer } from './writer.ts'

export const CONSUMER_PROTOCOL_TYPE = 'consumer'
export const CONSUMER_PROTOCOL_VERSION_MAX = 3

export interface TopicPartitions {
  topic: string
  partitions: number[]
}

export interface ConsumerSubscription {
  /** The version the sender wrote, which may be above CONSUMER_PROTOCOL_VERSION_MAX. */
  version: number
  topics: string[]
  userData: Buffer | null
  /** [] before v1. */
  ownedPartitions: TopicPartitions[]
  /** -1 before v2. */
  generationId: number
  /** null before v3. */
  rackId: string | null
}

export interface ConsumerAssignment {
  version: number
  assignedPartitions: TopicPartitions[]
  userData: Buffer | null
}

function writeTopicPartitions (w: Writer, items: readonly TopicPartitions[]): void {
  w.writeArray(items, (w, tp) => {
    w.writeString(tp.topic)
    w.writeArray(tp.partitions, (w, p) => { w.writeInt32(p) })
  })
}

function readTopicPartitions (r: Reader): TopicPartitions[] {
  return r.readArray(r => ({ topic: r.readString(), partitions: r.readArray(r => r.readInt32()) }))
}

function checkEncodeVersion (version: number): void {
  if (!Number.isInteger(version) || version < 0 || version > CONSUMER_PROTOCOL_VERSION_MAX) {
    throw new RangeError(`consumer protocol version ${version} is outside 0-${CONSUMER_PROTOCOL_VERSION_MAX}`)
  }
}

function readVersion (r: Reader, what: string): number {
  const version = r.readInt16()
  if (version < 0) throw new ProtocolError(`${what} with negative version ${version}`)
  return version
}

export function encodeConsumerSubscription (s: ConsumerSubscription): Buffer {
  checkEncodeVersion(s.version)
  const w = new Writer()
  w.writeInt16(s.version)
  w.writeArray(s.topics, (w, topic) => { w.writeString(topic) })
  w.writeNullableBytes(s.userData)
  if (s.version >= 1) writeTopicPartitions(w, s.ownedPartitions)
  if (s.version >= 2) w.writeInt32(s.generationId)
  if (s.version >= 3) w.writeNullableString(s.rackId)
  return w.toBuffer()
}

/** Throws ProtocolError on bytes that are cut inside a field. */
export function decodeConsumerSubscription (bytes: Buffer): ConsumerSubscription {
  const r = new Reader(bytes)
  const version = readVersion(r, 'subscription')
  const topics = r.readArray(r => r.readString())
  const userData = r.readNullableBytes()
  const ownedPartitions = version >= 1 && r.remaining > 0 ? readTopicPartitions(r) : []
  const generationId = version >= 2 && r.remaining > 0 ? r.readInt32() : -1
  const rackId = version >= 3 && r.remaining > 0 ? r.readNullableString() : null
  return { version, topics, userData, ownedPartitions, generationId, rackId }
}

export function encodeConsumerAssignment (a: ConsumerAssignment): Buffer {
  checkEncodeVersion(a.version)
  const w = new Writer()
  w.writeInt16(a.version)
  writeTopicPartitions(w, a.assignedPartitions)
  w.writeNullableBytes(a.userData)
  return w.toBuffer()
}

/**
 * Zero bytes mean "nothing assigned": SyncGroup answers an error or a member the leader
 * left out with an empty assignment, and clients treat that as no partitions.
 */
export function decodeConsumerAssignment (bytes: Buffer): ConsumerAssignment {
  if (bytes.length === 0) return { version: 0, assignedPartitions: [], userData: null }
  const r = new Reader(bytes)
  const version = readVersion(r, 'assignment')
  // Fields past the end read as absent, as in subscriptions and the clients' own decoders.
  const assignedPartitions = r.remaining > 0 ? readTopicPartitions(r) : []
  const userData = r.remaining > 0 ? r.readNullableBytes() : null
  return { version, assignedPartitions, userData }
}
