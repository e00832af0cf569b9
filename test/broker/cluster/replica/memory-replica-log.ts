// A tiny in-memory partition log for the replication state-machine tests: one entry per
// offset holding the leader epoch it was written in and a value, with the leader-epoch
// cache derived from the entries (as a real log rebuilds it). Enough to check that replicas
// agree below the HW without the storage layer.

import type { EpochEntry } from '../../../../broker/cluster/replica/epochs.ts'
import type { LocalLogView } from '../../../../broker/cluster/replica/follower-state.ts'

export interface LogEntry { epoch: number, value: string }

export class MemoryReplicaLog implements LocalLogView {
  readonly entries: LogEntry[] = []

  static of (...epochsPerOffset: number[]): MemoryReplicaLog {
    const log = new MemoryReplicaLog()
    epochsPerOffset.forEach((epoch, offset) => log.entries.push({ epoch, value: `e${epoch}o${offset}` }))
    return log
  }

  get logEndOffset (): number { return this.entries.length }

  get epochs (): EpochEntry[] {
    const out: EpochEntry[] = []
    this.entries.forEach((e, offset) => {
      if (out.length === 0 || out[out.length - 1]!.epoch !== e.epoch) out.push({ epoch: e.epoch, startOffset: offset })
    })
    return out
  }

  append (epoch: number, value: string): void {
    const last = this.entries[this.entries.length - 1]
    if (last !== undefined && last.epoch > epoch) throw new Error(`append of epoch ${epoch} after epoch ${last.epoch}`)
    this.entries.push({ epoch, value })
  }

  /** Copies the leader's entries from this log's end, as a follower appends a fetch response. */
  appendFrom (leader: MemoryReplicaLog, maxCount = Infinity): number {
    const from = this.entries.length
    const to = Math.min(leader.entries.length, from + maxCount)
    for (let i = from; i < to; i++) this.entries.push({ ...leader.entries[i]! })
    return to - from
  }

  truncateTo (offset: number): void {
    if (offset < this.entries.length) this.entries.length = offset
  }
}
