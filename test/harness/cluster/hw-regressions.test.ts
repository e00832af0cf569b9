// The HW-never-goes-backwards check on hand-written observation series.

import { describe, expect, it } from 'vitest'
import { describeRegression, findHighWatermarkRegressions, type HighWatermarkObservation } from '../../../harness/cluster/hw-regressions.ts'

const at = (atMs: number, brokerId: number, highWatermark: number | null, over: Partial<HighWatermarkObservation> = {}): HighWatermarkObservation => ({
  atMs, brokerId, incarnation: `b${brokerId}`, topic: 't', topicId: 'id', partition: 0, role: 'follower', leaderEpoch: 1, leadingEpoch: null, highWatermark, logEndOffset: 50, ...over,
})

describe('findHighWatermarkRegressions', () => {
  it('accepts HWs that only grow or stay, per replica, whatever the interleaving', () => {
    expect(findHighWatermarkRegressions([at(1, 0, 5), at(2, 1, 3), at(3, 0, 5), at(4, 1, 9), at(5, 0, 12), at(6, 1, 12)])).toEqual([])
  })

  it('flags a drop with both points, even through a role change', () => {
    const found = findHighWatermarkRegressions([at(1, 0, 10, { role: 'leader', leaderEpoch: 1 }), at(2, 0, 7, { role: 'follower', leaderEpoch: 2 })])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ brokerId: 0, before: { highWatermark: 10, role: 'leader' }, after: { highWatermark: 7, role: 'follower', leaderEpoch: 2 }, acrossRestart: false })
    expect(describeRegression(found[0]!)).toMatch(/t-0 on broker 0: HW went back from 10 \(leader, epoch 1.*to 7 \(follower, epoch 2/)
  })

  it('sorts by time first, skips samples without a HW, and marks drops across a restart', () => {
    const found = findHighWatermarkRegressions([at(3, 0, 8, { incarnation: 'second' }), at(1, 0, 10), at(2, 0, null, { role: 'none' })])
    expect(found).toEqual([expect.objectContaining({ before: expect.objectContaining({ highWatermark: 10 }), after: expect.objectContaining({ highWatermark: 8 }), acrossRestart: true })])
  })

  it('treats a topic created again (new topic id) and other partitions as other replicas', () => {
    expect(findHighWatermarkRegressions([at(1, 0, 10), at(2, 0, 0, { topicId: 'new' }), at(3, 0, 1, { partition: 1 })])).toEqual([])
  })
})
