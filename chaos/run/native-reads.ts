// Reading partitions and committing offsets with Sluice's own client (broker/client), for
// the assign-style consumers and the final polls. Nothing here hides a retry or a seek: a
// fetch reads from exactly the position asked, and the caller decides what an error means.
//
// A fetch of several partitions is all-or-nothing for the caller: `fetchPartitions` returns
// every partition's records and error code, and consumers apply the new positions only when
// every partition succeeded, so a poll either reads a contiguous next stretch of each
// partition or reads nothing.

import { FindCoordinator, COORDINATOR_KEY_TYPE_GROUP } from '../../broker/protocol/10-find-coordinator.ts'
import { OffsetCommit } from '../../broker/protocol/08-offset-commit.ts'
import { OffsetFetch } from '../../broker/protocol/09-offset-fetch.ts'
import { ErrorCode } from '../../broker/protocol/errors.ts'
import { decodeFetchedRecords } from '../../broker/client/batch-reader.ts'
import type { FetchedRecord } from '../../broker/client/batch-reader.ts'
import type { KafkaClient } from '../../broker/client/kafka-client.ts'
import type { Connection } from '../../broker/client/connection.ts'
import { kafkaError, KafkaClientError } from '../../broker/client/errors.ts'
import { OutcomeError } from './outcome.ts'
import { parseValue } from './topology.ts'

export const FETCH_BYTES_MAX = 4 * 1024 * 1024
export const PARTITION_FETCH_BYTES_MAX = 1024 * 1024

export interface KeyedRecord {
  key: string
  offset: number
  value: number
}

export interface PartitionRead {
  partition: number
  errorCode: number
  /** Position after this read (unchanged on error or when nothing arrived). */
  next: number
  highWatermark: number
  records: KeyedRecord[]
}

function keyed (records: readonly FetchedRecord[]): KeyedRecord[] {
  const out: KeyedRecord[] = []
  for (const record of records) {
    const value = parseValue(record.value)
    if (record.key === null || value === null) continue
    out.push({ key: record.key.toString('utf8'), offset: record.offset, value })
  }
  return out
}

/** One Fetch per leader for `positions` (partition -> next offset); never throws on partition errors. */
export async function fetchPartitions (client: KafkaClient, topic: string, positions: ReadonlyMap<number, number>, options: { maxWaitMs: number }): Promise<PartitionRead[]> {
  const info = await client.topic(topic)
  const byLeader = new Map<number, number[]>()
  for (const partition of positions.keys()) {
    const leader = info.partitions[partition]?.leaderId ?? -1
    if (leader < 0) throw new KafkaClientError('ERR_NO_LEADER', `partition ${topic}-${partition} has no leader`, { retriable: true })
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition])
  }
  const reads: PartitionRead[] = []
  await Promise.all([...byLeader].map(async ([leader, partitions]) => {
    const response = await client.fetch(leader, topic,
      partitions.map(p => ({ partition: p, offset: positions.get(p)!, partitionMaxBytes: PARTITION_FETCH_BYTES_MAX })),
      { maxWaitMs: options.maxWaitMs, minBytes: 1, maxBytes: FETCH_BYTES_MAX })
    if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, `Fetch ${topic}`)
    for (const t of response.topics) {
      for (const p of t.partitions) {
        const from = positions.get(p.partitionIndex)
        if (from === undefined) continue
        const fetched: FetchedRecord[] = []
        const next = p.errorCode === ErrorCode.NONE ? await decodeFetchedRecords(p.records as Buffer | null, topic, p.partitionIndex, from, fetched) : from
        reads.push({ partition: p.partitionIndex, errorCode: p.errorCode, next, highWatermark: p.highWatermark, records: keyed(fetched) })
      }
    }
  }))
  return reads.sort((a, b) => a.partition - b.partition)
}

/** The reads of one poll in the history's shape: key -> [[offset, value], ...] in offset order. */
export function readsByKey (reads: readonly PartitionRead[]): Record<string, Array<[number, number]>> {
  const out: Record<string, Array<[number, number]>> = {}
  for (const read of reads) {
    for (const record of read.records) (out[record.key] ??= []).push([record.offset, record.value])
  }
  return out
}

/** The connection to `group`'s coordinator (FindCoordinator, then its advertised address). */
export async function coordinatorConnection (client: KafkaClient, group: string): Promise<Connection> {
  const any = await client.anyConnection()
  const found = await any.request(FindCoordinator, { key: group, keyType: COORDINATOR_KEY_TYPE_GROUP })
  if (found.errorCode !== ErrorCode.NONE) throw kafkaError(found.errorCode, `FindCoordinator "${group}"`, found.errorMessage)
  return await client.connection(`${found.host}:${found.port}`)
}

/** Committed offsets of `group` for `partitions` (-1 where none). */
export async function fetchCommitted (client: KafkaClient, group: string, topic: string, partitions: readonly number[]): Promise<Map<number, number>> {
  const connection = await coordinatorConnection(client, group)
  const response = await connection.request(OffsetFetch, { groupId: group, topics: [{ name: topic, partitionIndexes: [...partitions] }] })
  if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, `OffsetFetch "${group}"`)
  const out = new Map<number, number>()
  for (const t of response.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `OffsetFetch "${group}" ${topic}-${p.partitionIndex}`)
      out.set(p.partitionIndex, p.committedOffset)
    }
  }
  return out
}

/**
 * A "simple" commit (generation -1, no member: the assign() style Kafka allows while the
 * group has no members). Throws the broker's error when every partition failed, an `info`
 * OutcomeError when only some did.
 */
export async function commitSimple (client: KafkaClient, group: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
  const connection = await coordinatorConnection(client, group)
  const response = await connection.request(OffsetCommit, {
    groupId: group,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{
      name: topic,
      partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null })),
    }],
  })
  const errors = response.topics.flatMap(t => t.partitions).filter(p => p.errorCode !== ErrorCode.NONE)
  if (errors.length === 0) return
  const failed = kafkaError(errors[0]!.errorCode, `OffsetCommit "${group}" ${topic}-${errors[0]!.partitionIndex}`)
  // Some partitions committed and some did not: the op neither happened nor failed as a whole.
  if (errors.length < offsets.size) throw new OutcomeError('info', `partial commit: ${failed.message}`, { cause: failed })
  throw failed
}
