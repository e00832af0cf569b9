import { describe, expect, it } from 'vitest'
import { OffsetForLeaderEpoch, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from '../../../broker/protocol/23-offset-for-leader-epoch.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request: OffsetForLeaderEpochRequest = {
  replicaId: 2,
  topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: 5, leaderEpoch: 3 }, { partition: 4, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
}

const response: OffsetForLeaderEpochResponse = {
  throttleTimeMs: 0,
  topics: [{ topic: 'orders', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 3, endOffset: 1200 }, { errorCode: 74, partition: 4, leaderEpoch: -1, endOffset: -1 }] }],
}

describe('OffsetForLeaderEpoch codec', () => {
  it('advertises v2-4 with v4 flexible', () => {
    expect([OffsetForLeaderEpoch.key, OffsetForLeaderEpoch.minVersion, OffsetForLeaderEpoch.maxVersion, OffsetForLeaderEpoch.flexibleVersion]).toEqual([23, 2, 4, 4])
  })

  codecVersionTests(OffsetForLeaderEpoch, {
    request,
    expectedRequest: v => v < 3 ? { ...request, replicaId: -1 } : request,
    response,
    expectedResponse: () => response,
  })

  it('writes the v3 request byte for byte', () => {
    const bytes = encodeWith(w => { OffsetForLeaderEpoch.encodeRequest(w, 3, { replicaId: 1, topics: [{ topic: 't', partitions: [{ partition: 2, currentLeaderEpoch: 7, leaderEpoch: 6 }] }] }) })
    expect(bytes.toString('hex')).toBe(hex(`
      00000001                # replica_id
      00000001 0001 74        # 1 topic "t"
        00000001              # 1 partition
          00000002            # partition
          00000007            # current_leader_epoch
          00000006            # leader_epoch
    `).toString('hex'))
  })

  it('reads the v3 response byte for byte', () => {
    const bytes = hex(`
      00000000                # throttle_time_ms
      00000001 0001 74        # 1 topic "t"
        00000001              # 1 partition
          0000                # error_code
          00000002            # partition
          00000006            # leader_epoch
          0000000000000064    # end_offset 100
    `)
    expect(OffsetForLeaderEpoch.decodeResponse(new Reader(bytes), 3)).toEqual({
      throttleTimeMs: 0, topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 2, leaderEpoch: 6, endOffset: 100 }] }],
    })
  })
})
