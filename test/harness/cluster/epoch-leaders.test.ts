// "At most one leader per epoch" on hand-written observation series.

import { describe, expect, it } from 'vitest'
import { describeEpochLeaderConflict, findEpochLeaderConflicts } from '../../../harness/cluster/epoch-leaders.ts'

const seen = (atMs: number, brokerId: number, leadingEpoch: number | null, over: { topicId?: string, partition?: number } = {}) =>
  ({ atMs, brokerId, topic: 't', topicId: over.topicId ?? 'id', partition: over.partition ?? 0, leadingEpoch })

describe('findEpochLeaderConflicts', () => {
  it('accepts one leader per epoch, leaders that change with the epoch, and followers', () => {
    expect(findEpochLeaderConflicts([seen(1, 0, 1), seen(2, 1, null), seen(3, 0, 1), seen(4, 1, 2), seen(5, 0, null), seen(6, 2, 3)])).toEqual([])
  })

  it('accepts a zombie that still leads an older epoch while another leads the newer one', () => {
    expect(findEpochLeaderConflicts([seen(1, 0, 1), seen(2, 1, 2), seen(3, 0, 1)])).toEqual([])
  })

  it('flags two brokers leading in the same epoch, naming both and when', () => {
    const found = findEpochLeaderConflicts([seen(5, 1, 4), seen(2, 0, 4), seen(9, 2, 4)])
    expect(found).toEqual([{ topic: 't', topicId: 'id', partition: 0, leaderEpoch: 4, leaders: [{ brokerId: 0, firstSeenMs: 2 }, { brokerId: 1, firstSeenMs: 5 }, { brokerId: 2, firstSeenMs: 9 }] }])
    expect(describeEpochLeaderConflict(found[0]!)).toMatch(/^t-0: 3 leaders in leader epoch 4: broker 0 .*broker 1 .*broker 2/)
  })

  it('keeps partitions and re-created topics apart', () => {
    expect(findEpochLeaderConflicts([seen(1, 0, 1), seen(2, 1, 1, { partition: 1 }), seen(3, 2, 1, { topicId: 'again' })])).toEqual([])
  })
})
