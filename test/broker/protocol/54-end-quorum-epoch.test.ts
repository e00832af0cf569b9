import { describe, expect, it } from 'vitest'
import { EndQuorumEpoch, type EndQuorumEpochRequest, type EndQuorumEpochResponse } from '../../../broker/protocol/54-end-quorum-epoch.ts'
import { codecVersionTests } from './codec-helpers.ts'

const dir = Buffer.alloc(16, 0x2e)

const request: EndQuorumEpochRequest = {
  clusterId: null,
  topics: [{
    topicName: '__cluster_metadata',
    partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 4, preferredSuccessors: [3, 2], preferredCandidates: [{ candidateId: 3, candidateDirectoryId: dir }] }],
  }],
  leaderEndpoints: [{ name: 'CONTROLLER', host: 'localhost', port: 9093 }],
}

function expectedRequest (v: number): EndQuorumEpochRequest {
  const partitions = request.topics[0]!.partitions.map(p => ({
    ...p,
    preferredSuccessors: v === 0 ? p.preferredSuccessors : [],
    preferredCandidates: v >= 1 ? p.preferredCandidates : [],
  }))
  return { ...request, topics: [{ topicName: '__cluster_metadata', partitions }], leaderEndpoints: v >= 1 ? request.leaderEndpoints : [] }
}

const response: EndQuorumEpochResponse = {
  errorCode: 94,
  topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: -1, leaderEpoch: 4 }] }],
}

describe('EndQuorumEpoch codec', () => {
  it('is key 54, v0-1, flexible from v1', () => {
    expect([EndQuorumEpoch.key, EndQuorumEpoch.minVersion, EndQuorumEpoch.maxVersion, EndQuorumEpoch.flexibleVersion]).toEqual([54, 0, 1, 1])
  })

  codecVersionTests(EndQuorumEpoch, { request, expectedRequest, response, expectedResponse: () => response })
})
