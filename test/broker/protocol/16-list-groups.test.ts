import { describe, expect, it } from 'vitest'
import { ListGroups, type ListGroupsResponse } from '../../../broker/protocol/16-list-groups.ts'
import { codecVersionTests, encodeWith, expectEveryCutThrows, hex } from './codec-helpers.ts'

const response: ListGroupsResponse = {
  throttleTimeMs: 1,
  errorCode: 0,
  groups: [{ groupId: 'group-a', protocolType: 'consumer' }, { groupId: 'offsets-only', protocolType: '' }],
}

describe('ListGroups codec', () => {
  it('advertises v0-2 and knows v3 is flexible', () => {
    expect([ListGroups.key, ListGroups.minVersion, ListGroups.maxVersion, ListGroups.flexibleVersion]).toEqual([16, 0, 2, 3])
  })

  codecVersionTests(ListGroups, {
    request: {},
    expectedRequest: () => ({}),
    response,
    expectedResponse: v => ({ ...response, throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0 }),
  })

  it('has an empty request body before v3 and only a tag buffer at v3', () => {
    for (const v of [0, 1, 2]) expect(encodeWith(w => { ListGroups.encodeRequest(w, v, {}) }).length).toBe(0)
    const v3 = encodeWith(w => { ListGroups.encodeRequest(w, 3, {}) })
    expect(v3.toString('hex')).toBe('00')
    expectEveryCutThrows(v3, r => ListGroups.decodeRequest(r, 3))
  })

  it('writes the v0 response byte for byte', () => {
    const bytes = encodeWith(w => { ListGroups.encodeResponse(w, 0, { throttleTimeMs: 7, errorCode: 0, groups: [{ groupId: 'g', protocolType: '' }] }) })
    expect(bytes.toString('hex')).toBe(hex('0000  00000001  0001 67 0000').toString('hex'))
  })
})
