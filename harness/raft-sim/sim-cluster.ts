// A simulated metadata quorum: RaftNode cores over MemoryRaftLogs, a SimNetwork between
// them, a simulated disk (fsync completes a few ms after it is asked for), and a KvMachine
// per node fed with committed entries. Time is virtual: events run in order from one
// queue, so a seed replays exactly. Killing a node drops its core and its unflushed log
// tail; its quorum-state and flushed log survive for the restart.

import { Prng } from '../../chaos/run/prng.ts'
import { MemoryRaftLog } from '../../broker/cluster/raft/memory-log.ts'
import { RaftNode } from '../../broker/cluster/raft/raft-node.ts'
import type { DebugFaults, Envelope, NodeId, Output, QuorumStateRecord, RaftConfig } from '../../broker/cluster/raft/types.ts'
import { QuorumChecker, SimulationFailure } from './checker.ts'
import { EventQueue } from './event-queue.ts'
import { KvMachine } from './kv-machine.ts'
import { SimNetwork } from './network.ts'

type SimEvent =
  | { kind: 'deliver'; env: Envelope }
  | { kind: 'tick'; node: NodeId }
  | { kind: 'flush'; node: NodeId; incarnation: number; offset: number }
  | { kind: 'kill'; node: NodeId; incarnation: number }

interface SimNode {
  id: NodeId
  log: MemoryRaftLog
  persisted: QuorumStateRecord | null
  raft: RaftNode | null
  kv: KvMachine
  incarnation: number
  tickAtMs: number
}

export interface SimClusterOptions {
  seed: number
  voters: NodeId[]
  observers: NodeId[]
  debug?: DebugFaults
  /** Entries per fetch response; small values split replication into more steps. */
  fetchMaxEntries?: number
  /**
   * Chance that a newly elected leader crashes within a few ms of its election, while its
   * first entry is still being replicated: the moment the commit rules are most fragile.
   */
  crashNewLeaderChance?: number
}

export const SIM_TIMING = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  requestTimeoutMs: 500,
  fetchIntervalMs: 200,
  fetchMaxEntries: 16,
  snapshotChunkBytes: 256,
} as const

const SNAPSHOT_EVERY_ENTRIES = 25
const FSYNC_DELAY_MS_MAX = 8
const FULL_CHECK_EVERY_EVENTS = 512
const EVENTS_PER_SIM_SECOND_MAX = 50_000

/** What a run exercised, so a green run can show it was not a quiet one. */
export interface SimStats { kills: number; truncations: number; snapshotsInstalled: number; maxEpoch: number; leaderChanges: number }

export class SimCluster {
  nowMs = 0
  events = 0
  readonly stats: SimStats = { kills: 0, truncations: 0, snapshotsInstalled: 0, maxEpoch: 0, leaderChanges: 0 }
  readonly network: SimNetwork
  readonly checker: QuorumChecker
  readonly nodes = new Map<NodeId, SimNode>()
  readonly #queue = new EventQueue<SimEvent>()
  readonly #opts: SimClusterOptions
  readonly #disk: Prng
  #lastLeaderEpoch = 0
  /** See SimClusterOptions.crashNewLeaderChance; the heal phase sets it to 0. */
  crashNewLeaderChance: number

  constructor (opts: SimClusterOptions) {
    this.#opts = opts
    this.network = new SimNetwork(Prng.derive(opts.seed, 1))
    this.#disk = Prng.derive(opts.seed, 2)
    this.checker = new QuorumChecker(opts.voters)
    this.crashNewLeaderChance = opts.crashNewLeaderChance ?? 0
    for (const id of [...opts.voters, ...opts.observers]) {
      this.nodes.set(id, { id, log: new MemoryRaftLog(), persisted: null, raft: null, kv: new KvMachine(), incarnation: 0, tickAtMs: Infinity })
      this.restart(id)
    }
  }

  get logs (): Map<NodeId, MemoryRaftLog> {
    return new Map([...this.nodes].map(([id, n]) => [id, n.log]))
  }

  alive (id: NodeId): boolean { return this.nodes.get(id)!.raft !== null }

  kill (id: NodeId): void {
    const node = this.nodes.get(id)!
    node.raft = null
    this.stats.kills++
    node.log.crash()
    node.tickAtMs = Infinity
    this.checker.checkDurableMajority(this.logs)
  }

