// The quorum core's Fetch and FetchSnapshot messages as Kafka RPCs, both ways: Fetch v12-18
// of `__cluster_metadata-0` (01-fetch-quorum.ts; the topic by name at v12, by its fixed id
// from v13) with entries as record batches (entry-batches.ts), and FetchSnapshot v0-1.
// The wire has no entry count: the leader answers with up to its own fetchMaxEntries.

import { ErrorCode } from '../../protocol/errors.ts'
import { METADATA_TOPIC, METADATA_TOPIC_ID, QuorumFetch, type QuorumFetchRequest, type QuorumFetchResponse } from '../../protocol/01-fetch-quorum.ts'
import { FetchSnapshot, type FetchSnapshotRequest as WireSnapshotRequest, type FetchSnapshotResponse as WireSnapshotResponse } from '../../protocol/59-fetch-snapshot.ts'
import { ZERO_UUID } from '../../protocol/raft-common.ts'
import type { RaftMessage } from '../raft/types.ts'
import { decodeEntries, encodeEntries } from './entry-batches.ts'
import { refusal, onlyPartition, type Incoming, type WireCall, type WireContext } from './wire.ts'

/** What one Fetch asks for at most, in bytes (the leader's entry limit applies first). */
const FETCH_MAX_BYTES = 8 * 1024 * 1024

function unexpected (what: string, m: RaftMessage): never {
  throw new Error(`programmer error: ${what} got a ${m.type} message`)
}

function isMetadataTopic (version: number, t: { topic: string; topicId: Buffer }): boolean {
  return version >= 13 ? t.topicId.equals(METADATA_TOPIC_ID) : t.topic === METADATA_TOPIC
}

function topicRef (version: number): { topic: string; topicId: Buffer } {
  return version >= 13 ? { topic: '', topicId: METADATA_TOPIC_ID } : { topic: METADATA_TOPIC, topicId: ZERO_UUID }
}

function fetchError (errorCode: number): QuorumFetchResponse {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] }
}

export function fetchCall (m: RaftMessage, _to: number, ctx: WireContext): WireCall {
  if (m.type !== 'fetch') unexpected('fetchCall', m)
  return {
    codec: QuorumFetch,
    build: (version): QuorumFetchRequest => ({
      clusterId: ctx.clusterId,
      replicaId: m.replicaId,
      replicaEpoch: -1,
      maxWaitMs: ctx.fetchMaxWaitMs,
      minBytes: 0,
      maxBytes: FETCH_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        ...topicRef(version),
        partitions: [{ partition: 0, currentLeaderEpoch: m.epoch, fetchOffset: m.fetchOffset, lastFetchedEpoch: m.lastFetchedEpoch, logStartOffset: -1, partitionMaxBytes: FETCH_MAX_BYTES, replicaDirectoryId: ZERO_UUID }],
      }],
      forgottenTopicsData: [],
      rackId: '',
    }),
    answer: (res: QuorumFetchResponse, version: number) => {
      if (res.errorCode !== ErrorCode.NONE) return `Fetch refused with error ${res.errorCode}`
      const p = onlyPartition(res.responses, i => isMetadataTopic(version, res.responses[i]!), p => p.partitionIndex)
      if (p === null) return 'Fetch response does not name __cluster_metadata-0'
      let entries
      try {
        entries = decodeEntries(p.records)
      } catch (err) {
        return `Fetch response with malformed records: ${(err as Error).message}`
      }
      return {
        type: 'fetchResponse',
        errorCode: p.errorCode,
        epoch: p.currentLeader?.leaderEpoch ?? -1,
        leaderId: p.currentLeader?.leaderId ?? -1,
        highWatermark: p.highWatermark,
        entries,
        divergingEpoch: p.divergingEpoch === null ? null : { epoch: p.divergingEpoch.epoch, offset: p.divergingEpoch.endOffset },
        snapshotId: p.snapshotId === null ? null : { epoch: p.snapshotId.epoch, offset: p.snapshotId.endOffset },
      }
    },
  }
}

