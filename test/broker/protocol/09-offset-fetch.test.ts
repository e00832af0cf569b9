import { describe, expect, it } from 'vitest'
import { OffsetFetch, type OffsetFetchRequest, type OffsetFetchResponse } from '../../../broker/protocol/09-offset-fetch.ts'
import { ProtocolError, Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, expectEveryCutThrows, expectRequestRoundTrip, expectResponseRoundTrip, hex } from './codec-helpers.ts'

const request: OffsetFetchRequest = {
  groupId: 'group-a',
  topics: [{ name: 'orders', partitionIndexes: [0, 1, 7] }, { name: 'none', partitionIndexes: [] }],
}

const response: OffsetFetchResponse = {
  throttleTimeMs: 3,
  topics: [{
    name: 'orders',
    partitions: [
      { partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 2, metadata: 'hello', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: 2, metadata: null, errorCode: 0 },
    ],
  }],
  errorCode: 16,
}

function expectedResponse (v: number): OffsetFetchResponse {
  if (v >= 8) return { throttleTimeMs: response.throttleTimeMs, topics: [], errorCode: 0, groups: [] }
  return {
    throttleTimeMs: v >= 3 ? response.throttleTimeMs : 0,
    topics: response.topics.map(t => ({
      name: t.name,
      partitions: t.partitions.map(p => ({ ...p, committedLeaderEpoch: v >= 5 ? p.committedLeaderEpoch : -1 })),
    })),
    errorCode: v >= 2 ? response.errorCode : 0,
  }
}

describe('OffsetFetch codec', () => {
  it('advertises v0-8 and knows v6 is flexible', () => {
    expect([OffsetFetch.key, OffsetFetch.minVersion, OffsetFetch.maxVersion, OffsetFetch.flexibleVersion]).toEqual([9, 0, 8, 6])
  })

  // v8 names groups in their own array: a request naming one group the v0-7 way goes out as
  // a one-group array.
  const expectedRequest = (v: number): OffsetFetchRequest => {
    if (v >= 8) return { groupId: '', topics: null, requireStable: false, groups: [{ groupId: request.groupId, topics: request.topics }] }
    return v >= 7 ? { ...request, requireStable: false } : request
  }
  codecVersionTests(OffsetFetch, { request, expectedRequest, response, expectedResponse })

  it('v7 carries require_stable; v8 carries several groups, each with its own topics and error', () => {
    expectRequestRoundTrip(OffsetFetch, 7, { ...request, requireStable: true }, { ...request, requireStable: true })
    const groups = [{ groupId: 'a', topics: null }, { groupId: 'b', topics: [{ name: 't', partitionIndexes: [0, 2] }] }]
    const v8 = { groupId: '', topics: null, requireStable: true, groups }
    const bytes = expectRequestRoundTrip(OffsetFetch, 8, v8, v8)
    expectEveryCutThrows(bytes, r => OffsetFetch.decodeRequest(r, 8))
    const res: OffsetFetchResponse = {
      throttleTimeMs: 1,
      topics: [],
      errorCode: 0,
      groups: [{ groupId: 'a', topics: response.topics, errorCode: 0 }, { groupId: 'b', topics: [], errorCode: 69 }],
    }
    const resBytes = expectResponseRoundTrip(OffsetFetch, 8, res, res)
    expectEveryCutThrows(resBytes, r => OffsetFetch.decodeResponse(r, 8))
  })

  // Regression: the chaos harness's assign-style consumers asked for one group's offsets the
  // v0-7 way; once the broker advertised v8 the request went out with no group, the answer came
  // back empty, every position restarted at 0 and the safe workload reported its own commits
  // going backwards.
  it('a one-group request at v8 asks for that group, and the answer reads as the one group', () => {
    const bytes = encodeWith(w => { OffsetFetch.encodeRequest(w, 8, request) })
    const decoded = OffsetFetch.decodeRequest(new Reader(bytes), 8)
    expect(decoded.groups).toEqual([{ groupId: 'group-a', topics: request.topics }])
    const answer: OffsetFetchResponse = { throttleTimeMs: 0, topics: [], errorCode: 0, groups: [{ groupId: 'group-a', topics: response.topics, errorCode: 0 }] }
    const read = OffsetFetch.decodeResponse(new Reader(encodeWith(w => { OffsetFetch.encodeResponse(w, 8, answer) })), 8)
    expect(read.topics).toEqual(response.topics)
    expect(read.topics[0]!.partitions[0]!.committedOffset).toBe(100)
  })

  it('carries a null topics array ("all topics") from v2 on', () => {
    for (const v of [2, 3, 4, 5, 6]) {
      expectRequestRoundTrip(OffsetFetch, v, { groupId: 'g', topics: null }, { groupId: 'g', topics: null })
    }
    expect(encodeWith(w => { OffsetFetch.encodeRequest(w, 2, { groupId: 'g', topics: null }) }).toString('hex'))
      .toBe(hex('0001 67  ffffffff').toString('hex'))
  })

  it('refuses a null topics array before v2 in both directions', () => {
    expect(() => encodeWith(w => { OffsetFetch.encodeRequest(w, 1, { groupId: 'g', topics: null }) })).toThrow(RangeError)
    expect(() => OffsetFetch.decodeRequest(new Reader(hex('0001 67  ffffffff')), 1)).toThrow(ProtocolError)
  })

  it('writes the v5 response byte for byte (leader epoch before metadata, group error last)', () => {
    const bytes = encodeWith(w => {
      OffsetFetch.encodeResponse(w, 5, {
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 9, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }],
        errorCode: 0,
      })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      00000000             # throttle_time_ms
      00000001 0001 74     # 1 topic "t"
        00000001           # 1 partition
          00000001         # partition_index
          0000000000000009 # committed_offset
          ffffffff         # committed_leader_epoch
          0000             # metadata ""
          0000             # error_code
      0000                 # error_code (group)
    `).toString('hex'))
  })
})
