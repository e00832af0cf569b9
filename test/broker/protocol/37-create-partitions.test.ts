import { describe, expect, it } from 'vitest'
import { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../../broker/protocol/37-create-partitions.ts'
import { codecVersionTests, encodeWith, expectRequestRoundTrip, hex } from './codec-helpers.ts'

const request: CreatePartitionsRequest = {
  topics: [
    { name: 'orders', count: 6, assignments: [{ brokerIds: [0] }, { brokerIds: [0, 1] }] },
    { name: 'plain', count: 3, assignments: null },
  ],
  timeoutMs: 5000,
  validateOnly: true,
}

const response: CreatePartitionsResponse = {
  throttleTimeMs: 2,
  results: [{ name: 'orders', errorCode: 0, errorMessage: null }, { name: 'plain', errorCode: 37, errorMessage: 'too few' }],
}

describe('CreatePartitions codec', () => {
  it('advertises v0-3 with v2 flexible', () => {
    expect([CreatePartitions.key, CreatePartitions.minVersion, CreatePartitions.maxVersion, CreatePartitions.flexibleVersion]).toEqual([37, 0, 3, 2])
  })

  codecVersionTests(CreatePartitions, { request, expectedRequest: () => request, response, expectedResponse: () => response })

  it('writes null assignments as -1 (classic) and 0 (compact)', () => {
    const one = { topics: [{ name: 't', count: 2, assignments: null }], timeoutMs: 0, validateOnly: false }
    expect(encodeWith(w => { CreatePartitions.encodeRequest(w, 1, one) }).toString('hex'))
      .toBe(hex('00000001 0001 74 00000002 ffffffff  00000000 00').toString('hex'))
    expect(encodeWith(w => { CreatePartitions.encodeRequest(w, 3, one) }).toString('hex'))
      .toBe(hex('02 02 74 00000002 00 00  00000000 00 00').toString('hex'))
    expectRequestRoundTrip(CreatePartitions, 3, one, one)
  })
})
