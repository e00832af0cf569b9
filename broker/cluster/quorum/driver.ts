// QuorumDriver: the I/O around one sans-I/O RaftNode (broker/cluster/raft/raft-node.ts).
// It carries out every Output in the documented order: (1) quorum-state written
// atomically, (2) messages sent (requests over the transport, replies handed back to the
// handler that is waiting for them), (3) the log flushed in the background, then
// onFlushed, (4) snapshot / committed entries to the listener. One timer is re-armed to
// nextDeadlineMs() after every step. Requests from peers arrive through handlers(), which
// the owner registers on the controller listener.

import { mkdirSync } from 'node:fs'
import type { ApiHandler } from '../../server/handler.ts'
import { RaftNode, type NodeStatus, type QuorumDescription } from '../raft/raft-node.ts'
import type { RaftLog } from '../raft/log.ts'
import { DEFAULT_RAFT_TIMING, type Entry, type Envelope, type Output, type ProposeResult, type RaftConfig, type RaftMessage, type Random, type Snapshot } from '../raft/types.ts'
import { quorumHandlers } from './handlers.ts'
import { readQuorumState, writeQuorumState } from './quorum-state.ts'
import { PeerTransport } from './transport.ts'
import { beginQuorumEpochCall, endQuorumEpochCall, voteCall, type Incoming, type WireCall, type WireContext } from './wire.ts'
import { fetchCall, fetchSnapshotCall } from './wire-fetch.ts'

export interface QuorumListener {
  /** Committed entries in offset order (data entries only are interesting; leaderChange too, for offsets). */
  onCommitted (entries: Entry[]): void
  onLoadSnapshot (snapshot: Snapshot): void
  /** This node became leader in `epoch` and every entry before its epoch is committed (the controller may activate now). */
  onLeaderReady (epoch: number): void
  /** Leadership lost or resigned (controller deactivates). Only called after onLeaderReady. */
  onLeaderLost (): void
  /** The state machine's snapshot of everything it applied (for snapshotAfterEntries); null to skip. */
  snapshot? (): { endOffset: number, data: Uint8Array } | null
}

export interface QuorumDriverOptions {
  nodeId: number
  clusterId: string
  /** Controller listener of each voter. */
  voters: ReadonlyMap<number, { host: string, port: number }>
  log: RaftLog & { flush (): Promise<void> | void }
  /** Where quorum-state goes. */
  metadataDir: string
  timing: Partial<Pick<RaftConfig, 'electionTimeoutMs' | 'fetchTimeoutMs' | 'requestTimeoutMs' | 'fetchIntervalMs'>>
  listener: QuorumListener
  logLine: (line: string) => void
  random?: Random
  /** After this many applied entries past the last snapshot, ask listener.snapshot() and store it. */
  snapshotAfterEntries?: number
}

const DEFAULT_RANDOM: Random = { int: max => Math.floor(Math.random() * max) }
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1
const RESPONSE_TYPES = new Set<RaftMessage['type']>(['voteResponse', 'beginQuorumEpochResponse', 'endQuorumEpochResponse', 'fetchResponse', 'fetchSnapshotResponse'])
const CALLS: Partial<Record<RaftMessage['type'], (m: RaftMessage, to: number, ctx: WireContext) => WireCall>> = {
  vote: voteCall, beginQuorumEpoch: beginQuorumEpochCall, endQuorumEpoch: endQuorumEpochCall, fetch: fetchCall, fetchSnapshot: fetchSnapshotCall,
}

function checkOptions (opts: QuorumDriverOptions): void {
  if (!Number.isSafeInteger(opts.nodeId) || opts.nodeId < 0) throw new RangeError(`node.id must be a non-negative integer (got ${opts.nodeId})`)
  if (typeof opts.clusterId !== 'string' || opts.clusterId === '') throw new RangeError('cluster id must be a non-empty string')
  for (const [id, a] of opts.voters) {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`controller.quorum.voters: id ${id} must be a non-negative integer`)
    if (typeof a.host !== 'string' || a.host === '' || !Number.isInteger(a.port) || a.port < 1 || a.port > 65535) {
      throw new RangeError(`controller.quorum.voters: node ${id} needs a host and a port in 1-65535 (got ${a.host}:${a.port})`)
    }
  }
  const n = opts.snapshotAfterEntries
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new RangeError(`snapshotAfterEntries must be a positive integer (got ${n})`)
}

