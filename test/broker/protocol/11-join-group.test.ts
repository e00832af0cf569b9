import { describe, expect, it } from 'vitest'
import { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from '../../../broker/protocol/11-join-group.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request: JoinGroupRequest = {
  groupId: 'group-a',
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  protocolType: 'consumer',
  protocols: [
    { name: 'range', metadata: Buffer.from([0, 1, 0, 0, 0, 0]) },
    { name: 'roundrobin', metadata: Buffer.alloc(0) },
  ],
}

const response: JoinGroupResponse = {
  throttleTimeMs: 4,
  errorCode: 0,
  generationId: 2,
  protocolName: 'range',
  leader: 'member-1',
  memberId: 'member-2',
  members: [
    { memberId: 'member-1', groupInstanceId: 'instance-1', metadata: Buffer.from('abc') },
    { memberId: 'member-2', groupInstanceId: null, metadata: Buffer.alloc(0) },
  ],
}

describe('JoinGroup codec', () => {
  it('advertises v0-5 and knows v6 is flexible', () => {
    expect([JoinGroup.key, JoinGroup.minVersion, JoinGroup.maxVersion, JoinGroup.flexibleVersion]).toEqual([11, 0, 5, 6])
  })

  codecVersionTests(JoinGroup, {
    request,
    expectedRequest: v => ({
      ...request,
      rebalanceTimeoutMs: v >= 1 ? request.rebalanceTimeoutMs : -1,
      groupInstanceId: v >= 5 ? request.groupInstanceId : null,
    }),
    response,
    expectedResponse: v => ({
      ...response,
      throttleTimeMs: v >= 2 ? response.throttleTimeMs : 0,
      members: response.members.map(m => ({ ...m, groupInstanceId: v >= 5 ? m.groupInstanceId : null })),
    }),
  })

  it('reads the v0 request byte for byte (no rebalance timeout)', () => {
    const r = new Reader(hex(`
      0001 67                      # group_id "g"
      00007530                     # session_timeout_ms 30000
      0000                         # member_id ""
      0008 636f6e73756d6572        # protocol_type "consumer"
      00000001                     # 1 protocol
        0005 72616e6765            # name "range"
        00000002 0102              # metadata
    `))
    expect(JoinGroup.decodeRequest(r, 0)).toEqual({
      groupId: 'g',
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: -1,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }],
    })
    expect(r.remaining).toBe(0)
  })

  it('writes the v5 response byte for byte (group_instance_id per member)', () => {
    const bytes = encodeWith(w => {
      JoinGroup.encodeResponse(w, 5, {
        throttleTimeMs: 0,
        errorCode: 79,
        generationId: -1,
        protocolName: '',
        leader: '',
        memberId: 'm',
        members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from([9]) }],
      })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      00000000       # throttle_time_ms
      004f           # error_code 79 MEMBER_ID_REQUIRED
      ffffffff       # generation_id -1
      0000 0000      # protocol_name "", leader ""
      0001 6d        # member_id "m"
      00000001       # 1 member
        0001 6d ffff 00000001 09
    `).toString('hex'))
  })
})
