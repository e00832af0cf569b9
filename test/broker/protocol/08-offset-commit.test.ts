import { describe, expect, it } from 'vitest'
import { OffsetCommit, type OffsetCommitRequest, type OffsetCommitResponse } from '../../../broker/protocol/08-offset-commit.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request: OffsetCommitRequest = {
  groupId: 'group-a',
  generationId: 7,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  retentionTimeMs: 86_400_000,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, commitTimestamp: 1_700_000_000_000, committedMetadata: 'm' },
        { partitionIndex: 5, committedOffset: 2 ** 40, committedLeaderEpoch: 4, commitTimestamp: 1_700_000_000_001, committedMetadata: null },
      ],
    },
    { name: 'empty', partitions: [] },
  ],
}

function expectedRequest (v: number): OffsetCommitRequest {
  return {
    groupId: request.groupId,
    generationId: v >= 1 ? request.generationId : -1,
    memberId: v >= 1 ? request.memberId : '',
    groupInstanceId: v >= 7 ? request.groupInstanceId : null,
    retentionTimeMs: v >= 2 && v <= 4 ? request.retentionTimeMs : -1,
    topics: request.topics.map(t => ({
      name: t.name,
      partitions: t.partitions.map(p => ({
        ...p,
        committedLeaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
        commitTimestamp: v === 1 ? p.commitTimestamp : -1,
      })),
    })),
  }
}

const response: OffsetCommitResponse = {
  throttleTimeMs: 12,
  topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 5, errorCode: 22 }] }],
}

describe('OffsetCommit codec', () => {
  it('advertises v0-7 and knows v8 is flexible', () => {
    expect([OffsetCommit.key, OffsetCommit.minVersion, OffsetCommit.maxVersion, OffsetCommit.flexibleVersion]).toEqual([8, 0, 7, 8])
  })

  codecVersionTests(OffsetCommit, {
    request,
    expectedRequest,
    response,
    expectedResponse: v => ({ ...response, throttleTimeMs: v >= 3 ? response.throttleTimeMs : 0 }),
  })

  it('writes the v2 request byte for byte (retention time, no leader epoch)', () => {
    const bytes = encodeWith(w => {
      OffsetCommit.encodeRequest(w, 2, {
        groupId: 'g',
        generationId: 5,
        memberId: 'm',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 9, commitTimestamp: 9, committedMetadata: null }] }],
      })
    })
    expect(bytes.toString('hex')).toBe(hex(`
      0001 67
      00000005
      0001 6d
      ffffffffffffffff
      00000001 0001 74
        00000001 00000000 000000000000002a ffff
    `).toString('hex'))
  })

  it('reads a v8 request and skips unknown tagged fields in nested structs', () => {
    const bytes = hex(`
      02 67                # group_id "g" (compact: length + 1)
      00000005             # generation_id
      02 6d                # member_id "m"
      00                   # group_instance_id null
      02                   # 1 topic
        02 74              # name "t"
        02                 # 1 partition
          00000003         # partition_index
          0000000000000007 # committed_offset
          ffffffff         # committed_leader_epoch -1
          01               # committed_metadata ""
          01 05 02 abcd    # one tagged field: tag 5, 2 bytes
        00                 # topic tags
      00                   # body tags
    `)
    const r = new Reader(bytes)
    expect(OffsetCommit.decodeRequest(r, 8)).toEqual({
      groupId: 'g',
      generationId: 5,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 3, committedOffset: 7, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }] }],
    })
    expect(r.remaining).toBe(0)
  })
})
