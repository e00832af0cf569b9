// Pieces shared by the KRaft quorum RPCs (Vote 52, BeginQuorumEpoch 53, EndQuorumEpoch 54,
// DescribeQuorum 55): endpoints with a uint16 port, and the all-zero directory id that
// stands for "unknown" (Kafka's Uuid.ZERO_UUID) in versions that carry one.

import { readArr, readStr, readTags, writeArr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export const ZERO_UUID: Buffer = Buffer.alloc(16)

/** A listener of a quorum node: LeaderEndpoints / Listeners entries. */
export interface RaftEndpoint {
  name: string
  host: string
  port: number
}

export function readPort (r: Reader): number {
  return r.readRaw(2).readUInt16BE(0)
}

export function writePort (w: Writer, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`a port is a uint16 (got ${port})`)
  const bytes = Buffer.alloc(2)
  bytes.writeUInt16BE(port, 0)
  w.writeRaw(bytes)
}

/** Endpoints in flexible versions: [name, host, port, tags]. */
export function readEndpoints (r: Reader): RaftEndpoint[] {
  return readArr(r, true, r => {
    const name = readStr(r, true)
    const host = readStr(r, true)
    const port = readPort(r)
    readTags(r, true)
    return { name, host, port }
  })
}

export function writeEndpoints (w: Writer, endpoints: readonly RaftEndpoint[]): void {
  writeArr(w, true, endpoints, (w, e) => {
    writeStr(w, true, e.name)
    writeStr(w, true, e.host)
    writePort(w, e.port)
    writeTags(w, true)
  })
}

/** A copy, so a decoded uuid does not keep the whole frame alive. */
export function readUuidCopy (r: Reader): Buffer {
  return Buffer.from(r.readUuid())
}

/** The response body BeginQuorumEpoch (53) and EndQuorumEpoch (54) share. */
export interface QuorumEpochResponse {
  errorCode: number
  topics: Array<{ topicName: string; partitions: Array<{ partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number }> }>
}

/** NodeEndpoints (tag 0, v1+) is skipped on decode and not sent. */
export function writeQuorumEpochResponse (w: Writer, flex: boolean, res: QuorumEpochResponse): void {
  w.writeInt16(res.errorCode)
  writeArr(w, flex, res.topics, (w, t) => {
    writeStr(w, flex, t.topicName)
    writeArr(w, flex, t.partitions, (w, p) => {
      w.writeInt32(p.partitionIndex).writeInt16(p.errorCode).writeInt32(p.leaderId).writeInt32(p.leaderEpoch)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  })
  writeTags(w, flex)
}

export function readQuorumEpochResponse (r: Reader, flex: boolean): QuorumEpochResponse {
  const errorCode = r.readInt16()
  const topics = readArr(r, flex, r => {
    const topicName = readStr(r, flex)
    const partitions = readArr(r, flex, r => {
      const p = { partitionIndex: r.readInt32(), errorCode: r.readInt16(), leaderId: r.readInt32(), leaderEpoch: r.readInt32() }
      readTags(r, flex)
      return p
    })
    readTags(r, flex)
    return { topicName, partitions }
  })
  readTags(r, flex)
  return { errorCode, topics }
}
