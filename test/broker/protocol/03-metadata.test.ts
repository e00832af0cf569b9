import { describe, expect, it } from 'vitest'
import {
  AUTHORIZED_OPERATIONS_OMITTED, Metadata, type MetadataRequest, type MetadataResponse,
} from '../../../broker/protocol/03-metadata.ts'
import { ProtocolError, Reader } from '../../../broker/protocol/reader.ts'
import { decode, encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: MetadataRequest = {
  topics: ['orders', 'payments'],
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: true,
  includeTopicAuthorizedOperations: true,
}

function expectedRequest (version: number, req: MetadataRequest = request): MetadataRequest {
  return {
    topics: version === 0 && req.topics?.length === 0 ? null : req.topics,
    allowAutoTopicCreation: version >= 4 ? req.allowAutoTopicCreation : true,
    includeClusterAuthorizedOperations: version >= 8 && version <= 10 ? req.includeClusterAuthorizedOperations : false,
    includeTopicAuthorizedOperations: version >= 8 ? req.includeTopicAuthorizedOperations : false,
  }
}

const response: MetadataResponse = {
  throttleTimeMs: 3,
  brokers: [
    { nodeId: 1, host: '127.0.0.1', port: 9092, rack: 'r1' },
    { nodeId: 2, host: 'localhost', port: 9093, rack: null },
  ],
  clusterId: 'sluice-cluster',
  controllerId: 1,
  topics: [
    {
      errorCode: 0,
      name: 'orders',
      isInternal: true,
      partitions: [
        { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] },
        { errorCode: 5, partitionIndex: 1, leaderId: -1, leaderEpoch: 0, replicaNodes: [], isrNodes: [], offlineReplicas: [] },
      ],
      topicAuthorizedOperations: 0x0ff8,
    },
    { errorCode: 3, name: 'missing', isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED },
  ],
  clusterAuthorizedOperations: 0x0220,
}

function expectedResponse (version: number): MetadataResponse {
  return {
    throttleTimeMs: version >= 3 ? response.throttleTimeMs : 0,
    brokers: response.brokers.map(b => ({ ...b, rack: version >= 1 ? b.rack : null })),
    clusterId: version >= 2 ? response.clusterId : null,
    controllerId: version >= 1 ? response.controllerId : -1,
    topics: response.topics.map(t => ({
      ...t,
      isInternal: version >= 1 ? t.isInternal : false,
      partitions: t.partitions.map(p => ({
        ...p,
        leaderEpoch: version >= 7 ? p.leaderEpoch : -1,
        offlineReplicas: version >= 5 ? p.offlineReplicas : [],
      })),
      topicAuthorizedOperations: version >= 8 ? t.topicAuthorizedOperations : AUTHORIZED_OPERATIONS_OMITTED,
    })),
    clusterAuthorizedOperations: version >= 8 ? response.clusterAuthorizedOperations : AUTHORIZED_OPERATIONS_OMITTED,
  }
}

describe('Metadata codec', () => {
  it('advertises 0-8 and knows v9 is the first flexible version', () => {
    expect([Metadata.key, Metadata.minVersion, Metadata.maxVersion, Metadata.flexibleVersion]).toEqual([3, 0, 8, 9])
  })

  for (const version of [...versionsOf(Metadata), Metadata.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(Metadata, 'request', version, request, expectedRequest(version))
      })

      it('round-trips a request for all topics as null', () => {
        const all = { ...request, topics: null }
        expectRoundTrip(Metadata, 'request', version, all, expectedRequest(version, all))
      })

      it('round-trips the response', () => {
        expectRoundTrip(Metadata, 'response', version, response, expectedResponse(version))
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(Metadata, direction, version, value)
          expectTruncationsThrow(Metadata, direction, version, bytes)
          expectCorruptionsContained(Metadata, direction, version, bytes, version)
        }
      })
    })
  }

  it('keeps an empty topic list meaning "none" from v1 on', () => {
    const none = { ...request, topics: [] }
    expect((decode(Metadata, 'request', 1, encode(Metadata, 'request', 1, none)) as MetadataRequest).topics).toEqual([])
  })

  it('encodes v0 requests byte for byte as the grammar says, empty meaning all topics', () => {
    expect(encode(Metadata, 'request', 0, { ...request, topics: ['test'] })).toEqual(hex('00000001', '0004 74657374'))
    expect(encode(Metadata, 'request', 0, { ...request, topics: null })).toEqual(hex('00000000'))
    expect(encode(Metadata, 'request', 1, { ...request, topics: null })).toEqual(hex('ffffffff'))
    expect((decode(Metadata, 'request', 0, hex('00000000')) as MetadataRequest).topics).toBeNull()
  })

  it('rejects a null topics array in v0, where the grammar does not allow one', () => {
    expect(() => Metadata.decodeRequest(new Reader(hex('ffffffff')), 0)).toThrow(ProtocolError)
  })

  it('encodes a v0 response byte for byte as the grammar says', () => {
    const bytes = encode(Metadata, 'response', 0, {
      ...response,
      brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: 'ignored' }],
      topics: [{ errorCode: 0, name: 't', isInternal: true, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 9, replicaNodes: [1], isrNodes: [1], offlineReplicas: [2] }], topicAuthorizedOperations: 0 }],
    })
    expect(bytes).toEqual(hex(
      '00000001', '00000001', '0001 68', '00002384', // 1 broker: node 1, host "h", port 9092 (no rack before v1)
      '00000001', '0000', '0001 74', // 1 topic: error 0, name "t" (no is_internal before v1)
      '00000001', '0000', '00000000', '00000001', // 1 partition: error 0, index 0, leader 1 (no epoch before v7)
      '00000001', '00000001', '00000001', '00000001', // replicas [1], isr [1] (no offline replicas before v5)
    ))
  })

  it('encodes a v9 request with compact encodings and tag buffers', () => {
    expect(encode(Metadata, 'request', 9, { ...request, topics: ['ab'] })).toEqual(hex(
      '02', '03 6162', '00', // 1 topic struct: name "ab", its tags
      '00', '01', '01', // allow_auto_topic_creation false, include cluster ops, include topic ops
      '00', // body tags
    ))
  })
})
