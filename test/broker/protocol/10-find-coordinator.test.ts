import { describe, expect, it } from 'vitest'
import { FindCoordinator, type FindCoordinatorResponse } from '../../../broker/protocol/10-find-coordinator.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request = { key: 'group-a', keyType: 1 }

const response: FindCoordinatorResponse = {
  throttleTimeMs: 5,
  errorCode: 15,
  errorMessage: 'loading',
  nodeId: 3,
  host: '127.0.0.1',
  port: 9092,
}

describe('FindCoordinator codec', () => {
  it('advertises v0-2 and knows v3 is flexible', () => {
    expect([FindCoordinator.key, FindCoordinator.minVersion, FindCoordinator.maxVersion, FindCoordinator.flexibleVersion]).toEqual([10, 0, 2, 3])
  })

  codecVersionTests(FindCoordinator, {
    request,
    expectedRequest: v => ({ key: request.key, keyType: v >= 1 ? request.keyType : 0 }),
    response,
    expectedResponse: v => ({
      ...response,
      throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0,
      errorMessage: v >= 1 ? response.errorMessage : null,
    }),
  })

  it('reads the v0 request byte for byte: just the group id', () => {
    const r = new Reader(hex('0007 67726f75702d31')) // "group-1"
    expect(FindCoordinator.decodeRequest(r, 0)).toEqual({ key: 'group-1', keyType: 0 })
    expect(r.remaining).toBe(0)
  })

  it('writes the v1 request byte for byte: key then key_type', () => {
    const bytes = encodeWith(w => { FindCoordinator.encodeRequest(w, 1, { key: 'g', keyType: 1 }) })
    expect(bytes.toString('hex')).toBe('00016701')
  })

  it('writes the v0 and v1 responses byte for byte', () => {
    const v0 = encodeWith(w => { FindCoordinator.encodeResponse(w, 0, { ...response, errorCode: 0 }) })
    expect(v0.toString('hex')).toBe(hex(`
      0000                     # error_code
      00000003                 # node_id
      0009 3132372e302e302e31  # host "127.0.0.1"
      00002384                 # port 9092
    `).toString('hex'))
    const v1 = encodeWith(w => { FindCoordinator.encodeResponse(w, 1, { ...response, errorCode: 0, errorMessage: null }) })
    expect(v1.toString('hex')).toBe(hex(`
      00000005                 # throttle_time_ms
      0000                     # error_code
      ffff                     # error_message null
      00000003 0009 3132372e302e302e31 00002384
    `).toString('hex'))
  })
})
