// The quorum driver's hand-over to the state machine, on its own: when a snapshot is due
// and when it must wait. A three-node cluster under load showed the bug this guards: a
// follower applied 44 entries (below the leader's high watermark) while its own fsync had
// reached 8, the snapshot was refused, the count was reset, and with no further metadata
// changes the node never snapshotted (test/broker/cluster/acceptance/metadata-snapshot.test.ts
// timed out waiting for the file).

import { describe, expect, it } from 'vitest'
import { ListenerFeed } from '../../../../broker/cluster/quorum/listener-feed.ts'
import type { QuorumListener } from '../../../../broker/cluster/quorum/driver-options.ts'
import type { NodeStatus } from '../../../../broker/cluster/raft/raft-node.ts'
import type { Entry, Output, Snapshot } from '../../../../broker/cluster/raft/types.ts'

const FOLLOWER: NodeStatus = { role: 'follower', epoch: 1, leaderId: 1, votedFor: -1, highWatermark: 0, logEndOffset: 0 }

function entries (from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ offset: from + i, epoch: 1, kind: 'data' as const, data: Buffer.from(`v${from + i}`) }))
}

function output (committed: Entry[], loadSnapshot: Snapshot | null = null): Output {
  return { persist: null, flush: false, log: [], messages: [], loadSnapshot, committed }
}

/** A state machine that counts what it applied and snapshots its applied end. */
function stateMachine (): QuorumListener & { applied: number } {
  const sm = {
    applied: 0,
    onCommitted (batch: readonly Entry[]) { sm.applied = batch[batch.length - 1]!.offset + 1 },
    onLoadSnapshot (snap: Snapshot) { sm.applied = snap.endOffset },
    snapshot: () => ({ endOffset: sm.applied, data: Buffer.from(String(sm.applied)) }),
    onLeaderReady () {},
    onLeaderLost () {},
  }
  return sm
}

describe('ListenerFeed.snapshotDue', () => {
  it('is not due before the interval of applied entries', () => {
    const feed = new ListenerFeed(stateMachine(), () => {}, 5)
    expect(feed.deliver(output(entries(0, 4)), FOLLOWER)).toBe(true)
    expect(feed.snapshotDue(0, 100)).toBeNull()
    feed.deliver(output(entries(4, 1)), FOLLOWER)
    expect(feed.snapshotDue(0, 100)?.endOffset).toBe(5)
  })

  it('keeps a due snapshot due while what was applied is not yet flushed, and gives it once the flush catches up', () => {
    const feed = new ListenerFeed(stateMachine(), () => {}, 20)
    feed.deliver(output(entries(0, 44)), FOLLOWER)
    expect(feed.snapshotDue(0, 8), 'applied 44, flushed 8: wait').toBeNull()
    expect(feed.snapshotDue(0, 43), 'still one entry short').toBeNull()
    // No entries arrive in between (a quiet cluster): only the flush moves.
    expect(feed.snapshotDue(0, 44)?.endOffset).toBe(44)
    expect(feed.snapshotDue(44, 44), 'taken: not due again until another interval').toBeNull()
  })

  it('counts from a loaded snapshot and measures the limit against its end', () => {
    const feed = new ListenerFeed(stateMachine(), () => {}, 3)
    feed.deliver(output(entries(100, 3), { endOffset: 100, epoch: 1, data: Buffer.from('100') }), FOLLOWER)
    expect(feed.snapshotDue(100, 102)).toBeNull()
    expect(feed.snapshotDue(100, 103)?.endOffset).toBe(103)
  })

  it('gives nothing when the state machine\'s snapshot is not newer than the latest one', () => {
    const feed = new ListenerFeed(stateMachine(), () => {}, 2)
    feed.deliver(output(entries(0, 2)), FOLLOWER)
    expect(feed.snapshotDue(2, 2)).toBeNull()
  })
})
