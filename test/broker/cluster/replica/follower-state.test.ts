// The follower side: the KIP-101 and KIP-279 stories of replication.md, replayed against
// in-memory logs through the follower state machine, in both truncation modes
// (OffsetsForLeaderEpoch, and Fetch v12+ diverging epoch), plus its HW and fencing rules.

import { describe, expect, it } from 'vitest'
import { divergingEpoch, endOffsetForEpoch } from '../../../../broker/cluster/replica/epochs.ts'
import { FollowerPartition } from '../../../../broker/cluster/replica/follower-state.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { MemoryReplicaLog } from './memory-replica-log.ts'

const MODES = [{ useDivergingEpoch: false }, { useDivergingEpoch: true }]

/** Runs the follower against the leader's log until it has fetched everything; returns every truncation offset. */
function converge (f: FollowerPartition, log: MemoryReplicaLog, leader: MemoryReplicaLog, leaderHw: number): number[] {
  const truncations: number[] = []
  for (let step = 0; step < 50; step++) {
    const action = f.nextAction(log)
    if (action.kind === 'epochCheck') {
      const answer = endOffsetForEpoch(leader.epochs, action.leaderEpoch, leader.logEndOffset)
      f.onEpochAnswer({ errorCode: ErrorCode.NONE, leaderEpoch: answer.epoch, endOffset: answer.endOffset }, log)
    } else if (action.kind === 'truncate') {
      truncations.push(action.offset)
      log.truncateTo(action.offset)
      f.onTruncated(log)
    } else if (action.kind === 'fetch') {
      // A leader checks last_fetched_epoch only from Fetch v12 on.
      const diverging = f.useDivergingEpoch ? divergingEpoch(leader.epochs, action.lastFetchedEpoch, action.fetchOffset, leader.logEndOffset) : null
      if (diverging === null && log.appendFrom(leader) === 0) {
        f.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: leaderHw }, log)
        return truncations
      }
      f.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: leaderHw, divergingEpoch: diverging }, log)
    } else {
      throw new Error(`follower stuck in phase ${f.phase}`)
    }
  }
  throw new Error('no convergence in 50 steps')
}

function follower (log: MemoryReplicaLog, leaderId: number, leaderEpoch: number, highWatermark: number, useDivergingEpoch: boolean): FollowerPartition {
  return new FollowerPartition({ leaderId, leaderEpoch, highWatermark, log, useDivergingEpoch })
}

describe.each(MODES)('follower truncation (useDivergingEpoch=$useDivergingEpoch)', ({ useDivergingEpoch }) => {
  it('KIP-101 story 1: a restarted follower does not truncate to its HW, so back-to-back failovers lose nothing', () => {
    // A leads epoch 0; m0 and m1 are on both replicas, committed (A's HW 2), but B learned only HW 1.
    const a = MemoryReplicaLog.of(0, 0)
    const b = MemoryReplicaLog.of(0, 0)
    const bFollower = follower(b, 1, 0, 1, useDivergingEpoch) // B restarts and follows A again
    const bTruncations = converge(bFollower, b, a, 2)
    expect(Math.min(...bTruncations, Infinity)).toBeGreaterThanOrEqual(2) // pre-KIP-101 would cut to 1
    expect(b.entries).toEqual(a.entries)
    // A dies; B leads epoch 1 without writing yet; A comes back and follows B.
    const aFollower = follower(a, 2, 1, 2, useDivergingEpoch)
    converge(aFollower, a, b, 2)
    expect(a.entries.map(e => e.value)).toEqual(['e0o0', 'e0o1'])
    expect(b.entries).toEqual(a.entries)
    expect(aFollower.truncationsBelowHw + bFollower.truncationsBelowHw).toBe(0)
  })

  it('KIP-101 story 2: the old leader drops its uncommitted tail and takes the new leader\'s write', () => {
    const a = MemoryReplicaLog.of(0, 0, 0) // offset 2 never reached B, HW 2
    const b = MemoryReplicaLog.of(0, 0)
    b.append(1, 'new leader write') // B leads epoch 1 and writes at offset 2
    const f = follower(a, 2, 1, 2, useDivergingEpoch)
    expect(converge(f, a, b, 3)).toEqual([2])
    expect(a.entries).toEqual(b.entries)
    expect(f.highWatermark).toBe(3)
  })

  it('KIP-279: logs diverging over several epochs converge on the last offset both agree on', () => {
    const leader = MemoryReplicaLog.of(0, 0, 0, 0, 1, 1, 3, 3, 3)
    const log = MemoryReplicaLog.of(0, 0, 0, 0, 0, 2, 2, 2)
    const f = follower(log, 1, 3, 4, useDivergingEpoch)
    expect(converge(f, log, leader, 9)).toEqual([5, 4])
    expect(log.entries).toEqual(leader.entries)
    expect(f.truncationsBelowHw).toBe(0)
  })

  it('unclean election: truncation below the HW is what it is in Kafka, and counted', () => {
    const leader = MemoryReplicaLog.of(0)
    leader.append(1, 'unclean leader write')
    const log = MemoryReplicaLog.of(0, 0, 0)
    const f = follower(log, 2, 1, 3, useDivergingEpoch)
    expect(converge(f, log, leader, 2)).toEqual([1])
    expect(f.truncationsBelowHw).toBe(1)
    expect(log.entries).toEqual(leader.entries)
  })
})

