// The metadata quorum's wire against Kafka 4.1.1's own serializers: the bytes in
// kafka-golden/quorum-apis.txt come from Kafka's generated message classes and
// MemoryRecords (kafka-golden/QuorumGold.java), for the same values as below. Vote
// requests are built by our wire mapping (voteCall), so the mapping is checked too.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeEntries, encodeLeaderChange } from '../../../broker/cluster/quorum/entry-batches.ts'
import { voteCall, type WireContext } from '../../../broker/cluster/quorum/wire.ts'
import { METADATA_TOPIC_ID, QuorumFetch, type QuorumFetchRequest, type QuorumFetchResponse } from '../../../broker/protocol/01-fetch-quorum.ts'
import { Vote } from '../../../broker/protocol/52-vote.ts'
import { FetchSnapshot, type FetchSnapshotRequest, type FetchSnapshotResponse } from '../../../broker/protocol/59-fetch-snapshot.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { decode, encode } from './codec-harness.ts'

const GOLD = new Map(readFileSync(new URL('./kafka-golden/quorum-apis.txt', import.meta.url), 'utf8').trim().split('\n').map(line => {
  const at = line.lastIndexOf(' ')
  return [line.slice(0, at), line.slice(at + 1)]
}))

function gold (key: string): string {
  const bytes = GOLD.get(key)
  if (bytes === undefined) throw new Error(`no golden bytes for ${key}`)
  return bytes
}

function fetchRequest (v: number): QuorumFetchRequest {
  const ref = v >= 13 ? { topic: '', topicId: METADATA_TOPIC_ID } : { topic: '__cluster_metadata', topicId: ZERO_UUID }
  return {
    clusterId: 'abc', replicaId: 2, replicaEpoch: v >= 15 ? 77 : -1, maxWaitMs: 500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 9, sessionEpoch: 3,
    topics: [{ ...ref, partitions: [{ partition: 0, currentLeaderEpoch: 4, fetchOffset: 2 ** 40, lastFetchedEpoch: 3, logStartOffset: 5, partitionMaxBytes: 4096, replicaDirectoryId: v >= 17 ? Buffer.alloc(16, 0x3c) : ZERO_UUID }] }],
    forgottenTopicsData: [{ ...ref, partitions: [1, 2] }],
    rackId: 'rack-a',
  }
}

function fetchResponse (v: number): QuorumFetchResponse {
  const ref = v >= 13 ? { topic: '', topicId: METADATA_TOPIC_ID } : { topic: '__cluster_metadata', topicId: ZERO_UUID }
  return {
    throttleTimeMs: 1, errorCode: 0, sessionId: 0,
    responses: [{
      ...ref,
      partitions: [{
        partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 2,
        divergingEpoch: { epoch: 2, endOffset: 8 }, currentLeader: { leaderId: 1, leaderEpoch: 3 }, snapshotId: { endOffset: 2, epoch: 1 },
        abortedTransactions: [{ producerId: 5, firstOffset: 6 }], preferredReadReplica: -1, records: Buffer.from('not really records'),
      }],
    }],
  }
}

function snapshotRequest (v: number): FetchSnapshotRequest {
  return {
    clusterId: 'c1', replicaId: 2, maxBytes: 4096,
    topics: [{ name: '__cluster_metadata', partitions: [{ partition: 0, currentLeaderEpoch: 5, snapshotId: { endOffset: 100, epoch: 4 }, position: 7, replicaDirectoryId: v >= 1 ? Buffer.alloc(16, 0xaa) : ZERO_UUID }] }],
  }
}

const snapshotResponse: FetchSnapshotResponse = {
  throttleTimeMs: 0, errorCode: 0,
  topics: [{ name: '__cluster_metadata', partitions: [{ index: 0, errorCode: 0, snapshotId: { endOffset: 100, epoch: 4 }, currentLeader: { leaderId: 1, leaderEpoch: 5 }, size: 2 ** 33, position: 7, unalignedRecords: Buffer.from('chunk') }] }],
}

const ctx: WireContext = { clusterId: 'cluster-a', nodeId: 2, voters: [1, 2, 3], fetchMaxWaitMs: 500, logStartOffset: () => 0, endpoints: () => [], leaderOf: () => -1 }

describe('byte-for-byte agreement with Kafka 4.1.1 on the quorum wire', () => {
  for (let v = 12; v <= 18; v++) {
    it(`Fetch v${v} request and response`, () => {
      expect(encode(QuorumFetch, 'request', v, fetchRequest(v)).toString('hex')).toBe(gold(`FetchRequest v${v}`))
      expect(encode(QuorumFetch, 'response', v, fetchResponse(v)).toString('hex')).toBe(gold(`FetchResponse v${v}`))
      expect(decode(QuorumFetch, 'request', v, Buffer.from(gold(`FetchRequest v${v}`), 'hex'))).toEqual(fetchRequest(v))
      expect(decode(QuorumFetch, 'response', v, Buffer.from(gold(`FetchResponse v${v}`), 'hex'))).toEqual(fetchResponse(v))
    })
  }

  for (let v = 0; v <= 1; v++) {
    it(`FetchSnapshot v${v} request and response`, () => {
      expect(encode(FetchSnapshot, 'request', v, snapshotRequest(v)).toString('hex')).toBe(gold(`FetchSnapshotRequest v${v}`))
      expect(encode(FetchSnapshot, 'response', v, snapshotResponse).toString('hex')).toBe(gold(`FetchSnapshotResponse v${v}`))
      expect(decode(FetchSnapshot, 'request', v, Buffer.from(gold(`FetchSnapshotRequest v${v}`), 'hex'))).toEqual(snapshotRequest(v))
      expect(decode(FetchSnapshot, 'response', v, Buffer.from(gold(`FetchSnapshotResponse v${v}`), 'hex'))).toEqual(snapshotResponse)
    })
  }

  for (let v = 0; v <= 2; v++) {
    it(`Vote v${v} request as the wire mapping builds it`, () => {
      const call = voteCall({ type: 'vote', epoch: 5, candidateId: 2, lastEpoch: 4, lastOffset: 99, preVote: v >= 2 }, 1, ctx)
      expect(encode(Vote, 'request', v, call.build(v)).toString('hex')).toBe(gold(`VoteRequest v${v}`))
    })
  }

  it('LeaderChangeMessage v0', () => {
    expect(encodeLeaderChange({ leaderId: 1, voters: [1, 2, 3] }).toString('hex')).toBe(gold('LeaderChangeMessage v0'))
  })

  it('reads Kafka\'s leader-change control batch and data batch as entries', () => {
    const records = Buffer.concat([Buffer.from(gold('batch leaderChange'), 'hex'), Buffer.from(gold('batch data'), 'hex')])
    expect(decodeEntries(records)).toEqual([
      { offset: 10, epoch: 7, kind: 'leaderChange', data: new Uint8Array(0) },
      { offset: 11, epoch: 7, kind: 'data', data: Buffer.from('a') },
      { offset: 12, epoch: 7, kind: 'data', data: Buffer.from('bb') },
    ])
  })

  it('has no golden line left unchecked', () => {
    expect(GOLD.size).toBe(7 * 2 + 2 * 2 + 3 + 1 + 2)
  })
})
