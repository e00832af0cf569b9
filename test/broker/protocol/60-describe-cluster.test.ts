import { describeClusterV0, describeClusterV1, Reader as PReader } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { DescribeCluster, type DescribeClusterResponse } from '../../../broker/protocol/60-describe-cluster.ts'
import { codecSuite } from './cluster-codec-cases.ts'
import { decode, encode } from './codec-harness.ts'

const response: DescribeClusterResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  errorMessage: null,
  endpointType: 2,
  clusterId: 'Qx3bYzLJQvWw3b0pYgJqIg',
  controllerId: 2,
  brokers: [{ brokerId: 1, host: '127.0.0.1', port: 9092, rack: null }, { brokerId: 2, host: 'b', port: 9093, rack: 'r' }],
  clusterAuthorizedOperations: -2147483648,
}

describe('DescribeCluster codec', () => {
  it('is API key 60, versions 0-1, flexible from v0', () => {
    expect([DescribeCluster.key, DescribeCluster.minVersion, DescribeCluster.maxVersion, DescribeCluster.flexibleVersion]).toEqual([60, 0, 1, 0])
  })

  codecSuite(DescribeCluster, {
    request: { includeClusterAuthorizedOperations: true, endpointType: 2 },
    expectedRequest: v => ({ includeClusterAuthorizedOperations: true, endpointType: v >= 1 ? 2 : 1 }),
    response,
    expectedResponse: v => ({ ...response, endpointType: v >= 1 ? 2 : 1 }),
  })

  for (const [version, api] of [[0, describeClusterV0], [1, describeClusterV1]] as const) {
    it(`agrees with @platformatic/kafka at v${version}`, () => {
      const bytes = version === 0 ? describeClusterV0.createRequest(true, 1).buffer : describeClusterV1.createRequest(false, 2).buffer
      expect(decode(DescribeCluster, 'request', version, bytes)).toEqual(version === 0 ? { includeClusterAuthorizedOperations: true, endpointType: 1 } : { includeClusterAuthorizedOperations: false, endpointType: 2 })
      const parsed = api.parseResponse(0, 60, version, PReader.from(encode(DescribeCluster, 'response', version, response)))
      expect(parsed).toMatchObject({ clusterId: response.clusterId, controllerId: 2, brokers: response.brokers })
    })
  }
})
