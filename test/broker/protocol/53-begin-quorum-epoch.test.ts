import { describe, expect, it } from 'vitest'
import { BeginQuorumEpoch, type BeginQuorumEpochRequest, type BeginQuorumEpochResponse } from '../../../broker/protocol/53-begin-quorum-epoch.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { codecVersionTests } from './codec-helpers.ts'

const dir = Buffer.alloc(16, 0x5c)

const request: BeginQuorumEpochRequest = {
  clusterId: 'cluster-x',
  voterId: 3,
  topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, voterDirectoryId: dir, leaderId: 1, leaderEpoch: 9 }] }],
  leaderEndpoints: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 65_001 }],
}

function expectedRequest (v: number): BeginQuorumEpochRequest {
  if (v >= 1) return request
  return {
    ...request,
    voterId: -1,
    topics: request.topics.map(t => ({ ...t, partitions: t.partitions.map(p => ({ ...p, voterDirectoryId: ZERO_UUID })) })),
    leaderEndpoints: [],
  }
}

const response: BeginQuorumEpochResponse = {
  errorCode: 0,
  topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 9 }] }],
}

describe('BeginQuorumEpoch codec', () => {
  it('is key 53, v0-1, flexible from v1', () => {
    expect([BeginQuorumEpoch.key, BeginQuorumEpoch.minVersion, BeginQuorumEpoch.maxVersion, BeginQuorumEpoch.flexibleVersion]).toEqual([53, 0, 1, 1])
  })

  codecVersionTests(BeginQuorumEpoch, { request, expectedRequest, response, expectedResponse: () => response })
})
