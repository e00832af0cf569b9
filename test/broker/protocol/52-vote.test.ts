import { describe, expect, it } from 'vitest'
import { Vote, type VoteRequest, type VoteResponse } from '../../../broker/protocol/52-vote.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const dirA = Buffer.alloc(16, 0xa1)
const dirB = Buffer.alloc(16, 0xb2)

const request: VoteRequest = {
  clusterId: 'cluster-x',
  voterId: 2,
  topics: [{
    topicName: '__cluster_metadata',
    partitions: [{ partitionIndex: 0, replicaEpoch: 7, replicaId: 3, replicaDirectoryId: dirA, voterDirectoryId: dirB, lastOffsetEpoch: 6, lastOffset: 2 ** 40, preVote: true }],
  }],
}

function expectedRequest (v: number): VoteRequest {
  return {
    ...request,
    voterId: v >= 1 ? 2 : -1,
    topics: request.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({
        ...p,
        replicaDirectoryId: v >= 1 ? dirA : ZERO_UUID,
        voterDirectoryId: v >= 1 ? dirB : ZERO_UUID,
        preVote: v >= 2,
      })),
    })),
  }
}

const response: VoteResponse = {
  errorCode: 0,
  topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, errorCode: 74, leaderId: 1, leaderEpoch: 8, voteGranted: false }] }],
}

describe('Vote codec', () => {
  it('is key 52, v0-2, flexible from v0', () => {
    expect([Vote.key, Vote.minVersion, Vote.maxVersion, Vote.flexibleVersion]).toEqual([52, 0, 2, 0])
  })

  codecVersionTests(Vote, { request, expectedRequest, response, expectedResponse: () => response })

  it('writes the v0 request byte for byte', () => {
    const bytes = encodeWith(w => {
      Vote.encodeRequest(w, 0, { clusterId: null, voterId: -1, topics: [{ topicName: 'm', partitions: [{ ...expectedRequest(0).topics[0]!.partitions[0]!, lastOffset: 5 }] }] })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      00                   # cluster_id null
      02 02 6d             # one topic "m"
      02 00000000 00000007 00000003 00000006 0000000000000005 00  # one partition
      00 00                # topic tags, request tags
    `).toString('hex'))
  })
})