export class QuorumDriver {
  readonly #opts: QuorumDriverOptions
  readonly #node: RaftNode
  readonly #transport: PeerTransport
  readonly #wire: WireContext
  readonly #voterIds: number[]
  /** Replies of the core to requests being served, by the correlation id given to them. */
  readonly #replies = new Map<number, RaftMessage>()
  #nextInboundId = 1
  #timer: NodeJS.Timeout | null = null
  #started = false
  #closed = false
  #flushing = false
  #flushAgain = false
  #readyEpoch = -1
  #appliedSinceSnapshot = 0

  private constructor (opts: QuorumDriverOptions, node: RaftNode) {
    this.#opts = opts
    this.#node = node
    this.#voterIds = [...opts.voters.keys()]
    const requestTimeoutMs = opts.timing.requestTimeoutMs ?? DEFAULT_RAFT_TIMING.requestTimeoutMs
    const electionTimeoutMs = opts.timing.electionTimeoutMs ?? DEFAULT_RAFT_TIMING.electionTimeoutMs
    this.#transport = new PeerTransport({
      nodeId: opts.nodeId, peers: opts.voters, requestTimeoutMs, backoffMinMs: Math.min(50, electionTimeoutMs), backoffMaxMs: Math.max(50, electionTimeoutMs),
      logLine: opts.logLine, onMessage: env => { this.#receive(env) },
    })
    this.#wire = {
      clusterId: opts.clusterId,
      nodeId: opts.nodeId,
      voters: this.#voterIds,
      endpoints: id => {
        const a = opts.voters.get(id)
        return a === undefined ? [] : [{ name: 'CONTROLLER', host: a.host, port: a.port }]
      },
      leaderOf: epoch => {
        const s = this.#node.status()
        return s.epoch === epoch ? s.leaderId : -1
      },
    }
  }

  /** Reads quorum-state (a corrupt one is an error naming the file) and builds the node; nothing runs before start(). */
  static async open (opts: QuorumDriverOptions): Promise<QuorumDriver> {
    checkOptions(opts)
    mkdirSync(opts.metadataDir, { recursive: true })
    const persisted = readQuorumState(opts.metadataDir)
    const cfg: RaftConfig = { ...DEFAULT_RAFT_TIMING, ...opts.timing, nodeId: opts.nodeId, voters: [...opts.voters.keys()] }
    const node = new RaftNode(cfg, opts.log, opts.random ?? DEFAULT_RANDOM, persisted, Date.now())
    return new QuorumDriver(opts, node)
  }

  start (): void {
    if (this.#started || this.#closed) return
    this.#started = true
    this.#run(this.#node.tick(Date.now()))
  }

  /** Leader only: append records (each a serialised metadata record); ok:false when not leader. */
  propose (records: Uint8Array[]): ProposeResult {
    if (this.#closed) return { ok: false, reason: 'notLeader', epoch: this.#node.status().epoch, leaderId: -1 }
    const { result, output } = this.#node.propose(records, Date.now())
    this.#run(output)
    return result
  }

  status (): NodeStatus {
    return this.#node.status()
  }

  describeQuorum (): QuorumDescription | null {
    return this.#node.describeQuorum(Date.now())
  }

  handlers (): ApiHandler[] {
    return quorumHandlers({
      wire: this.#wire,
      serve: incoming => this.#serve(incoming),
      describe: () => this.describeQuorum(),
      status: () => this.#node.status(),
      voters: this.#opts.voters,
    })
  }

  /** Graceful: a leader resigns (EndQuorumEpoch to the voters) and waits briefly for the answers. */
  async close (): Promise<void> {
    if (this.#closed) return
    if (this.#node.status().role === 'leader') {
      this.#run(this.#node.resign(Date.now()))
      await this.#transport.whenIdle(this.#opts.timing.requestTimeoutMs ?? DEFAULT_RAFT_TIMING.requestTimeoutMs)
    }
    this.#stop()
  }

  #stop (): void {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#transport.close()
    this.#checkLeadership()
  }

  #serve<Res> (incoming: Incoming<Res>): Res {
    if (incoming.kind === 'refuse') return incoming.response
    if (this.#closed) throw new Error('the quorum driver is closed')
    const correlationId = this.#nextInboundId++
    this.#run(this.#node.receive({ from: incoming.from, to: this.#opts.nodeId, correlationId, message: incoming.message }, Date.now()))
    const reply = this.#replies.get(correlationId)
    this.#replies.delete(correlationId)
    if (reply === undefined) throw new Error(`the quorum core did not answer a ${incoming.message.type} request`)
    return incoming.reply(reply)
  }

  #receive (env: Envelope): void {
    if (this.#closed) return
    this.#run(this.#node.receive(env, Date.now()))
  }

  /** Carries out one Output, in the order raft-node.ts documents. */
  #run (out: Output): void {
    if (this.#closed) return
    if (out.persist !== null) {
      try {
        writeQuorumState(this.#opts.metadataDir, out.persist, { clusterId: this.#opts.clusterId, voters: this.#voterIds })
      } catch (err) {
        this.#opts.logLine(`quorum: cannot write quorum-state in ${this.#opts.metadataDir} (${(err as Error).message}); the quorum driver stops`)
        this.#stop()
        return
      }
    }
    for (const env of out.messages) this.#send(env)
    if (out.flush) this.#requestFlush()
    this.#deliver(out)
    this.#checkLeadership()
    this.#maybeSnapshot()
    this.#arm()
  }

  #send (env: Envelope): void {
    const m = env.message
    if (RESPONSE_TYPES.has(m.type)) {
      this.#replies.set(env.correlationId, m)
      return
    }
    const call = CALLS[m.type]
    if (call !== undefined) this.#transport.send(env, call(m, env.to, this.#wire))
  }

  #deliver (out: Output): void {
    const listener = this.#opts.listener
    try {
      if (out.loadSnapshot !== null) {
        this.#appliedSinceSnapshot = 0
        listener.onLoadSnapshot(out.loadSnapshot)
      }
      if (out.committed.length > 0) {
        this.#appliedSinceSnapshot += out.committed.length
        listener.onCommitted(out.committed)
      }
    } catch (err) {
      this.#opts.logLine(`quorum: the listener failed on committed entries: ${(err as Error).stack ?? String(err)}`)
    }
    const s = this.#node.status()
    if (s.role !== 'leader' || this.#readyEpoch === s.epoch) return
    if (out.committed.some(e => e.kind === 'leaderChange' && e.epoch === s.epoch)) {
      this.#readyEpoch = s.epoch
      this.#callListener('onLeaderReady', () => { listener.onLeaderReady(s.epoch) })
    }
  }

  #checkLeadership (): void {
    if (this.#readyEpoch < 0) return
    const s = this.#node.status()
    if (!this.#closed && s.role === 'leader' && s.epoch === this.#readyEpoch) return
    this.#readyEpoch = -1
    this.#callListener('onLeaderLost', () => { this.#opts.listener.onLeaderLost() })
  }

  #callListener (what: string, call: () => void): void {
    try {
      call()
    } catch (err) {
      this.#opts.logLine(`quorum: the listener's ${what} failed: ${(err as Error).stack ?? String(err)}`)
    }
  }

  #maybeSnapshot (): void {
    const every = this.#opts.snapshotAfterEntries
    const take = this.#opts.listener.snapshot
    if (every === undefined || take === undefined || this.#appliedSinceSnapshot < every) return
    this.#appliedSinceSnapshot = 0
    let snap
    try {
      snap = take.call(this.#opts.listener)
      if (snap === null || snap.endOffset <= (this.#opts.log.latestSnapshot()?.endOffset ?? 0)) return
      this.#run(this.#node.createSnapshot(snap.endOffset, snap.data, Date.now()))
    } catch (err) {
      this.#opts.logLine(`quorum: snapshot not taken: ${(err as Error).message}`)
    }
  }

  #requestFlush (): void {
    if (this.#flushing) {
      this.#flushAgain = true
      return
    }
    this.#flushing = true
    void this.#flushLoop()
  }

  async #flushLoop (): Promise<void> {
    try {
      do {
        this.#flushAgain = false
        await this.#opts.log.flush()
        if (this.#closed) return
        this.#run(this.#node.onFlushed(Date.now()))
      } while (this.#flushAgain && !this.#closed)
    } catch (err) {
      this.#opts.logLine(`quorum: flushing the metadata log failed (${(err as Error).message}); the quorum driver stops`)
      this.#stop()
    } finally {
      this.#flushing = false
    }
  }

  #arm (): void {
    if (!this.#started || this.#closed) return
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const deadlineMs = this.#node.nextDeadlineMs()
    if (!Number.isFinite(deadlineMs)) return
    const delayMs = Math.max(1, Math.min(TIMER_DELAY_MAX_MS, deadlineMs - Date.now()))
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#run(this.#node.tick(Date.now()))
    }, delayMs)
  }
}
