import { describe, expect, it } from 'vitest'
import { DeleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../../broker/protocol/20-delete-topics.ts'
import { encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: DeleteTopicsRequest = { topicNames: ['orders', 'payments', ''], timeoutMs: 15_000 }

const response: DeleteTopicsResponse = {
  throttleTimeMs: 2,
  topics: [{ name: 'orders', errorCode: 0 }, { name: 'payments', errorCode: 3 }],
}

describe('DeleteTopics codec', () => {
  it('advertises 0-3 and knows v4 is the first flexible version', () => {
    expect([DeleteTopics.key, DeleteTopics.minVersion, DeleteTopics.maxVersion, DeleteTopics.flexibleVersion]).toEqual([20, 0, 3, 4])
  })

  for (const version of [...versionsOf(DeleteTopics), DeleteTopics.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(DeleteTopics, 'request', version, request, request)
      })

      it('round-trips the response', () => {
        expectRoundTrip(DeleteTopics, 'response', version, response, { ...response, throttleTimeMs: version >= 1 ? response.throttleTimeMs : 0 })
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(DeleteTopics, direction, version, value)
          expectTruncationsThrow(DeleteTopics, direction, version, bytes)
          expectCorruptionsContained(DeleteTopics, direction, version, bytes, version)
        }
      })
    })
  }

  it('carries a per-topic error message from v5', () => {
    const withMessages: DeleteTopicsResponse = { throttleTimeMs: 0, topics: [{ name: 'a', errorCode: 3, errorMessage: 'no such topic' }] }
    expectRoundTrip(DeleteTopics, 'response', 5, withMessages, withMessages)
    expectRoundTrip(DeleteTopics, 'response', 5, response, { ...response, topics: response.topics.map(t => ({ ...t, errorMessage: null })) })
  })

  it('encodes v0 and v4 requests byte for byte as the grammar says', () => {
    const req = { topicNames: ['a'], timeoutMs: 1 }
    expect(encode(DeleteTopics, 'request', 0, req)).toEqual(hex('00000001', '0001 61', '00000001'))
    // Compact array of compact strings: strings are not structs, so no tags per element.
    expect(encode(DeleteTopics, 'request', 4, req)).toEqual(hex('02', '02 61', '00000001', '00'))
  })

  it('encodes a v1 response byte for byte as the grammar says', () => {
    expect(encode(DeleteTopics, 'response', 1, { throttleTimeMs: 1, topics: [{ name: 'a', errorCode: 3 }] })).toEqual(hex(
      '00000001', '00000001', '0001 61', '0003',
    ))
  })
})
