import { describe, expect, it } from 'vitest'
import { ElectLeaders, type ElectLeadersRequest, type ElectLeadersResponse } from '../../../broker/protocol/43-elect-leaders.ts'
import { codecSuite } from './cluster-codec-cases.ts'
import { encode, expectRoundTrip, hex } from './codec-harness.ts'

const request: ElectLeadersRequest = { electionType: 1, topicPartitions: [{ topic: 'orders', partitions: [0, 2] }, { topic: 'x', partitions: [] }], timeoutMs: 60_000 }
const response: ElectLeadersResponse = {
  throttleTimeMs: 3,
  errorCode: 41,
  replicaElectionResults: [{ topic: 'orders', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }, { partitionId: 2, errorCode: 84, errorMessage: 'not needed' }] }],
}

describe('ElectLeaders codec', () => {
  it('is API key 43, versions 0-2, flexible from v2', () => {
    expect([ElectLeaders.key, ElectLeaders.minVersion, ElectLeaders.maxVersion, ElectLeaders.flexibleVersion]).toEqual([43, 0, 2, 2])
  })

  codecSuite(ElectLeaders, {
    request,
    expectedRequest: v => ({ ...request, electionType: v >= 1 ? 1 : 0 }),
    response,
    expectedResponse: v => ({ ...response, errorCode: v >= 1 ? 41 : 0 }),
  })

  it('carries a null partition list (every partition)', () => {
    for (const v of [0, 1, 2]) expectRoundTrip(ElectLeaders, 'request', v, { electionType: 0, topicPartitions: null, timeoutMs: 1 }, { electionType: 0, topicPartitions: null, timeoutMs: 1 })
  })

  it('encodes v1 and v2 requests byte for byte as the grammar says', () => {
    const req = { electionType: 1, topicPartitions: [{ topic: 'a', partitions: [7] }], timeoutMs: 1 }
    expect(encode(ElectLeaders, 'request', 1, req)).toEqual(hex('01', '00000001', '0001 61', '00000001 00000007', '00000001'))
    expect(encode(ElectLeaders, 'request', 2, req)).toEqual(hex('01', '02', '02 61', '02 00000007', '00', '00000001', '00'))
  })
})
