import { describe, expect, it } from 'vitest'
import { CreateTopics, type CreateTopicsRequest, type CreateTopicsResponse } from '../../../broker/protocol/19-create-topics.ts'
import { encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: CreateTopicsRequest = {
  topics: [
    {
      name: 'orders',
      numPartitions: 6,
      replicationFactor: 1,
      assignments: [],
      configs: [{ name: 'retention.ms', value: '60000' }, { name: 'cleanup.policy', value: null }],
    },
    {
      name: 'placed',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }, { partitionIndex: 1, brokerIds: [2] }],
      configs: [],
    },
  ],
  timeoutMs: 5000,
  validateOnly: true,
}

const response: CreateTopicsResponse = {
  throttleTimeMs: 4,
  topics: [
    { name: 'orders', errorCode: 0, errorMessage: null },
    { name: 'placed', errorCode: 36, errorMessage: "Topic 'placed' already exists." },
  ],
}

function expectedResponse (version: number): CreateTopicsResponse {
  return {
    throttleTimeMs: version >= 2 ? response.throttleTimeMs : 0,
    topics: response.topics.map(t => ({ ...t, errorMessage: version >= 1 ? t.errorMessage : null })),
  }
}

describe('CreateTopics codec', () => {
  it('advertises 0-4 and knows v5 is the first flexible version', () => {
    expect([CreateTopics.key, CreateTopics.minVersion, CreateTopics.maxVersion, CreateTopics.flexibleVersion]).toEqual([19, 0, 4, 5])
  })

  for (const version of versionsOf(CreateTopics)) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(CreateTopics, 'request', version, request, { ...request, validateOnly: version >= 1 ? request.validateOnly : false })
      })

      it('round-trips the response', () => {
        expectRoundTrip(CreateTopics, 'response', version, response, expectedResponse(version))
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(CreateTopics, direction, version, value)
          expectTruncationsThrow(CreateTopics, direction, version, bytes)
          expectCorruptionsContained(CreateTopics, direction, version, bytes, version)
        }
      })
    })
  }

  describe('v5 (flexible)', () => {
    const flexibleResponse: CreateTopicsResponse = {
      throttleTimeMs: 4,
      topics: [
        {
          name: 'orders',
          errorCode: 0,
          errorMessage: null,
          numPartitions: 6,
          replicationFactor: 1,
          configs: [{ name: 'retention.ms', value: '60000', readOnly: false, configSource: 1, isSensitive: false }],
        },
        { name: 'placed', errorCode: 36, errorMessage: 'exists', numPartitions: -1, replicationFactor: -1, configs: null },
      ],
    }

    it('round-trips the request and the response with its v5 topic details', () => {
      expectRoundTrip(CreateTopics, 'request', 5, request, request)
      expectRoundTrip(CreateTopics, 'response', 5, flexibleResponse, flexibleResponse)
    })

    it('fills the v5 topic details with their defaults when a handler leaves them out', () => {
      expectRoundTrip(CreateTopics, 'response', 5, response, {
        ...response,
        topics: response.topics.map(t => ({ ...t, numPartitions: -1, replicationFactor: -1, configs: null })),
      })
    })

    it('rejects every truncation', () => {
      expectTruncationsThrow(CreateTopics, 'request', 5, encode(CreateTopics, 'request', 5, request))
      expectTruncationsThrow(CreateTopics, 'response', 5, encode(CreateTopics, 'response', 5, flexibleResponse))
    })
  })

  it('encodes a v0 request byte for byte as the grammar says', () => {
    const bytes = encode(CreateTopics, 'request', 0, {
      topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'k', value: null }] }],
      timeoutMs: 1000,
      validateOnly: true,
    })
    expect(bytes).toEqual(hex(
      '00000001', '0001 74', '00000003', '0001', // 1 topic "t", 3 partitions, replication 1
      '00000001', '00000000', '00000001', '00000001', // 1 assignment: partition 0 on brokers [1]
      '00000001', '0001 6b', 'ffff', // 1 config: "k" = null
      '000003e8', // timeout_ms; validate_only is v1+
    ))
  })

  it('encodes a v1 response byte for byte as the grammar says', () => {
    expect(encode(CreateTopics, 'response', 1, { throttleTimeMs: 9, topics: [{ name: 't', errorCode: 36, errorMessage: 'x' }] })).toEqual(hex(
      '00000001', '0001 74', '0024', '0001 78', // no throttle before v2; "t", TOPIC_ALREADY_EXISTS, message "x"
    ))
  })
})
