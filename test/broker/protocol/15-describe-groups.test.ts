import { describe, expect, it } from 'vitest'
import { AUTHORIZED_OPERATIONS_OMITTED, DescribeGroups, type DescribeGroupsResponse } from '../../../broker/protocol/15-describe-groups.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request = { groups: ['group-a', 'group-b'], includeAuthorizedOperations: true }

const response: DescribeGroupsResponse = {
  throttleTimeMs: 6,
  groups: [
    {
      errorCode: 0,
      groupId: 'group-a',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [{
        memberId: 'member-1',
        groupInstanceId: 'instance-1',
        clientId: 'client-1',
        clientHost: '/127.0.0.1',
        memberMetadata: Buffer.from([0, 1]),
        memberAssignment: Buffer.from([0, 2, 3]),
      }],
      authorizedOperations: 0x0f,
    },
    { errorCode: 0, groupId: 'group-b', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: 0 },
  ],
}

describe('DescribeGroups codec', () => {
  it('advertises v0-4 and knows v5 is flexible', () => {
    expect([DescribeGroups.key, DescribeGroups.minVersion, DescribeGroups.maxVersion, DescribeGroups.flexibleVersion]).toEqual([15, 0, 4, 5])
  })

  codecVersionTests(DescribeGroups, {
    request,
    expectedRequest: v => ({ ...request, includeAuthorizedOperations: v >= 3 }),
    response,
    expectedResponse: v => ({
      throttleTimeMs: v >= 1 ? response.throttleTimeMs : 0,
      groups: response.groups.map(g => ({
        ...g,
        members: g.members.map(m => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
        authorizedOperations: v >= 3 ? g.authorizedOperations : AUTHORIZED_OPERATIONS_OMITTED,
      })),
    }),
  })

  it('reads the v3 request byte for byte (flag after the group list)', () => {
    const r = new Reader(hex('00000001 0001 67  01'))
    expect(DescribeGroups.decodeRequest(r, 3)).toEqual({ groups: ['g'], includeAuthorizedOperations: true })
    expect(r.remaining).toBe(0)
  })

  it('writes the v4 response byte for byte', () => {
    const bytes = encodeWith(w => {
      DescribeGroups.encodeResponse(w, 4, {
        throttleTimeMs: 0,
        groups: [{
          errorCode: 0,
          groupId: 'g',
          groupState: 'S',
          protocolType: 'c',
          protocolData: 'r',
          members: [{ memberId: 'm', groupInstanceId: null, clientId: 'k', clientHost: 'h', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.alloc(0) }],
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        }],
      })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      00000000                       # throttle_time_ms
      00000001                       # 1 group
        0000 0001 67 0001 53 0001 63 0001 72
        00000001                     # 1 member
          0001 6d                    # member_id
          ffff                       # group_instance_id null
          0001 6b 0001 68            # client_id, client_host
          00000001 01  00000000      # metadata, assignment
        80000000                     # authorized_operations INT32_MIN
    `).toString('hex'))
  })
})