  restart (id: NodeId): void {
    const node = this.nodes.get(id)!
    if (node.raft !== null) return
    node.incarnation++
    node.kv = new KvMachine()
    const fetchMaxEntries = this.#opts.fetchMaxEntries ?? SIM_TIMING.fetchMaxEntries
    const cfg: RaftConfig = { nodeId: id, voters: this.#opts.voters, ...SIM_TIMING, fetchMaxEntries, debug: this.#opts.debug }
    const random = Prng.derive(this.#opts.seed, 1000 + id * 1000 + node.incarnation)
    node.raft = new RaftNode(cfg, node.log, random, node.persisted, this.nowMs)
    this.checker.onRestart(id)
    this.#apply(node, node.raft.tick(this.nowMs))
  }

  /** The live leader with the highest epoch, if any. */
  leader (): RaftNode | null {
    let best: RaftNode | null = null
    for (const node of this.nodes.values()) {
      const status = node.raft?.status()
      if (status?.role === 'leader' && (best === null || status.epoch > best.status().epoch)) best = node.raft
    }
    return best
  }

  /** Proposes one record to the current leader; returns its offset or null without a leader. */
  propose (record: string): number | null {
    const raft = this.leader()
    if (raft === null) return null
    const { result, output } = raft.propose([Buffer.from(record)], this.nowMs)
    this.#apply(this.nodes.get(raft.nodeId)!, output)
    return result.ok ? result.lastOffset : null
  }

  runUntil (endMs: number): void {
    const budget = this.events + Math.max(1, (endMs - this.nowMs) / 1000) * EVENTS_PER_SIM_SECOND_MAX
    while (this.#queue.peekMs() <= endMs) {
      if (this.events++ > budget) throw new SimulationFailure(`more than ${EVENTS_PER_SIM_SECOND_MAX} events per simulated second: a message or timer loop`)
      const { atMs, event } = this.#queue.pop()!
      this.nowMs = atMs
      this.#run(event)
      if (this.events % FULL_CHECK_EVERY_EVENTS === 0) this.checker.checkDurableMajority(this.logs)
    }
    this.nowMs = endMs
  }

  #run (event: SimEvent): void {
    if (event.kind === 'deliver') {
      const node = this.nodes.get(event.env.to)!
      if (node.raft === null || !this.network.open(event.env.from, event.env.to)) return
      return this.#apply(node, node.raft.receive(event.env, this.nowMs))
    }
    const node = this.nodes.get(event.node)!
    if (node.raft === null) return
    if (event.kind === 'kill') {
      // A crash planned before healing does not strike after it.
      if (event.incarnation === node.incarnation && this.crashNewLeaderChance > 0) this.kill(node.id)
      return
    }
    if (event.kind === 'tick') {
      if (node.tickAtMs !== this.nowMs) return
      node.tickAtMs = Infinity
      return this.#apply(node, node.raft.tick(this.nowMs))
    }
    if (event.incarnation !== node.incarnation) return
    node.log.flushTo(event.offset)
    this.#apply(node, node.raft.onFlushed(this.nowMs))
  }

  /** Carries out one Output in the order the core demands, then checks the invariants. */
  #apply (node: SimNode, out: Output): void {
    const raft = node.raft!
    if (out.persist !== null) node.persisted = out.persist
    for (const env of out.messages) {
      for (const delayMs of this.network.plan(env)) this.#queue.push(this.nowMs + delayMs, { kind: 'deliver', env })
    }
    if (out.flush) this.#queue.push(this.nowMs + 1 + this.#disk.int(FSYNC_DELAY_MS_MAX), { kind: 'flush', node: node.id, incarnation: node.incarnation, offset: node.log.endOffset() })
    if (out.loadSnapshot !== null) node.kv.restore(out.loadSnapshot)
    for (const entry of out.committed) node.kv.apply(entry)
    const status = raft.status()
    this.checker.afterStep(node.id, status, out)
    const newLeader = status.role === 'leader' && status.epoch > this.#lastLeaderEpoch
    this.#count(status.epoch, status.role, out)
    if (newLeader && this.#disk.chance(this.crashNewLeaderChance)) {
      this.#queue.push(this.nowMs + 1 + this.#disk.int(40), { kind: 'kill', node: node.id, incarnation: node.incarnation })
    }
    this.checker.checkDurableMajority(this.logs, this.checker.committedEnd - 1)
    this.#maybeSnapshot(node, raft)
    this.#scheduleTick(node, raft)
  }

  #count (epoch: number, role: string, out: Output): void {
    for (const change of out.log) {
      if (change.type === 'truncate') this.stats.truncations++
      if (change.type === 'snapshotInstalled') this.stats.snapshotsInstalled++
    }
    if (role === 'leader' && epoch > this.#lastLeaderEpoch) this.stats.leaderChanges++
    if (role === 'leader') this.#lastLeaderEpoch = Math.max(this.#lastLeaderEpoch, epoch)
    this.stats.maxEpoch = Math.max(this.stats.maxEpoch, epoch)
  }

  #maybeSnapshot (node: SimNode, raft: RaftNode): void {
    const start = node.log.startOffset()
    const offset = Math.min(node.kv.appliedOffset, node.log.flushedEndOffset())
    if (offset - start < SNAPSHOT_EVERY_ENTRIES) return
    const data = node.kv.appliedOffset === offset ? node.kv.snapshot() : null
    if (data === null) return
    this.checker.recordSnapshot(node.id, offset, data)
    this.#apply(node, raft.createSnapshot(offset, data, this.nowMs))
  }

  #scheduleTick (node: SimNode, raft: RaftNode): void {
    const atMs = Math.max(this.nowMs, raft.nextDeadlineMs())
    if (atMs >= node.tickAtMs || !Number.isFinite(atMs)) return
    node.tickAtMs = atMs
    this.#queue.push(atMs, { kind: 'tick', node: node.id })
  }
}