describe('FollowerPartition state', () => {
  it('starts with an epoch check, or fetches at once with the diverging-epoch check', () => {
    const log = MemoryReplicaLog.of(0, 0)
    expect(follower(log, 1, 0, 0, false).nextAction(log)).toEqual({ kind: 'epochCheck', currentLeaderEpoch: 0, leaderEpoch: 0 })
    expect(follower(log, 1, 0, 0, true).nextAction(log)).toEqual({ kind: 'fetch', fetchOffset: 2, lastFetchedEpoch: 0, currentLeaderEpoch: 0 })
    const empty = new MemoryReplicaLog()
    const f = follower(empty, 1, 0, 0, true)
    expect(f.nextAction(empty)).toEqual({ kind: 'truncate', offset: 0 })
  })

  it('keeps HW = min(leader HW, own log end), never lower than before', () => {
    const log = MemoryReplicaLog.of(0, 0, 0)
    const f = follower(log, 1, 0, 1, true)
    f.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: 10 }, log)
    expect(f.highWatermark).toBe(3)
    f.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: 2 }, log)
    expect(f.highWatermark).toBe(3)
  })

  it('waits for metadata when fenced and never follows an older leader epoch', () => {
    const log = MemoryReplicaLog.of(0, 0)
    const f = follower(log, 1, 3, 0, true)
    f.onFetchResponse({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, highWatermark: -1 }, log)
    expect(f.phase).toBe('awaitingMetadata')
    expect(f.nextAction(log)).toEqual({ kind: 'wait' })
    expect(f.onLeaderChange(2, 2, log)).toBe(false)
    expect(f.onLeaderChange(2, 4, log)).toBe(true)
    expect(f.nextAction(log)).toMatchObject({ kind: 'fetch', currentLeaderEpoch: 4 })
    expect(f.onLeaderChange(-1, 5, log)).toBe(true) // offline: nobody to fetch from
    expect(f.nextAction(log)).toEqual({ kind: 'wait' })
    expect(f.onLeaderChange(3, 6, log)).toBe(true)
    expect(f.nextAction(log)).toMatchObject({ kind: 'fetch', currentLeaderEpoch: 6 })
  })

  it('asks again after NOT_LEADER_OR_FOLLOWER: the named leader may not have applied its own election yet', () => {
    // Seed 7016 of a safe-rf3 soak: both followers learned "broker 2 leads epoch 5" 14 ms before
    // broker 2 did, heard NOT_LEADER_OR_FOLLOWER, and waited for metadata that had already come.
    const log = MemoryReplicaLog.of(0, 0)
    const f = follower(log, 2, 5, 0, false)
    expect(f.nextAction(log)).toMatchObject({ kind: 'epochCheck', currentLeaderEpoch: 5 })
    f.onEpochAnswer({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 }, log)
    expect(f.nextAction(log)).toMatchObject({ kind: 'epochCheck', currentLeaderEpoch: 5 })
    f.onEpochAnswer({ errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 2 }, log)
    expect(f.nextAction(log)).toMatchObject({ kind: 'fetch', fetchOffset: 2 })
    f.onFetchResponse({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1 }, log)
    expect(f.nextAction(log)).toMatchObject({ kind: 'fetch', currentLeaderEpoch: 5 })
  })

  it('retries the epoch check after an error and rejects a truncation it did not ask for', () => {
    const log = MemoryReplicaLog.of(0, 0)
    const f = follower(log, 1, 1, 0, false)
    f.nextAction(log)
    f.onEpochAnswer({ errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, leaderEpoch: -1, endOffset: -1 }, log)
    expect(f.nextAction(log).kind).toBe('epochCheck')
    expect(() => f.onTruncated(log)).toThrow(/onTruncated in phase awaitingEpochAnswer/)
  })

  it('OFFSET_OUT_OF_RANGE: truncates to a shorter leader, restarts behind a trimmed one, else fetches on', () => {
    const outOfRange = (log: MemoryReplicaLog, f: FollowerPartition) => {
      f.onFetchResponse({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1 }, log)
      expect(f.nextAction(log)).toEqual({ kind: 'leaderOffsets', currentLeaderEpoch: 2 })
    }
    const log = MemoryReplicaLog.of(0, 0, 0, 0)
    const f = follower(log, 1, 2, 4, true)
    outOfRange(log, f)
    f.onLeaderOffsets({ errorCode: ErrorCode.NONE, logStartOffset: 0, logEndOffset: 3 }, log)
    expect(f.nextAction(log)).toEqual({ kind: 'truncate', offset: 3 })
    log.truncateTo(3)
    f.onTruncated(log)
    expect(f.truncationsBelowHw).toBe(1)
    outOfRange(log, f)
    f.onLeaderOffsets({ errorCode: ErrorCode.NONE, logStartOffset: 10, logEndOffset: 20 }, log)
    expect(f.nextAction(log)).toEqual({ kind: 'truncateFullyAndStartAt', offset: 10 })
    const restarted = new MemoryReplicaLog()
    expect(() => f.onTruncated(restarted)).toThrow(/not the restart offset 10/)
    const atTen = { logEndOffset: 10, epochs: [] }
    f.onTruncated(atTen)
    expect(f.highWatermark).toBe(10)
    expect(f.nextAction(atTen)).toMatchObject({ kind: 'fetch', fetchOffset: 10 })
    const g = follower(log, 1, 2, 0, true)
    outOfRange(log, g)
    g.onLeaderOffsets({ errorCode: ErrorCode.NONE, logStartOffset: 0, logEndOffset: 9 }, log)
    expect(g.nextAction(log)).toMatchObject({ kind: 'fetch', fetchOffset: 3 })
  })
})
