// Leader-epoch arithmetic: the OffsetsForLeaderEpoch answer, the Fetch diverging-epoch check
// and the follower's truncation offset, on hand-written epoch caches (KIP-101/279/320).

import { describe, expect, it } from 'vitest'
import { assertEpochCache, currentLeaderEpochError, divergingEpoch, endOffsetForEpoch, truncationFor, UNDEFINED_EPOCH } from '../../../../broker/cluster/replica/epochs.ts'

import { ErrorCode } from '../../../../broker/protocol/errors.ts'

const leader = [{ epoch: 0, startOffset: 0 }, { epoch: 1, startOffset: 4 }, { epoch: 3, startOffset: 6 }]

describe('endOffsetForEpoch (the leader answer)', () => {
  it('answers the log end for the latest epoch and the next epoch start for older ones', () => {
    expect(endOffsetForEpoch(leader, 3, 9)).toEqual({ epoch: 3, endOffset: 9 })
    expect(endOffsetForEpoch(leader, 1, 9)).toEqual({ epoch: 1, endOffset: 6 })
    expect(endOffsetForEpoch(leader, 0, 9)).toEqual({ epoch: 0, endOffset: 4 })
  })

  it('answers the largest known epoch below an unknown one', () => {
    expect(endOffsetForEpoch(leader, 2, 9)).toEqual({ epoch: 1, endOffset: 6 })
  })

  it('answers the first start offset for an epoch older than any it knows, UNDEFINED for newer', () => {
    const trimmed = [{ epoch: 5, startOffset: 100 }, { epoch: 7, startOffset: 120 }]
    expect(endOffsetForEpoch(trimmed, 2, 130)).toEqual({ epoch: 2, endOffset: 100 })
    expect(endOffsetForEpoch(trimmed, 9, 130)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: -1 })
    expect(endOffsetForEpoch([], 0, 0)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: -1 })
  })

  it('rejects a cache out of order', () => {
    expect(() => assertEpochCache([{ epoch: 2, startOffset: 5 }, { epoch: 1, startOffset: 6 }])).toThrow(/out of order at index 1/)
    expect(() => assertEpochCache(leader)).not.toThrow()
  })
})

describe('divergingEpoch (Fetch v12+)', () => {
  it('is null for a consistent position and names the divergence otherwise', () => {
    expect(divergingEpoch(leader, 3, 8, 9)).toBeNull()
    expect(divergingEpoch(leader, 1, 6, 9)).toBeNull()
    expect(divergingEpoch(leader, 1, 7, 9)).toEqual({ epoch: 1, endOffset: 6 })
    expect(divergingEpoch(leader, 2, 7, 9)).toEqual({ epoch: 1, endOffset: 6 })
  })
})

describe('truncationFor (the follower decision)', () => {
  it('truncates to the smaller end when both know the epoch', () => {
    const follower = [{ epoch: 0, startOffset: 0 }, { epoch: 1, startOffset: 4 }]
    expect(truncationFor({ epoch: 1, endOffset: 6 }, follower, 8)).toEqual({ offset: 6, done: true })
    expect(truncationFor({ epoch: 0, endOffset: 4 }, [{ epoch: 0, startOffset: 0 }], 3)).toEqual({ offset: 3, done: true })
  })

  it('KIP-279: an epoch the follower lacks truncates to its own earlier epoch end and asks again', () => {
    const follower = [{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 5 }]
    const first = truncationFor(endOffsetForEpoch(leader, 2, 9), follower, 8)
    expect(first).toEqual({ offset: 5, done: false })
    const second = truncationFor(endOffsetForEpoch(leader, 0, 9), [{ epoch: 0, startOffset: 0 }], 5)
    expect(second).toEqual({ offset: 4, done: true })
  })

  it('keeps the position when the leader has no answer', () => {
    expect(truncationFor({ epoch: UNDEFINED_EPOCH, endOffset: -1 }, leader, 9)).toEqual({ offset: 9, done: true })
  })
})

describe('currentLeaderEpochError', () => {
  it('fences an older requester, refuses a newer one, and skips -1', () => {
    expect(currentLeaderEpochError(3, 4)).toBe(ErrorCode.FENCED_LEADER_EPOCH)
    expect(currentLeaderEpochError(5, 4)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
    expect(currentLeaderEpochError(4, 4)).toBe(ErrorCode.NONE)
    expect(currentLeaderEpochError(-1, 4)).toBe(ErrorCode.NONE)
  })
})
