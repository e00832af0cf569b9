// The leader's partition state: HW over the ISR, ISR shrink/expand through AlterPartition
// with the KIP-497 maximal ISR, fenced replies, image changes, min ISR and acks=all.

import { describe, expect, it } from 'vitest'
import type { PartitionState } from '../../../../broker/cluster/image.ts'
import { LeaderPartition, type LeaderConfig } from '../../../../broker/cluster/replica/leader-state.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'

const LAG_MS = 30_000

function state (parts: Partial<PartitionState> = {}): PartitionState {
  return { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderRecoveryState: 0, leaderEpoch: 4, partitionEpoch: 10, ...parts }
}

function leader (parts: Partial<PartitionState> = {}, logEndOffset = 0, highWatermark = 0, config: Partial<LeaderConfig> = {}): LeaderPartition {
  return new LeaderPartition(
    { localBrokerId: 1, replicaLagTimeMaxMs: LAG_MS, minInsyncReplicas: 2, ...config },
    { state: state(parts), logEndOffset, highWatermark, nowMs: 0 },
  )
}

function reply (l: LeaderPartition, isr: number[], errorCode: number = ErrorCode.NONE, partitionEpoch = l.partitionEpoch + 1) {
  return { partitionIndex: 0, errorCode, leaderId: 1, leaderEpoch: l.leaderEpoch, isr, leaderRecoveryState: 0, partitionEpoch }
}

describe('LeaderPartition high watermark', () => {
  it('is the minimum log end over the ISR, leader included', () => {
    const l = leader()
    l.onLocalAppend(10, 1)
    expect(l.highWatermark).toBe(0)
    l.onFollowerFetch(2, 10, 2)
    expect(l.highWatermark).toBe(0) // replica 3 has not fetched in this epoch
    l.onFollowerFetch(3, 7, 3)
    expect(l.highWatermark).toBe(7)
    l.onFollowerFetch(3, 10, 4)
    expect(l.highWatermark).toBe(10)
    expect(l.completedUpTo()).toBe(10)
  })

  it('never moves backwards, even when a follower reports a lower fetch offset', () => {
    const l = leader({}, 10, 5)
    l.onFollowerFetch(2, 9, 1)
    l.onFollowerFetch(3, 9, 1)
    expect(l.highWatermark).toBe(9)
    l.onFollowerFetch(3, 6, 2)
    expect(l.highWatermark).toBe(9)
  })

  it('does not advance while the committed ISR is below min ISR (Kafka 4.1)', () => {
    const l = leader({ isr: [1] }, 10, 0)
    l.onFollowerFetch(2, 10, 1)
    expect(l.underMinIsr).toBe(true)
    expect(l.highWatermark).toBe(0)
    const rf1 = leader({ replicas: [1], isr: [1] }, 0, 0, { minInsyncReplicas: 2 })
    rf1.onLocalAppend(5, 1) // min ISR is capped at the replication factor
    expect(rf1.highWatermark).toBe(5)
  })

  it('replication.md rule 5, when enabled: no HW past the epoch start until this epoch is replicated', () => {
    const held = leader({}, 10, 6, { holdHwUntilEpochReplicated: true })
    held.onFollowerFetch(2, 10, 1)
    held.onFollowerFetch(3, 10, 1)
    expect(held.highWatermark).toBe(6)
    held.onLocalAppend(11, 2)
    held.onFollowerFetch(2, 11, 3)
    held.onFollowerFetch(3, 11, 3)
    expect(held.highWatermark).toBe(11)
    const kafka = leader({}, 10, 6)
    kafka.onFollowerFetch(2, 10, 1)
    kafka.onFollowerFetch(3, 10, 1)
    expect(kafka.highWatermark).toBe(10)
  })
})

