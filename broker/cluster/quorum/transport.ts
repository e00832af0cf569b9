// The quorum's outgoing side: one broker/client Connection per peer voter, opened on the
// first message to it and reopened after a failure with exponential backoff. Raft retries
// on its own timers, so nothing here retries: a message to an unreachable peer, a request
// that times out or fails, or a response that cannot be read is dropped (and logged once
// per peer state change, not once per message).

import { Connection } from '../../client/connection.ts'
import type { Envelope, NodeId } from '../raft/types.ts'
import type { WireCall } from './wire.ts'

export interface PeerAddress { host: string; port: number }

export interface TransportOptions {
  nodeId: NodeId
  peers: ReadonlyMap<NodeId, PeerAddress>
  requestTimeoutMs: number
  backoffMinMs: number
  backoffMaxMs: number
  logLine: (line: string) => void
  /** A response turned back into the core's message. */
  onMessage: (env: Envelope) => void
}

/** Messages waiting for a connection being opened; more than this are dropped. */
const QUEUED_WHILE_CONNECTING_MAX = 64

interface Peer {
  id: NodeId
  address: PeerAddress
  connection: Connection | null
  connecting: boolean
  queue: Array<{ env: Envelope; call: WireCall }>
  nextAttemptMs: number
  backoffMs: number
  /** Logged as down since the last successful connect (one line per outage). */
  down: boolean
}

export class PeerTransport {
  readonly #opts: TransportOptions
  readonly #peers = new Map<NodeId, Peer>()
  readonly #dropReasons = new Set<string>()
  #inFlight = 0
  #closed = false

  constructor (opts: TransportOptions) {
    this.#opts = opts
    for (const [id, address] of opts.peers) {
      if (id === opts.nodeId) continue
      this.#peers.set(id, { id, address, connection: null, connecting: false, queue: [], nextAttemptMs: 0, backoffMs: opts.backoffMinMs, down: false })
    }
  }

  send (env: Envelope, call: WireCall): void {
    if (this.#closed) return
    const peer = this.#peers.get(env.to)
    if (peer === undefined) return this.#dropOnce(`no address for node ${env.to}`)
    if (peer.connection !== null && !peer.connection.closed) return this.#dispatch(peer, peer.connection, env, call)
    peer.connection = null
    if (peer.connecting) {
      if (peer.queue.length < QUEUED_WHILE_CONNECTING_MAX) peer.queue.push({ env, call })
      return
    }
    if (Date.now() < peer.nextAttemptMs) return
    peer.queue.push({ env, call })
    this.#connect(peer)
  }

  #connect (peer: Peer): void {
    peer.connecting = true
    const { host, port } = peer.address
    const timeoutMs = this.#opts.requestTimeoutMs
    Connection.connect({ host, port, clientId: `sluice-quorum-${this.#opts.nodeId}`, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, inFlightMax: 16 }).then(connection => {
      peer.connecting = false
      if (this.#closed) return connection.close()
      peer.connection = connection
      peer.backoffMs = this.#opts.backoffMinMs
      if (peer.down) this.#opts.logLine(`quorum: connected to node ${peer.id} at ${host}:${port}`)
      peer.down = false
      connection.onClose(() => {
        if (peer.connection === connection) peer.connection = null
      })
      const queued = peer.queue.splice(0)
      for (const q of queued) this.#dispatch(peer, connection, q.env, q.call)
    }, (err: Error) => {
      peer.connecting = false
      peer.queue.length = 0
      peer.nextAttemptMs = Date.now() + peer.backoffMs
      peer.backoffMs = Math.min(this.#opts.backoffMaxMs, peer.backoffMs * 2)
      if (!peer.down && !this.#closed) this.#opts.logLine(`quorum: node ${peer.id} unreachable (${err.message}); retrying with backoff`)
      peer.down = true
    })
  }

  #dispatch (peer: Peer, connection: Connection, env: Envelope, call: WireCall): void {
    let version: number
    let request: unknown
    try {
      version = connection.versionFor(call.codec)
      request = call.build(version)
    } catch (err) {
      return this.#dropOnce(`node ${peer.id}: ${(err as Error).message}`)
    }
    if (request === null) return this.#dropOnce(`node ${peer.id} speaks ${call.codec.name} v${version}, which cannot carry this message`)
    this.#inFlight++
    connection.request(call.codec, request, { version }).finally(() => { this.#inFlight-- }).then(response => {
      if (this.#closed) return
      const message = call.answer(response, version)
      if (typeof message === 'string') return this.#dropOnce(`node ${peer.id}: ${message}`)
      this.#opts.onMessage({ from: peer.id, to: this.#opts.nodeId, correlationId: env.correlationId, message })
    }, () => {
      // Failed or timed out: the connection is closed (onClose above) and the core retries.
    })
  }

  /** Resolves when no request is in flight and no connection is being opened, or after `timeoutMs`. */
  whenIdle (timeoutMs: number): Promise<void> {
    const deadlineMs = Date.now() + timeoutMs
    const busy = (): boolean => this.#inFlight > 0 || [...this.#peers.values()].some(p => p.connecting)
    return new Promise(resolve => {
      const check = (): void => {
        if (!busy() || Date.now() >= deadlineMs) resolve()
        else setTimeout(check, 5)
      }
      check()
    })
  }

  #dropOnce (reason: string): void {
    if (this.#dropReasons.has(reason) || this.#dropReasons.size > 100) return
    this.#dropReasons.add(reason)
    this.#opts.logLine(`quorum: dropping a message (${reason}); later drops for the same reason are not logged`)
  }

  close (): void {
    this.#closed = true
    for (const peer of this.#peers.values()) {
      peer.queue.length = 0
      peer.connection?.close()
      peer.connection = null
    }
  }
}
