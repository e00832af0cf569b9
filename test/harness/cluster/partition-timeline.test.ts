// Each partition's leader and ISR size over time, from hand-made /admin/replicas rounds.

import { describe, expect, it } from 'vitest'
import { PartitionTimelineTracker } from '../../../harness/cluster/partition-timeline.ts'
import type { ReplicaReport, ReplicasReport } from '../../../harness/cluster/replica-admin.ts'

function replica (partition: number, leaderId: number, leaderEpoch: number, isr: number[], over: Partial<ReplicaReport> = {}): ReplicaReport {
  return {
    topic: 't', topicId: 'id', partition, role: 'follower', leaderId, leaderEpoch, leadingEpoch: null, replicas: [0, 1, 2], isr,
    logStartOffset: 0, logEndOffset: 10, highWatermark: 10, leaderEpochs: [], checksumUpToOffset: null, checksum: null, ...over,
  }
}

const report = (brokerId: number, replicas: ReplicaReport[]): ReplicasReport => ({ brokerId, incarnation: `b${brokerId}`, startedAtMs: 0, nowMs: 0, replicas })

describe('PartitionTimelineTracker', () => {
  it('keeps a point per change of leader, epoch or ISR size, from the newest view in each round', () => {
    const tracker = new PartitionTimelineTracker()
    tracker.observeRound(1000, [report(0, [replica(0, 0, 1, [0, 1, 2])]), report(1, [replica(0, 0, 1, [0, 1, 2])])])
    tracker.observeRound(1250, [report(0, [replica(0, 0, 1, [0, 1, 2])])])
    // Broker 1 already applied the new leader; broker 2 still has the old view: the newer epoch wins.
    tracker.observeRound(1500, [report(1, [replica(0, 1, 2, [1, 2])]), report(2, [replica(0, 0, 1, [0, 1, 2])])])
    tracker.observeRound(1750, [report(1, [replica(0, -1, 3, [1])])])
    tracker.observeRound(2000, [report(1, [replica(0, 1, 4, [0, 1, 2])])])
    const [timeline] = tracker.timelines()
    expect(timeline).toMatchObject({ topic: 't', partition: 0, replicas: [0, 1, 2] })
    expect(timeline!.points.map(p => [p.atMs, p.leaderId, p.leaderEpoch, p.isrSize])).toEqual([
      [1000, 0, 1, 3], [1500, 1, 2, 2], [1750, -1, 3, 1], [2000, 1, 4, 3],
    ])
    expect(timeline!.points[0]!.reporters).toBe(2)
  })

  it('prefers the leader\'s own view in a tie of epochs (it learns an ISR change first), whatever the order', () => {
    const tracker = new PartitionTimelineTracker()
    tracker.observeRound(1000, [report(2, [replica(0, 1, 5, [0, 1, 2])]), report(1, [replica(0, 1, 5, [1, 2])])])
    tracker.observeRound(1250, [report(1, [replica(0, 1, 5, [1, 2])]), report(2, [replica(0, 1, 5, [0, 1, 2])])])
    expect(tracker.timelines()[0]!.points.map(p => p.isrSize)).toEqual([2])
  })

  it('sorts partitions and stops adding points at its cap, counting the dropped ones', () => {
    const tracker = new PartitionTimelineTracker(3)
    for (let round = 0; round < 3; round++) {
      tracker.observeRound(round, [report(0, [replica(1, round % 2, round, [0]), replica(0, 0, round, [0])])])
    }
    expect(tracker.timelines().map(t => t.partition)).toEqual([0, 1])
    expect(tracker.timelines().reduce((n, t) => n + t.points.length, 0)).toBe(3)
    expect(tracker.pointsDropped).toBe(3)
  })
})
