// The pure half of the replica consistency check, on hand-written reports: which replicas
// are compared over which range, and how checksums group into agreeing sets.

import { describe, expect, it } from 'vitest'
import { groupChecksums, planPartitions } from '../../../harness/cluster/replica-compare.ts'
import type { ReplicaReport, ReplicasReport } from '../../../broker/server/replica-report.ts'

function replica (over: Partial<ReplicaReport>): ReplicaReport {
  return {
    topic: 't', topicId: 'id-t', partition: 0, role: 'follower', leaderId: 1, leaderEpoch: 3, leadingEpoch: null,
    replicas: [0, 1, 2], isr: [0, 1, 2], logStartOffset: 0, logEndOffset: 100, highWatermark: 100,
    leaderEpochs: [{ epoch: 3, startOffset: 0 }], checksumUpToOffset: null, checksum: null, ...over,
  }
}

const report = (brokerId: number, replicas: ReplicaReport[]): ReplicasReport => ({ brokerId, incarnation: `i${brokerId}`, startedAtMs: 0, nowMs: 1, replicas })

const sum = (value: string, stopOffset = 80, startOffset = 0) => ({ algorithm: 'sha256' as const, startOffset, stopOffset, batchCount: 4, sizeBytes: 400, value })

describe('planPartitions', () => {
  it('compares the assigned replicas from the highest log start to the lowest HW', () => {
    const [plan, ...rest] = planPartitions([
      report(0, [replica({ logStartOffset: 10, highWatermark: 95, logEndOffset: 120 })]),
      report(1, [replica({ role: 'leader', highWatermark: 90, logEndOffset: 120 })]),
      report(2, [replica({ logStartOffset: 20, highWatermark: 120, logEndOffset: 120 })]),
    ])
    expect(rest).toEqual([])
    expect(plan).toMatchObject({ topic: 't', partition: 0, assigned: [0, 1, 2], compared: [0, 1, 2], fromOffset: 20, upToOffset: 90, unchecked: [], notes: [] })
  })

  it('leaves out brokers outside the replica set, and says why an assigned replica is not compared', () => {
    const [plan] = planPartitions([
      report(0, [replica({ role: 'none', highWatermark: null })]),
      report(1, [replica({ role: 'leader', leaderEpoch: 4, replicas: [0, 1, 2] })]),
      report(3, [replica({ role: 'none', highWatermark: null, replicas: [0, 1, 2] })]),
    ], ['http://127.0.0.1:9/'])
    expect(plan!.compared).toEqual([1])
    expect(plan!.unchecked).toEqual([
      { brokerId: 0, reason: expect.stringMatching(/no role yet/) },
      { brokerId: 2, reason: expect.stringMatching(/no report: broker 2.*did not answer: http:\/\/127.0.0.1:9\//) },
    ])
    expect(plan!.notes).toEqual(['only 1 replica(s) to compare'])
  })

  it('takes the replica set from the report with the newest leader epoch and notes topic id disagreements', () => {
    const [plan] = planPartitions([
      report(0, [replica({ leaderEpoch: 2, replicas: [0, 1] })]),
      report(1, [replica({ leaderEpoch: 5, replicas: [1, 2], topicId: 'other' })]),
      report(2, [replica({ leaderEpoch: 5, replicas: [1, 2] })]),
    ])
    expect(plan!.assigned).toEqual([1, 2])
    expect(plan!.compared).toEqual([1, 2])
    expect(plan!.notes[0]).toMatch(/disagree on the topic id: 0=id-t, 1=other, 2=id-t/)
  })
})

describe('groupChecksums', () => {
  it('puts identical checksums in one group', () => {
    const groups = groupChecksums([0, 1, 2].map(brokerId => ({ brokerId, checksum: sum('aa'), error: null })))
    expect(groups).toHaveLength(1)
    expect(groups[0]!.brokers).toEqual([0, 1, 2])
  })

  it('splits on a different hash, and on a different stop offset with the same hash', () => {
    const groups = groupChecksums([
      { brokerId: 0, checksum: sum('aa'), error: null },
      { brokerId: 1, checksum: sum('bb'), error: null },
      { brokerId: 2, checksum: sum('aa'), error: null },
      { brokerId: 3, checksum: sum('aa', 70), error: null },
      { brokerId: 4, checksum: null, error: 'HTTP 503' },
    ])
    expect(groups.map(g => g.brokers)).toEqual([[0, 2], [1], [3]])
  })
})
