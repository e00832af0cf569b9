import { describe, expect, it } from 'vitest'
import { Fetch } from '../../../broker/protocol/01-fetch.ts'
import { METADATA_TOPIC_ID, QuorumFetch, type QuorumFetchRequest, type QuorumFetchResponse } from '../../../broker/protocol/01-fetch-quorum.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const dir = Buffer.alloc(16, 0x3c)

const request: QuorumFetchRequest = {
  clusterId: 'abc',
  replicaId: 2,
  replicaEpoch: 77,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 1,
  sessionId: 9,
  sessionEpoch: 3,
  topics: [{ topic: '__cluster_metadata', topicId: METADATA_TOPIC_ID, partitions: [{ partition: 0, currentLeaderEpoch: 4, fetchOffset: 2 ** 40, lastFetchedEpoch: 3, logStartOffset: 5, partitionMaxBytes: 4096, replicaDirectoryId: dir }] }],
  forgottenTopicsData: [{ topic: '__cluster_metadata', topicId: METADATA_TOPIC_ID, partitions: [1, 2] }],
  rackId: 'rack-a',
}

function topicAt<T extends { topic: string, topicId: Buffer }> (v: number, t: T): T {
  return v >= 13 ? { ...t, topic: '' } : { ...t, topicId: ZERO_UUID }
}

function expectedRequest (v: number): QuorumFetchRequest {
  return {
    ...request,
    replicaEpoch: v >= 15 ? request.replicaEpoch : -1,
    topics: request.topics.map(t => topicAt(v, { ...t, partitions: t.partitions.map(p => ({ ...p, replicaDirectoryId: v >= 17 ? p.replicaDirectoryId : ZERO_UUID })) })),
    forgottenTopicsData: request.forgottenTopicsData.map(t => topicAt(v, t)),
  }
}

const response: QuorumFetchResponse = {
  throttleTimeMs: 1,
  errorCode: 0,
  sessionId: 0,
  responses: [{
    topic: '__cluster_metadata',
    topicId: METADATA_TOPIC_ID,
    partitions: [{
      partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 2,
      divergingEpoch: { epoch: 2, endOffset: 8 }, currentLeader: { leaderId: 1, leaderEpoch: 3 }, snapshotId: { endOffset: 2, epoch: 1 },
      abortedTransactions: [{ producerId: 5, firstOffset: 6 }], preferredReadReplica: -1, records: Buffer.from('not really records'),
    }],
  }],
}

describe('Fetch codec of the metadata quorum', () => {
  it('is key 1, v12-18, flexible from v12, and leaves the client Fetch at v4-11', () => {
    expect([QuorumFetch.key, QuorumFetch.minVersion, QuorumFetch.maxVersion, QuorumFetch.flexibleVersion]).toEqual([1, 12, 18, 12])
    expect([Fetch.minVersion, Fetch.maxVersion]).toEqual([4, 11])
  })

  codecVersionTests(QuorumFetch, { request, expectedRequest, response, expectedResponse: v => ({ ...response, responses: response.responses.map(t => topicAt(v, t)) }) })

  it('writes a v15 follower fetch byte for byte (replica_state tag, topic id)', () => {
    const follower: QuorumFetchRequest = {
      clusterId: null, replicaId: 1, replicaEpoch: -1, maxWaitMs: 500, minBytes: 0, maxBytes: 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: '', topicId: METADATA_TOPIC_ID, partitions: [{ partition: 0, currentLeaderEpoch: 3, fetchOffset: 10, lastFetchedEpoch: 2, logStartOffset: -1, partitionMaxBytes: 1024, replicaDirectoryId: ZERO_UUID }] }],
      forgottenTopicsData: [],
      rackId: '',
    }
    const bytes = encodeWith(w => { QuorumFetch.encodeRequest(w, 15, follower) })
    expect(bytes.toString('hex')).toBe(hex(`
      000001f4 00000000 00000400 00 00000000 ffffffff   # max_wait, min_bytes, max_bytes, isolation, session id/epoch
      02 00000000000000000000000000000001              # topics: 1, topic id of __cluster_metadata
        02 00000000 00000003 000000000000000a 00000002 ffffffffffffffff 00000400 00   # partition 0
        00                                             # topic tags
      01                                               # forgotten topics: none
      01                                               # rack_id ""
      01 01 0d 00000001 ffffffffffffffff 00            # tag 1 replica_state: id 1, epoch -1
    `).toString('hex'))
  })

  it('writes a v13 answer with diverging_epoch and current_leader tags byte for byte', () => {
    const answer: QuorumFetchResponse = {
      throttleTimeMs: 0, errorCode: 0, sessionId: 0,
      responses: [{
        topic: '', topicId: METADATA_TOPIC_ID,
        partitions: [{
          partitionIndex: 0, errorCode: 0, highWatermark: 5, lastStableOffset: 5, logStartOffset: -1,
          divergingEpoch: { epoch: 2, endOffset: 4 }, currentLeader: { leaderId: 1, leaderEpoch: 3 }, snapshotId: null,
          abortedTransactions: null, preferredReadReplica: -1, records: null,
        }],
      }],
    }
    const bytes = encodeWith(w => { QuorumFetch.encodeResponse(w, 13, answer) })
    expect(bytes.toString('hex')).toBe(hex(`
      00000000 0000 00000000                          # throttle, error, session id
      02 00000000000000000000000000000001             # responses: 1, topic id
        02 00000000 0000 0000000000000005 0000000000000005 ffffffffffffffff   # partition 0, HW 5, LSO 5, log start -1
           00 ffffffff 00                             # aborted null, preferred replica -1, records null
           02 00 0d 00000002 0000000000000004 00      # tag 0 diverging_epoch: epoch 2, end 4
              01 09 00000001 00000003 00              # tag 1 current_leader: 1, epoch 3
        00                                            # topic tags
      00                                              # top-level tags
    `).toString('hex'))
  })
})
