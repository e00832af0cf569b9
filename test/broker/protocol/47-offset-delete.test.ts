import { describe, expect, it } from 'vitest'
import { OffsetDelete, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../../broker/protocol/47-offset-delete.ts'
import { encodeWith, expectEveryCutThrows, expectRequestRoundTrip, expectResponseRoundTrip, hex } from './codec-helpers.ts'

const request: OffsetDeleteRequest = { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0, 5] }, { name: 'x', partitionIndexes: [] }] }
const response: OffsetDeleteResponse = {
  errorCode: 0,
  throttleTimeMs: 3,
  topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 5, errorCode: 86 }] }],
}

describe('OffsetDelete codec', () => {
  it('advertises v0 only, which is not flexible', () => {
    expect([OffsetDelete.key, OffsetDelete.minVersion, OffsetDelete.maxVersion]).toEqual([47, 0, 0])
    expect(OffsetDelete.flexibleVersion).toBeGreaterThan(0)
  })

  it('v0 request and response round-trip and refuse every truncation', () => {
    expectEveryCutThrows(expectRequestRoundTrip(OffsetDelete, 0, request, request), r => OffsetDelete.decodeRequest(r, 0))
    expectEveryCutThrows(expectResponseRoundTrip(OffsetDelete, 0, response, response), r => OffsetDelete.decodeResponse(r, 0))
  })

  it('writes the v0 request and response byte for byte', () => {
    expect(encodeWith(w => { OffsetDelete.encodeRequest(w, 0, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [1] }] }) }).toString('hex'))
      .toBe(hex('0001 67  00000001 0001 74 00000001 00000001').toString('hex'))
    expect(encodeWith(w => { OffsetDelete.encodeResponse(w, 0, { errorCode: 69, throttleTimeMs: 0, topics: [] }) }).toString('hex'))
      .toBe(hex('0045 00000000 00000000').toString('hex'))
  })
})
