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
import { DEFAULT_RAFT_TIMING, type Envelope, type Output, type ProposeResult, type RaftConfig, type RaftMessage, type Random } from '../raft/types.ts'
import { checkDriverOptions, type QuorumDriverOptions } from './driver-options.ts'
import { FetchParking, isIdleFetchAnswer } from './fetch-parking.ts'
import { quorumHandlers } from './handlers.ts'
import { ListenerFeed } from './listener-feed.ts'
import { readQuorumState, writeQuorumState } from './quorum-state.ts'
import { PeerTransport } from './transport.ts'
import type { Incoming, WireContext } from './wire.ts'
import { callFor } from './wire-calls.ts'

export type { QuorumDriverOptions, QuorumListener } from './driver-options.ts'

const DEFAULT_RANDOM: Random = { int: max => Math.floor(Math.random() * max) }
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1
/** Kafka's fetch max wait for the metadata partition (replica.fetch.wait.max.ms). */
const FETCH_WAIT_MAX_MS = 500
/** With the leader parking idle fetches, a follower may ask again almost at once (the core's default is for no long poll). */
const FETCH_INTERVAL_MS_DEFAULT = 50
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
  readonly #feed: ListenerFeed
  readonly #parking = new FetchParking()
  readonly #fetchWaitMaxMs: number
  /** Log end, HW and role after the last step: a change wakes parked fetches. */
  #seen = ''
  readonly #queued: Output[] = []
  #running = false
  /** Role, epoch and leader as last logged. */
  #role = ''
  /** The HW last sent to each fetcher. */
  readonly #hwSent = new Map<number, number>()

  private constructor (opts: QuorumDriverOptions, node: RaftNode) {
    this.#opts = opts
    this.#node = node
    this.#voterIds = [...opts.voters.keys()]
    this.#feed = new ListenerFeed(opts.listener, opts.logLine, opts.snapshotAfterEntries)
    const requestTimeoutMs = opts.timing.requestTimeoutMs ?? DEFAULT_RAFT_TIMING.requestTimeoutMs
    const electionTimeoutMs = opts.timing.electionTimeoutMs ?? DEFAULT_RAFT_TIMING.electionTimeoutMs
    const fetchTimeoutMs = opts.timing.fetchTimeoutMs ?? DEFAULT_RAFT_TIMING.fetchTimeoutMs
    // A parked fetch must come back well before the fetcher's request and fetch timeouts.
    this.#fetchWaitMaxMs = Math.min(FETCH_WAIT_MAX_MS, Math.floor(requestTimeoutMs / 2), Math.floor(fetchTimeoutMs / 2))
    this.#transport = new PeerTransport({
      nodeId: opts.nodeId, peers: opts.voters, requestTimeoutMs, backoffMinMs: Math.min(50, electionTimeoutMs), backoffMaxMs: Math.max(50, electionTimeoutMs),
      logLine: opts.logLine, onMessage: env => { this.#receive(env) },
    })
    this.#wire = {
      clusterId: opts.clusterId,
      nodeId: opts.nodeId,
      voters: this.#voterIds,
      fetchMaxWaitMs: this.#fetchWaitMaxMs,
      logStartOffset: () => opts.log.startOffset(),
      closed: () => this.#closed,
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
    checkDriverOptions(opts)
    mkdirSync(opts.metadataDir, { recursive: true })
    const persisted = readQuorumState(opts.metadataDir)
    const cfg: RaftConfig = { ...DEFAULT_RAFT_TIMING, fetchIntervalMs: FETCH_INTERVAL_MS_DEFAULT, ...opts.timing, nodeId: opts.nodeId, voters: [...opts.voters.keys()] }
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
      serveFetch: (incoming, maxWaitMs, signal) => this.#serveFetch(incoming, maxWaitMs, signal),
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
    this.#parking.wakeAll()
    this.#feed.checkLeadership(this.#node.status(), true)
  }

  #serve<Res> (incoming: Incoming<Res>): Res {
    if (incoming.kind === 'refuse') return incoming.response
    return incoming.reply(this.#exchange(incoming.from, incoming.message))
  }

  /** Fetch with the leader's long poll (fetch-parking.ts): an empty answer waits for news first. */
  async #serveFetch<Res> (incoming: Incoming<Res>, maxWaitMs: number, signal: AbortSignal): Promise<Res> {
    if (incoming.kind === 'refuse') return incoming.response
    let reply = this.#exchange(incoming.from, incoming.message)
    const waitMs = Math.min(maxWaitMs, this.#fetchWaitMaxMs)
    // Park only when the fetcher already knows this HW; a new HW must reach it at once.
    const knownHw = this.#hwSent.get(incoming.from)
    if (waitMs > 0 && isIdleFetchAnswer(reply, knownHw) && this.#node.status().role === 'leader') {
      await this.#parking.park(waitMs, signal)
      if (!this.#closed && !signal.aborted) reply = this.#exchange(incoming.from, incoming.message)
    }
    if (reply.type === 'fetchResponse') this.#hwSent.set(incoming.from, reply.highWatermark)
    return incoming.reply(reply)
  }

  /** Feeds a request to the core and takes its answer out of the step's messages. */
  #exchange (from: number, message: RaftMessage): RaftMessage {
    if (this.#closed) throw new Error('the quorum driver is closed')
    const correlationId = this.#nextInboundId++
    this.#run(this.#node.receive({ from, to: this.#opts.nodeId, correlationId, message }, Date.now()))
    const reply = this.#replies.get(correlationId)
    this.#replies.delete(correlationId)
    if (reply === undefined) throw new Error(`the quorum core did not answer a ${message.type} request`)
    return reply
  }

  #receive (env: Envelope): void {
    if (this.#closed) return
    this.#run(this.#node.receive(env, Date.now()))
  }

  /**
   * Carries out one Output, in the order raft-node.ts documents. A step taken while another
   * Output is being carried out (the listener proposing from onCommitted, a snapshot) is
   * queued behind it, so outputs never interleave and entries reach the listener in order.
   */
  #run (out: Output): void {
    this.#queued.push(out)
    if (this.#running) return
    this.#running = true
    try {
      for (let next = this.#queued.shift(); next !== undefined && !this.#closed; next = this.#queued.shift()) this.#carryOut(next)
    } finally {
      this.#running = false
      this.#queued.length = 0
    }
  }

  #carryOut (out: Output): void {
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
    if (!this.#feed.deliver(out, this.#node.status())) {
      this.#opts.logLine('quorum: the quorum driver stops')
      this.#stop()
      return
    }
    this.#feed.checkLeadership(this.#node.status(), this.#closed)
    this.#maybeSnapshot()
    this.#noteChanges(out)
    this.#arm()
  }

  /** Logs role changes and truncations; wakes parked fetches when the log end, HW or role moved. */
  #noteChanges (out: Output): void {
    const s = this.#node.status()
    const role = `${s.role} in epoch ${s.epoch} (leader ${s.leaderId})`
    if (role !== this.#role) this.#opts.logLine(`quorum: node ${this.#opts.nodeId} is now ${role}`)
    this.#role = role
    for (const change of out.log) {
      if (change.type === 'truncate') this.#opts.logLine(`quorum: metadata log truncated to ${change.toOffset} where it diverged from the leader's`)
      if (change.type === 'snapshotInstalled') this.#opts.logLine(`quorum: installed the leader's snapshot up to offset ${change.endOffset}`)
    }
    const seen = `${s.logEndOffset}/${s.highWatermark}/${role}`
    if (seen === this.#seen) return
    this.#seen = seen
    if (this.#parking.parked > 0) this.#parking.wakeAll()
  }

  #send (env: Envelope): void {
    const call = callFor(env.message, env.to, this.#wire)
    if (call === null) this.#replies.set(env.correlationId, env.message)
    else this.#transport.send(env, call)
  }

  #maybeSnapshot (): void {
    const snap = this.#feed.snapshotDue(this.#opts.log.latestSnapshot()?.endOffset ?? 0, this.#node.snapshotLimit())
    if (snap === null) return
    let out
    try {
      out = this.#node.createSnapshot(snap.endOffset, snap.data, Date.now())
    } catch (err) {
      this.#opts.logLine(`quorum: snapshot at ${snap.endOffset} not taken: ${(err as Error).message}`)
      return
    }
    this.#run(out)
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
