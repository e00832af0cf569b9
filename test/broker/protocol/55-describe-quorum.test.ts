import { describe, expect, it } from 'vitest'
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse, type QuorumReplicaState } from '../../../broker/protocol/55-describe-quorum.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { codecVersionTests } from './codec-helpers.ts'

const request: DescribeQuorumRequest = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }

const replica = (replicaId: number): QuorumReplicaState => ({
  replicaId, replicaDirectoryId: Buffer.alloc(16, replicaId), logEndOffset: 100 + replicaId, lastFetchTimestamp: 1_700_000_000_000, lastCaughtUpTimestamp: 1_700_000_000_001,
})

const response: DescribeQuorumResponse = {
  errorCode: 0,
  errorMessage: 'none',
  topics: [{
    topicName: '__cluster_metadata',
    partitions: [{
      partitionIndex: 0, errorCode: 0, errorMessage: 'fine', leaderId: 1, leaderEpoch: 5, highWatermark: 2 ** 35,
      currentVoters: [replica(1), replica(2), replica(3)], observers: [replica(101)],
    }],
  }],
  nodes: [{ nodeId: 1, listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9093 }] }],
}

function expectedResponse (v: number): DescribeQuorumResponse {
  const at = (s: QuorumReplicaState): QuorumReplicaState => ({
    ...s,
    replicaDirectoryId: v >= 2 ? s.replicaDirectoryId : ZERO_UUID,
    lastFetchTimestamp: v >= 1 ? s.lastFetchTimestamp : -1,
    lastCaughtUpTimestamp: v >= 1 ? s.lastCaughtUpTimestamp : -1,
  })
  const p = response.topics[0]!.partitions[0]!
  return {
    errorCode: 0,
    errorMessage: v >= 2 ? response.errorMessage : null,
    topics: [{ topicName: '__cluster_metadata', partitions: [{ ...p, errorMessage: v >= 2 ? p.errorMessage : null, currentVoters: p.currentVoters.map(at), observers: p.observers.map(at) }] }],
    nodes: v >= 2 ? response.nodes : [],
  }
}

describe('DescribeQuorum codec', () => {
  it('is key 55, v0-2, flexible from v0', () => {
    expect([DescribeQuorum.key, DescribeQuorum.minVersion, DescribeQuorum.maxVersion, DescribeQuorum.flexibleVersion]).toEqual([55, 0, 2, 0])
  })

  codecVersionTests(DescribeQuorum, { request, expectedRequest: () => request, response, expectedResponse })
})
