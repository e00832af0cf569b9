import { describe, expect, it } from 'vitest'
import { DeleteGroups, type DeleteGroupsResponse } from '../../../broker/protocol/42-delete-groups.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request = { groupsNames: ['group-a', 'group-b', ''] }
const response: DeleteGroupsResponse = { throttleTimeMs: 9, results: [{ groupId: 'group-a', errorCode: 0 }, { groupId: 'group-b', errorCode: 68 }] }

describe('DeleteGroups codec', () => {
  it('advertises v0-2 with v2 flexible', () => {
    expect([DeleteGroups.key, DeleteGroups.minVersion, DeleteGroups.maxVersion, DeleteGroups.flexibleVersion]).toEqual([42, 0, 2, 2])
  })

  codecVersionTests(DeleteGroups, { request, expectedRequest: () => request, response, expectedResponse: () => response })

  it('writes the v2 response byte for byte', () => {
    const bytes = encodeWith(w => { DeleteGroups.encodeResponse(w, 2, { throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 69 }] }) })
    expect(bytes.toString('hex')).toBe(hex('00000000  02  02 67 0045 00  00').toString('hex'))
  })
})
