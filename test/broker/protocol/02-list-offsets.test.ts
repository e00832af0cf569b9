import { describe, expect, it } from 'vitest'
import { ListOffsets, ListOffsetsTimestamp, type ListOffsetsRequest, type ListOffsetsResponse } from '../../../broker/protocol/02-list-offsets.ts'
import { encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: ListOffsetsRequest = {
  replicaId: -1,
  isolationLevel: 1,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, currentLeaderEpoch: 3, timestamp: ListOffsetsTimestamp.latest },
        { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: ListOffsetsTimestamp.earliest },
        { partitionIndex: 2, currentLeaderEpoch: 0, timestamp: 1_700_000_000_000 },
      ],
    },
  ],
}

function expectedRequest (version: number): ListOffsetsRequest {
  return {
    ...request,
    isolationLevel: version >= 2 ? request.isolationLevel : 0,
    topics: request.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({ ...p, currentLeaderEpoch: version >= 4 ? p.currentLeaderEpoch : -1 })),
    })),
  }
}

const response: ListOffsetsResponse = {
  throttleTimeMs: 10,
  topics: [{
    name: 'orders',
    partitions: [
      { partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 2 ** 33, leaderEpoch: 3 },
      { partitionIndex: 1, errorCode: 6, timestamp: -1, offset: -1, leaderEpoch: -1 },
    ],
  }],
}

function expectedResponse (version: number): ListOffsetsResponse {
  return {
    throttleTimeMs: version >= 2 ? response.throttleTimeMs : 0,
    topics: response.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({ ...p, leaderEpoch: version >= 4 ? p.leaderEpoch : -1 })),
    })),
  }
}

describe('ListOffsets codec', () => {
  it('advertises 1-5 and knows v6 is the first flexible version', () => {
    expect([ListOffsets.key, ListOffsets.minVersion, ListOffsets.maxVersion, ListOffsets.flexibleVersion]).toEqual([2, 1, 5, 6])
  })

  for (const version of [...versionsOf(ListOffsets), ListOffsets.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(ListOffsets, 'request', version, request, expectedRequest(version))
      })

      it('round-trips the response', () => {
        expectRoundTrip(ListOffsets, 'response', version, response, expectedResponse(version))
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(ListOffsets, direction, version, value)
          expectTruncationsThrow(ListOffsets, direction, version, bytes)
          expectCorruptionsContained(ListOffsets, direction, version, bytes, version)
        }
      })
    })
  }

  it('carries timeout_ms from v10', () => {
    expectRoundTrip(ListOffsets, 'request', 10, { ...request, timeoutMs: 1234 }, { ...request, timeoutMs: 1234 })
  })

  it('encodes a v1 request byte for byte as the grammar says', () => {
    const bytes = encode(ListOffsets, 'request', 1, {
      replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 5, timestamp: -2 }] }],
    })
    expect(bytes).toEqual(hex(
      'ffffffff', // replica_id; no isolation_level before v2
      '00000001', '0001 74', // 1 topic "t"
      '00000001', '00000000', // 1 partition, index 0; no current_leader_epoch before v4
      'fffffffffffffffe', // timestamp -2 = earliest
    ))
  })

  it('encodes a v4 response byte for byte as the grammar says', () => {
    const bytes = encode(ListOffsets, 'response', 4, {
      throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 42, leaderEpoch: 7 }] }],
    })
    expect(bytes).toEqual(hex(
      '00000000', // throttle_time_ms (v2+)
      '00000001', '0001 74', '00000001', // 1 topic "t", 1 partition
      '00000000', '0000', 'ffffffffffffffff', '000000000000002a', '00000007', // index, error, timestamp, offset, leader_epoch
    ))
  })
})
