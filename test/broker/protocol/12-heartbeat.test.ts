import { describe, expect, it } from 'vitest'
import { Heartbeat } from '../../../broker/protocol/12-heartbeat.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request = { groupId: 'group-a', generationId: 4, memberId: 'member-1', groupInstanceId: 'instance-1' }
const response = { throttleTimeMs: 9, errorCode: 27 }

describe('Heartbeat codec', () => {
  it('advertises v0-3 and knows v4 is flexible', () => {
    expect([Heartbeat.key, Heartbeat.minVersion, Heartbeat.maxVersion, Heartbeat.flexibleVersion]).toEqual([12, 0, 3, 4])
  })

  codecVersionTests(Heartbeat, {
    request,
    expectedRequest: v => ({ ...request, groupInstanceId: v >= 3 ? request.groupInstanceId : null }),
    response,
    expectedResponse: v => ({ ...response, throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0 }),
  })

  it('writes the v0 response byte for byte: only the error code', () => {
    const bytes = encodeWith(w => { Heartbeat.encodeResponse(w, 0, { throttleTimeMs: 100, errorCode: 27 }) })
    expect(bytes.toString('hex')).toBe('001b')
  })

  it('writes the v1 response with throttle time first', () => {
    const bytes = encodeWith(w => { Heartbeat.encodeResponse(w, 1, { throttleTimeMs: 1, errorCode: 0 }) })
    expect(bytes.toString('hex')).toBe('000000010000')
  })

  it('reads the v3 request byte for byte', () => {
    const r = new Reader(hex('0001 67  00000002  0001 6d  ffff'))
    expect(Heartbeat.decodeRequest(r, 3)).toEqual({ groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null })
    expect(r.remaining).toBe(0)
  })

  it('writes the v4 (flexible) request with compact strings and a tag buffer', () => {
    const bytes = encodeWith(w => { Heartbeat.encodeRequest(w, 4, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }) })
    expect(bytes.toString('hex')).toBe(hex('02 67  00000001  02 6d  00  00').toString('hex'))
  })
})
