import { describe, expect, it } from 'vitest'
import { ListGroups, type ListGroupsResponse } from '../../../broker/protocol/16-list-groups.ts'
import { codecVersionTests, encodeWith, expectEveryCutThrows, hex } from './codec-helpers.ts'

const response: ListGroupsResponse = {
  throttleTimeMs: 1,
  errorCode: 0,
  groups: [{ groupId: 'group-a', protocolType: 'consumer', groupState: 'Stable' }, { groupId: 'offsets-only', protocolType: '', groupState: 'Empty' }],
}

describe('ListGroups codec', () => {
  it('advertises v0-4 and knows v3 is flexible', () => {
    expect([ListGroups.key, ListGroups.minVersion, ListGroups.maxVersion, ListGroups.flexibleVersion]).toEqual([16, 0, 4, 3])
  })

  codecVersionTests(ListGroups, {
    request: { statesFilter: ['Stable', 'Empty'] },
    expectedRequest: v => (v >= 4 ? { statesFilter: ['Stable', 'Empty'] } : {}),
    response,
    expectedResponse: v => ({
      ...response,
      throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0,
      groups: response.groups.map(g => (v >= 4 ? g : { groupId: g.groupId, protocolType: g.protocolType })),
    }),
  })

  it('writes the v4 states filter and group state as compact strings', () => {
    expect(encodeWith(w => { ListGroups.encodeRequest(w, 4, { statesFilter: ['Empty'] }) }).toString('hex')).toBe(hex('02 06 456d707479 00').toString('hex'))
    const bytes = encodeWith(w => { ListGroups.encodeResponse(w, 4, { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: '', groupState: 'Dead' }] }) })
    expect(bytes.toString('hex')).toBe(hex('00000000 0000 02 0267 01 0544656164 00 00').toString('hex'))
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
