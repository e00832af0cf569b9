// What the QuorumDriver tells its owner after each step: snapshot to load, committed
// entries, leadership ready (this epoch's leaderChange entry is committed, so everything
// before it is too) and leadership lost; and when a state-machine snapshot is due
// (snapshotAfterEntries). A listener that throws on entries has a state machine that no
// longer matches the log, so that is reported as fatal to the driver.
//
// A due snapshot waits until everything the state machine applied is also flushed here: a
// follower applies entries below the leader's high watermark while its own fsync of them
// is still running. Taking the snapshot then was refused, and with the count already reset
// no snapshot came until another interval of entries did (a quiet cluster: never).

import type { NodeStatus } from '../raft/raft-node.ts'
import type { Output } from '../raft/types.ts'
import type { QuorumListener } from './driver-options.ts'

export class ListenerFeed {
  readonly #listener: QuorumListener
  readonly #logLine: (line: string) => void
  readonly #snapshotAfterEntries: number | undefined
  #readyEpoch = -1
  #appliedSinceSnapshot = 0
  /** The offset after the last entry the state machine applied (or its snapshot's end). */
  #appliedEndOffset = 0

  constructor (listener: QuorumListener, logLine: (line: string) => void, snapshotAfterEntries: number | undefined) {
    this.#listener = listener
    this.#logLine = logLine
    this.#snapshotAfterEntries = snapshotAfterEntries
  }

  /** Hands over a step's snapshot and entries; false when the listener failed (fatal). */
  deliver (out: Output, status: NodeStatus): boolean {
    const listener = this.#listener
    try {
      if (out.loadSnapshot !== null) {
        this.#appliedSinceSnapshot = 0
        this.#appliedEndOffset = out.loadSnapshot.endOffset
        listener.onLoadSnapshot(out.loadSnapshot)
      }
      if (out.committed.length > 0) {
        this.#appliedSinceSnapshot += out.committed.length
        this.#appliedEndOffset = out.committed[out.committed.length - 1]!.offset + 1
        listener.onCommitted(out.committed)
      }
    } catch (err) {
      this.#logLine(`quorum: the state machine failed to apply committed entries, so it no longer matches the log: ${(err as Error).stack ?? String(err)}`)
      return false
    }
    if (status.role !== 'leader' || this.#readyEpoch === status.epoch) return true
    if (out.committed.some(e => e.kind === 'leaderChange' && e.epoch === status.epoch)) {
      this.#readyEpoch = status.epoch
      this.#call('onLeaderReady', () => { listener.onLeaderReady(status.epoch) })
    }
    return true
  }

  /** Calls onLeaderLost once when the leadership that was reported ready has ended. */
  checkLeadership (status: NodeStatus, closed: boolean): void {
    if (this.#readyEpoch < 0) return
    if (!closed && status.role === 'leader' && status.epoch === this.#readyEpoch) return
    this.#readyEpoch = -1
    this.#call('onLeaderLost', () => { this.#listener.onLeaderLost() })
  }

  /**
   * The state machine's snapshot when one is due, newer than `latestEndOffset` and within
   * `limitOffset` (what the node may snapshot now: RaftNode.snapshotLimit), else null. A due
   * snapshot beyond the limit stays due and is asked for again after the next step.
   */
  snapshotDue (latestEndOffset: number, limitOffset: number): { endOffset: number, data: Uint8Array } | null {
    const every = this.#snapshotAfterEntries
    const take = this.#listener.snapshot
    if (every === undefined || take === undefined || this.#appliedSinceSnapshot < every) return null
    if (this.#appliedEndOffset > limitOffset) return null
    this.#appliedSinceSnapshot = 0
    const holder: { snap: { endOffset: number, data: Uint8Array } | null } = { snap: null }
    this.#call('snapshot', () => { holder.snap = take.call(this.#listener) })
    const snap = holder.snap
    return snap !== null && snap.endOffset > latestEndOffset ? snap : null
  }

  #call (what: string, call: () => void): void {
    try {
      call()
    } catch (err) {
      this.#logLine(`quorum: the listener's ${what} failed: ${(err as Error).stack ?? String(err)}`)
    }
  }
}