describe('LeaderPartition ISR shrink', () => {
  it('drops a follower that has not caught up for replica.lag.time.max.ms, not before', () => {
    const l = leader()
    l.onLocalAppend(5, 0)
    l.onFollowerFetch(2, 5, 100)
    l.onFollowerFetch(3, 2, 100) // behind; its caught-up time stays at 0 (set when leadership started)
    l.onFollowerFetch(2, 5, LAG_MS)
    expect(l.isrChange(LAG_MS)).toBeNull()
    l.onFollowerFetch(2, 5, LAG_MS + 1)
    const p = l.isrChange(LAG_MS + 1)
    expect(p).toEqual({ kind: 'shrink', newIsr: [1, 2], leaderEpoch: 4, partitionEpoch: 10, leaderRecoveryState: 0 })
  })

  it('counts a follower as caught up at its previous fetch when it reached the leader end as of then', () => {
    const l = leader()
    l.onLocalAppend(5, 0)
    l.onFollowerFetch(2, 5, 0)
    l.onFollowerFetch(3, 5, 0)
    l.onLocalAppend(8, 20_000)
    l.onFollowerFetch(3, 5, 20_000) // reached the leader end of its fetch at 0 s: caught up at 0 s
    l.onLocalAppend(9, 40_000)
    l.onFollowerFetch(3, 8, 40_000) // reached the leader end of its fetch at 20 s: caught up at 20 s
    l.onFollowerFetch(2, 9, 40_000)
    expect(l.isrChange(50_000)).toBeNull()
    expect(l.isrChange(50_001)).toMatchObject({ kind: 'shrink', newIsr: [1, 2] })
  })

  it('KIP-497: a pending shrink does not lower the HW until the controller commits it', () => {
    const l = leader()
    l.onLocalAppend(10, 0)
    l.onFollowerFetch(2, 10, 1)
    l.onFollowerFetch(3, 4, 1)
    expect(l.highWatermark).toBe(4)
    const p = l.isrChange(LAG_MS + 1)!
    expect(p.kind).toBe('shrink')
    l.tick(LAG_MS + 2)
    expect(l.maximalIsr).toEqual([1, 2, 3])
    expect(l.highWatermark).toBe(4) // a zombie leader cut off from the controller stays stuck here
    expect(l.onAlterPartitionReply(reply(l, [1, 2]))).toBe('committed')
    expect(l.isr).toEqual([1, 2])
    expect(l.partitionEpoch).toBe(11)
    expect(l.highWatermark).toBe(10)
  })
})

describe('LeaderPartition ISR expansion', () => {
  it('adds a follower only once it fetched in this epoch at or past the HW and the epoch start', () => {
    const l = leader({ isr: [1, 2] }, 20, 15)
    expect(l.isrChange(1)).toBeNull() // 3 has not fetched in this leader epoch
    l.onFollowerFetch(2, 20, 1)
    expect(l.highWatermark).toBe(20)
    l.onFollowerFetch(3, 19, 2)
    expect(l.isrChange(2)).toBeNull() // below the HW
    l.onFollowerFetch(3, 20, 3)
    expect(l.isrChange(3)).toEqual({ kind: 'expand', newIsr: [1, 2, 3], leaderEpoch: 4, partitionEpoch: 10, leaderRecoveryState: 0 })
  })

  it('requires the epoch start even when the HW is lower', () => {
    const l = leader({ isr: [1, 2] }, 20, 10)
    l.onFollowerFetch(3, 15, 1)
    expect(l.isrChange(1)).toBeNull()
  })

  it('skips an ineligible (fenced or shutting down) replica', () => {
    const l = leader({ isr: [1, 2] }, 20, 20, { isEligible: id => id !== 3 })
    l.onFollowerFetch(3, 20, 1)
    expect(l.isrChange(1)).toBeNull()
  })

  it('KIP-497: the HW waits for a pending addition, one change in flight at a time', () => {
    const l = leader({ isr: [1, 2] }, 10, 10)
    l.onFollowerFetch(2, 10, 1)
    l.onFollowerFetch(3, 10, 1)
    expect(l.isrChange(1)!.newIsr).toEqual([1, 2, 3])
    expect(l.maximalIsr).toEqual([1, 2, 3])
    l.onLocalAppend(15, 2)
    l.onFollowerFetch(2, 15, LAG_MS * 2)
    expect(l.highWatermark).toBe(10) // 3 is lagging now, but in the maximal ISR
    expect(l.isrChange(LAG_MS * 3)).toBeNull() // in flight: no shrink proposal meanwhile
    l.onFollowerFetch(3, 15, LAG_MS * 3)
    expect(l.highWatermark).toBe(15)
  })

  it('the HW also waits for a caught-up eligible follower about to join, not for a lagging one', () => {
    const l = leader({ isr: [1, 2] }, 10, 10)
    l.onFollowerFetch(3, 10, 1)
    l.onLocalAppend(14, 2)
    l.onFollowerFetch(2, 14, 2)
    expect(l.highWatermark).toBe(10) // 3 caught up at 1 s: about to join
    l.onFollowerFetch(2, 14, LAG_MS + 2)
    expect(l.highWatermark).toBe(14) // 3 no longer caught up: it does not hold the HW
  })
})

