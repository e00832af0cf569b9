import { describe, expect, it } from 'vitest'
import { LeaveGroup, type LeaveGroupRequest, type LeaveGroupResponse, leavingMembers } from '../../../broker/protocol/13-leave-group.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, hex } from './codec-helpers.ts'

const request: LeaveGroupRequest = {
  groupId: 'group-a',
  memberId: 'member-1',
  members: [{ memberId: 'member-1', groupInstanceId: null }, { memberId: 'member-2', groupInstanceId: 'instance-2' }],
}

const response: LeaveGroupResponse = {
  throttleTimeMs: 2,
  errorCode: 0,
  members: [{ memberId: 'member-1', groupInstanceId: null, errorCode: 0 }, { memberId: 'member-2', groupInstanceId: 'instance-2', errorCode: 25 }],
}

describe('LeaveGroup codec', () => {
  it('advertises v0-3 and knows v4 is flexible', () => {
    expect([LeaveGroup.key, LeaveGroup.minVersion, LeaveGroup.maxVersion, LeaveGroup.flexibleVersion]).toEqual([13, 0, 3, 4])
  })

  codecVersionTests(LeaveGroup, {
    request,
    expectedRequest: v => v <= 2
      ? { groupId: request.groupId, memberId: request.memberId, members: [] }
      : { groupId: request.groupId, memberId: '', members: request.members },
    response,
    expectedResponse: v => ({
      throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0,
      errorCode: response.errorCode,
      members: v >= 3 ? response.members : [],
    }),
  })

  it('reads v0 (one member id) and v3 (a batch) byte for byte', () => {
    const v0 = LeaveGroup.decodeRequest(new Reader(hex('0001 67  0001 6d')), 0)
    expect(v0).toEqual({ groupId: 'g', memberId: 'm', members: [] })
    const v3 = LeaveGroup.decodeRequest(new Reader(hex(`
      0001 67                  # group_id "g"
      00000002                 # 2 members
        0001 6d ffff           # "m", no instance id
        0001 6e 0001 69        # "n", instance "i"
    `)), 3)
    expect(v3).toEqual({ groupId: 'g', memberId: '', members: [{ memberId: 'm', groupInstanceId: null }, { memberId: 'n', groupInstanceId: 'i' }] })
  })

  it('gives one list of leaving members whatever the version', () => {
    expect(leavingMembers({ groupId: 'g', memberId: 'm', members: [] }, 1)).toEqual([{ memberId: 'm', groupInstanceId: null }])
    expect(leavingMembers({ groupId: 'g', memberId: '', members: [] }, 3)).toEqual([])
    expect(leavingMembers(request, 3)).toEqual(request.members)
  })
})
