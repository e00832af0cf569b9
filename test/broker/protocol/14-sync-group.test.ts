import { describe, expect, it } from 'vitest'
import { SyncGroup, type SyncGroupRequest } from '../../../broker/protocol/14-sync-group.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request: SyncGroupRequest = {
  groupId: 'group-a',
  generationId: 3,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  assignments: [
    { memberId: 'member-1', assignment: Buffer.from([0, 0, 0, 0, 0, 0]) },
    { memberId: 'member-2', assignment: Buffer.alloc(0) },
  ],
}

const response = { throttleTimeMs: 8, errorCode: 0, assignment: Buffer.from([0, 1, 2, 3]) }

describe('SyncGroup codec', () => {
  it('advertises v0-3 and knows v4 is flexible', () => {
    expect([SyncGroup.key, SyncGroup.minVersion, SyncGroup.maxVersion, SyncGroup.flexibleVersion]).toEqual([14, 0, 3, 4])
  })

  codecVersionTests(SyncGroup, {
    request,
    expectedRequest: v => ({ ...request, groupInstanceId: v >= 3 ? request.groupInstanceId : null }),
    response,
    expectedResponse: v => ({ ...response, throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0 }),
  })

  it('writes the v0 response byte for byte', () => {
    const bytes = encodeWith(w => { SyncGroup.encodeResponse(w, 0, { throttleTimeMs: 5, errorCode: 0, assignment: Buffer.from([1, 2]) }) })
    expect(bytes.toString('hex')).toBe(hex('0000  00000002 0102').toString('hex'))
  })

  it('writes the v3 request byte for byte (instance id after member id)', () => {
    const bytes = encodeWith(w => {
      SyncGroup.encodeRequest(w, 3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i', assignments: [{ memberId: 'm', assignment: Buffer.from([7]) }] })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      0001 67  00000001  0001 6d  0001 69
      00000001  0001 6d  00000001 07
    `).toString('hex'))
  })
})