describe('LeaderPartition AlterPartition replies and image changes', () => {
  it('after FENCED_LEADER_EPOCH or INVALID_UPDATE_VERSION, proposes nothing until newer metadata', () => {
    for (const code of [ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.INVALID_UPDATE_VERSION]) {
      const l = leader({ isr: [1, 2] }, 10, 10)
      l.onFollowerFetch(2, 10, 1)
      l.onFollowerFetch(3, 10, 1)
      l.isrChange(1)
      expect(l.onAlterPartitionReply(reply(l, [], code))).toBe('awaitingMetadata')
      expect(l.inFlightProposal).toBeNull()
      expect(l.isr).toEqual([1, 2])
      expect(l.isrChange(2)).toBeNull()
      expect(l.onImageChange(state({ isr: [1, 2], partitionEpoch: 10 }), 3)).toBe('ignored')
      expect(l.onImageChange(state({ isr: [1, 2], partitionEpoch: 12 }), 3)).toBe('applied')
      expect(l.isrChangeBlocked).toBe(false)
      expect(l.isrChange(3)).toMatchObject({ kind: 'expand', partitionEpoch: 12 })
    }
  })

  it('OPERATION_NOT_ATTEMPTED reverts to the committed ISR at once; stale replies are ignored', () => {
    const l = leader({ isr: [1, 2] }, 10, 10)
    l.onFollowerFetch(3, 10, 1)
    l.isrChange(1)
    expect(l.onAlterPartitionReply(reply(l, [], ErrorCode.OPERATION_NOT_ATTEMPTED))).toBe('reverted')
    expect(l.maximalIsr).toEqual([1, 2])
    expect(l.onAlterPartitionReply(reply(l, [1, 2, 3]))).toBe('ignored')
    expect(l.isrChange(2)).toMatchObject({ kind: 'expand' })
  })

  it('ignores a late answer to a proposal an image change already replaced', () => {
    const l = leader({ isr: [1, 2] }, 10, 10)
    l.onFollowerFetch(3, 10, 1)
    const old = l.isrChange(1)!
    l.onImageChange(state({ isr: [1, 2], partitionEpoch: 11 }), 2)
    const current = l.isrChange(2)!
    expect(current.partitionEpoch).toBe(11)
    expect(l.onAlterPartitionReply(reply(l, [], ErrorCode.INVALID_UPDATE_VERSION), old)).toBe('ignored')
    expect(l.inFlightProposal).toBe(current)
    expect(l.onAlterPartitionReply(reply(l, [1, 2, 3]), current)).toBe('committed')
  })

  it('a newer partition epoch from the metadata log replaces the pending change', () => {
    const l = leader()
    l.onLocalAppend(10, 0)
    l.onFollowerFetch(2, 10, 1)
    l.isrChange(LAG_MS + 1) // shrink 3 away
    expect(l.onImageChange(state({ isr: [1, 2], partitionEpoch: 11 }), LAG_MS + 2)).toBe('applied')
    expect(l.inFlightProposal).toBeNull()
    expect(l.highWatermark).toBe(10)
    expect(l.onImageChange(state({ leaderEpoch: 5, partitionEpoch: 12 }), LAG_MS + 3)).toBe('notLeaderInThisEpoch')
  })

  it('rejects a fetch from a non-replica and past the log end', () => {
    const l = leader({}, 10, 0)
    expect(l.onFollowerFetch(9, 5, 1)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    expect(l.onFollowerFetch(2, 11, 1)).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect(l.followerLogEndOffset(2)).toBe(-1)
    expect(() => leader({ leader: 2 })).toThrow(/leader is 2, not the local broker 1/)
  })
})

describe('LeaderPartition min ISR and acks=all', () => {
  it('refuses acks=all appends below min ISR and completes waiters at the HW', () => {
    const l = leader({ isr: [1, 2] }, 0, 0)
    expect(l.minIsrCheck()).toBe(ErrorCode.NONE)
    expect(l.minIsrCheck(3)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
    l.onLocalAppend(3, 1)
    expect(l.acksAllStatus(3)).toEqual({ done: false, errorCode: ErrorCode.NONE })
    l.onFollowerFetch(2, 3, 2)
    expect(l.acksAllStatus(3)).toEqual({ done: true, errorCode: ErrorCode.NONE })
  })

  it('answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR fell below min ISR by the time the HW passed', () => {
    const l = leader({ replicas: [1, 2], isr: [1, 2] }, 0, 0)
    l.onLocalAppend(3, 1)
    l.onFollowerFetch(2, 3, 2)
    l.onLocalAppend(6, 3)
    l.isrChange(LAG_MS + 10)
    l.onAlterPartitionReply(reply(l, [1]))
    expect(l.minIsrCheck()).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
    expect(l.acksAllStatus(3)).toEqual({ done: true, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND })
    expect(l.acksAllStatus(6)).toEqual({ done: false, errorCode: ErrorCode.NONE })
  })
})