export function incomingFetch (req: QuorumFetchRequest, version: number, ctx: WireContext): Incoming<QuorumFetchResponse> {
  const refused = refusal(req.clusterId, ctx)
  if (refused !== null) return { kind: 'refuse', response: fetchError(refused.code), reason: refused.reason }
  const p = onlyPartition(req.topics, i => isMetadataTopic(version, req.topics[i]!), p => p.partition)
  if (p === null || req.replicaId < 0) return { kind: 'refuse', response: fetchError(ErrorCode.INVALID_REQUEST), reason: 'not a replica fetch of __cluster_metadata-0' }
  return {
    kind: 'message',
    from: req.replicaId,
    message: { type: 'fetch', replicaId: req.replicaId, epoch: p.currentLeaderEpoch, fetchOffset: p.fetchOffset, lastFetchedEpoch: p.lastFetchedEpoch, maxEntries: Number.MAX_SAFE_INTEGER },
    reply: m => {
      if (m.type !== 'fetchResponse') unexpected('Fetch reply', m)
      const records = m.entries.length === 0 ? null : encodeEntries(m.entries, epoch => ({ leaderId: ctx.leaderOf(epoch), voters: ctx.voters }))
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: [{
          ...topicRef(version),
          partitions: [{
            partitionIndex: 0, errorCode: m.errorCode, highWatermark: m.highWatermark, lastStableOffset: m.highWatermark, logStartOffset: ctx.logStartOffset(),
            divergingEpoch: m.divergingEpoch === null ? null : { epoch: m.divergingEpoch.epoch, endOffset: m.divergingEpoch.offset },
            currentLeader: { leaderId: m.leaderId, leaderEpoch: m.epoch },
            snapshotId: m.snapshotId === null ? null : { endOffset: m.snapshotId.offset, epoch: m.snapshotId.epoch },
            abortedTransactions: null, preferredReadReplica: -1, records,
          }],
        }],
      }
    },
  }
}

// --- FetchSnapshot ---

function snapshotError (errorCode: number): WireSnapshotResponse {
  return { throttleTimeMs: 0, errorCode, topics: [] }
}

export function fetchSnapshotCall (m: RaftMessage, _to: number, ctx: WireContext): WireCall {
  if (m.type !== 'fetchSnapshot') unexpected('fetchSnapshotCall', m)
  return {
    codec: FetchSnapshot,
    build: (): WireSnapshotRequest => ({
      clusterId: ctx.clusterId,
      replicaId: m.replicaId,
      maxBytes: m.maxBytes,
      topics: [{
        name: METADATA_TOPIC,
        partitions: [{ partition: 0, currentLeaderEpoch: m.epoch, snapshotId: { endOffset: m.snapshotId.offset, epoch: m.snapshotId.epoch }, position: m.position, replicaDirectoryId: ZERO_UUID }],
      }],
    }),
    answer: (res: WireSnapshotResponse) => {
      if (res.errorCode !== ErrorCode.NONE) return `FetchSnapshot refused with error ${res.errorCode}`
      const p = onlyPartition(res.topics, i => res.topics[i]!.name === METADATA_TOPIC, p => p.index)
      if (p === null) return 'FetchSnapshot response does not name __cluster_metadata-0'
      return {
        type: 'fetchSnapshotResponse', errorCode: p.errorCode, epoch: p.currentLeader.leaderEpoch, leaderId: p.currentLeader.leaderId,
        snapshotId: { offset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch }, sizeBytes: p.size, position: p.position, chunk: p.unalignedRecords,
      }
    },
  }
}

export function incomingFetchSnapshot (req: WireSnapshotRequest, ctx: WireContext): Incoming<WireSnapshotResponse> {
  const refused = refusal(req.clusterId, ctx)
  if (refused !== null) return { kind: 'refuse', response: snapshotError(refused.code), reason: refused.reason }
  const p = onlyPartition(req.topics, i => req.topics[i]!.name === METADATA_TOPIC, p => p.partition)
  if (p === null || req.replicaId < 0) return { kind: 'refuse', response: snapshotError(ErrorCode.INVALID_REQUEST), reason: 'not a replica fetch of __cluster_metadata-0' }
  return {
    kind: 'message',
    from: req.replicaId,
    message: { type: 'fetchSnapshot', replicaId: req.replicaId, epoch: p.currentLeaderEpoch, snapshotId: { offset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch }, position: p.position, maxBytes: req.maxBytes },
    reply: m => {
      if (m.type !== 'fetchSnapshotResponse') unexpected('FetchSnapshot reply', m)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        topics: [{
          name: METADATA_TOPIC,
          partitions: [{
            index: 0, errorCode: m.errorCode, snapshotId: { endOffset: m.snapshotId.offset, epoch: m.snapshotId.epoch },
            currentLeader: { leaderId: m.leaderId, leaderEpoch: m.epoch }, size: m.sizeBytes, position: m.position,
            unalignedRecords: Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength),
          }],
        }],
      }
    },
  }
}
