// The safety properties the simulator checks after every step of every node (the first four
// are what Kafka's RaftEventSimulationTest checks):
//   - at most one leader per epoch;
//   - a node's epoch never decreases (it is persisted, so not even across a restart);
//   - a node's high watermark never decreases within one incarnation. Kafka does not
//     persist the quorum HW: a restarted node starts from its latest snapshot and learns
//     the HW again from the leader, so a restart may lower it, but never the committed
//     data, which the next check covers;
//   - every committed entry any node hands to its state machine is identical to what every
//     other node handed over at that offset, and snapshots at one offset are identical;
//   - every committed entry is durable (fsynced or in a snapshot) on a majority of voters.
// A violation throws SimulationFailure with the evidence.

import type { MemoryRaftLog } from '../../broker/cluster/raft/memory-log.ts'
import type { NodeStatus } from '../../broker/cluster/raft/raft-node.ts'
import type { Entry, NodeId, Output } from '../../broker/cluster/raft/types.ts'

export class SimulationFailure extends Error {
  readonly code = 'ERR_RAFT_SIMULATION'
}

export class QuorumChecker {
  readonly #voters: readonly NodeId[]
  readonly #leaders = new Map<number, NodeId>()
  readonly #epochs = new Map<NodeId, number>()
  readonly #hws = new Map<NodeId, number>()
  readonly #committed: Entry[] = []
  readonly #snapshots = new Map<number, string>()
  /** Every offset below this is committed (the largest HW any node reached). */
  committedEnd = 0

  constructor (voters: readonly NodeId[]) {
    this.#voters = voters
  }

  get committedEntries (): readonly Entry[] { return this.#committed }

  onRestart (nodeId: NodeId): void {
    this.#hws.delete(nodeId)
  }

  afterStep (nodeId: NodeId, status: NodeStatus, out: Output): void {
    if (status.role === 'leader') {
      const other = this.#leaders.get(status.epoch)
      if (other !== undefined && other !== nodeId) fail(`two leaders in epoch ${status.epoch}: nodes ${other} and ${nodeId}`)
      this.#leaders.set(status.epoch, nodeId)
    }
    const epoch = this.#epochs.get(nodeId) ?? 0
    if (status.epoch < epoch) fail(`node ${nodeId}: epoch went back from ${epoch} to ${status.epoch}`)
    this.#epochs.set(nodeId, status.epoch)
    const hw = this.#hws.get(nodeId) ?? -1
    if (status.highWatermark < hw) fail(`node ${nodeId}: high watermark went back from ${hw} to ${status.highWatermark}`)
    this.#hws.set(nodeId, status.highWatermark)
    if (out.loadSnapshot !== null) this.#checkSnapshot(nodeId, out.loadSnapshot.endOffset, out.loadSnapshot.data)
    for (const entry of out.committed) this.#checkCommitted(nodeId, entry)
    this.committedEnd = Math.max(this.committedEnd, status.highWatermark)
  }

  #checkSnapshot (nodeId: NodeId, endOffset: number, data: Uint8Array): void {
    const text = Buffer.from(data).toString()
    const known = this.#snapshots.get(endOffset)
    if (known !== undefined && known !== text) fail(`node ${nodeId}: snapshot at ${endOffset} differs from another node's`)
    this.#snapshots.set(endOffset, text)
  }

  recordSnapshot (nodeId: NodeId, endOffset: number, data: Uint8Array): void {
    this.#checkSnapshot(nodeId, endOffset, data)
  }

  #checkCommitted (nodeId: NodeId, entry: Entry): void {
    const known = this.#committed[entry.offset]
    if (known === undefined) {
      if (entry.offset !== this.#committed.length) fail(`node ${nodeId}: committed offset ${entry.offset} before ${this.#committed.length}`)
      this.#committed.push(entry)
      return
    }
    const same = known.epoch === entry.epoch && known.kind === entry.kind && Buffer.compare(known.data, entry.data) === 0
    if (!same) fail(`node ${nodeId}: committed entry at offset ${entry.offset} is (epoch ${entry.epoch}, ${show(entry)}) but another node committed (epoch ${known.epoch}, ${show(known)})`)
  }

  /** Checks offsets [from, committedEnd) are durable on a majority of voters. */
  checkDurableMajority (logs: ReadonlyMap<NodeId, MemoryRaftLog>, from = 0): void {
    const need = Math.floor(this.#voters.length / 2) + 1
    for (let offset = Math.max(0, from); offset < this.committedEnd; offset++) {
      const entry = this.#committed[offset]
      if (entry === undefined) continue
      let holders = 0
      for (const voter of this.#voters) if (holdsDurably(logs.get(voter)!, entry)) holders++
      if (holders < need) fail(`committed offset ${offset} (epoch ${entry.epoch}) is durable on ${holders} voters, fewer than a majority of ${need}`)
    }
  }
}

function holdsDurably (log: MemoryRaftLog, entry: Entry): boolean {
  const snap = log.latestSnapshot()
  if (snap !== null && snap.endOffset > entry.offset) return true
  if (entry.offset < log.startOffset() || entry.offset >= log.flushedEndOffset()) return false
  return log.read(entry.offset, 1)[0]!.epoch === entry.epoch
}

function show (entry: Entry): string {
  return entry.kind === 'data' ? `"${Buffer.from(entry.data).toString()}"` : entry.kind
}

function fail (message: string): never {
  throw new SimulationFailure(message)
}
