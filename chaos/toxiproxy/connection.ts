// One accepted client and its upstream: dials the upstream (closing the client if that
// fails, as Toxiproxy does), then runs two links, `upstream` (client -> server) and
// `downstream` (server -> client), each with the proxy's toxics of that direction. A FIN
// from either side is passed on as a half-close; a toxic-driven close, a socket error or a
// proxy shutdown closes both sockets.

import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { parseHostPort } from './address.ts'
import { Link } from './link.ts'
import type { ConnectionControl } from './link.ts'
import { CLOSE_FLUSH_TIMEOUT_MS, UPSTREAM_DIAL_TIMEOUT_MS } from './limits.ts'
import type { Direction, ToxicSpec } from './toxic-spec.ts'

export interface ConnectionOwner {
  readonly name: string
  toxicsFor (direction: Direction): readonly ToxicSpec[]
  connectionClosed (connection: Connection): void
  log (line: string): void
}

export class Connection implements ConnectionControl {
  readonly #owner: ConnectionOwner
  readonly #client: Socket
  readonly #clientName: string
  #upstream: Socket | null = null
  #links: Record<Direction, Link> | null = null
  #closed = false
  #closing = false
  #timer: NodeJS.Timeout | null = null

  readonly #onSocketError = (): void => {
    // Every socket error is followed by 'close', which is where the connection reacts.
  }

  readonly #onClientClose = (): void => {
    if (this.#links === null || this.#upstream === null || this.#upstream.destroyed) this.destroy()
    else this.#links.upstream.sourceClosed()
  }

  readonly #onUpstreamClose = (): void => {
    if (this.#links === null || this.#client.destroyed) this.destroy()
    else this.#links.downstream.sourceClosed()
  }

  readonly #onUpstreamConnect = (): void => {
    this.#clearTimer()
    if (this.#closed || this.#upstream === null) return
    const upstream = this.#upstream
    const links = {
      upstream: new Link({
        direction: 'upstream', source: this.#client, dest: upstream, connection: this, specs: this.#owner.toxicsFor('upstream'),
      }),
      downstream: new Link({
        direction: 'downstream', source: upstream, dest: this.#client, connection: this, specs: this.#owner.toxicsFor('downstream'),
      }),
    }
    this.#links = links
    links.upstream.start()
    links.downstream.start()
    // The listener accepted the client paused (pauseOnConnect) so no byte arrives before
    // there is somewhere to send it.
    this.#client.resume()
  }

  constructor (owner: ConnectionOwner, client: Socket) {
    this.#owner = owner
    this.#client = client
    this.#clientName = `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}`
    client.on('error', this.#onSocketError)
    client.on('close', this.#onClientClose)
  }

  /** Dials `upstreamAddress` (host:port). */
  start (upstreamAddress: string): void {
    let target
    try {
      target = parseHostPort(upstreamAddress, 'upstream')
    } catch (error) {
      this.#owner.log(`proxy ${this.#owner.name}: client ${this.#clientName}: ${(error as Error).message}`)
      this.destroy()
      return
    }
    const upstream = connect({ host: target.host === '' ? 'localhost' : target.host, port: target.port, allowHalfOpen: true, noDelay: true })
    this.#upstream = upstream
    upstream.on('error', (error: Error) => {
      if (this.#links === null) {
        this.#owner.log(`proxy ${this.#owner.name}: client ${this.#clientName}: unable to open connection to upstream ${upstreamAddress}: ${error.message}`)
      }
    })
    upstream.once('connect', this.#onUpstreamConnect)
    upstream.on('close', this.#onUpstreamClose)
    this.#timer = setTimeout(() => {
      this.#owner.log(`proxy ${this.#owner.name}: client ${this.#clientName}: upstream ${upstreamAddress} did not answer within ${UPSTREAM_DIAL_TIMEOUT_MS} ms`)
      this.destroy()
    }, UPSTREAM_DIAL_TIMEOUT_MS)
  }

  addToxic (spec: ToxicSpec): void {
    this.#links?.[spec.stream].addToxic(spec)
  }

  updateToxic (spec: ToxicSpec): void {
    this.#links?.[spec.stream].updateToxic(spec)
  }

  removeToxic (spec: ToxicSpec): void {
    this.#links?.[spec.stream].removeToxic(spec.name)
  }

  /** Closes both sockets now; unsent bytes are lost. */
  destroy (): void {
    if (this.#closed) return
    this.#closed = true
    this.#clearTimer()
    if (this.#links !== null) {
      this.#links.upstream.dispose()
      this.#links.downstream.dispose()
    }
    this.#client.destroy()
    this.#upstream?.destroy()
    this.#owner.connectionClosed(this)
  }

  reset (): void {
    if (this.#closed) return
    for (const socket of [this.#client, this.#upstream]) {
      if (socket !== null && !socket.destroyed) socket.resetAndDestroy()
    }
    this.destroy()
  }

  closeAfterFlush (dest: Socket): void {
    if (this.#closed || this.#closing) return
    this.#closing = true
    if (dest.destroyed || dest.writableFinished) {
      this.destroy()
      return
    }
    dest.once('finish', () => this.destroy())
    if (!dest.writableEnded) dest.end()
    // A peer that stops reading must not keep the connection forever.
    this.#clearTimer()
    this.#timer = setTimeout(() => this.destroy(), CLOSE_FLUSH_TIMEOUT_MS)
  }

  #clearTimer (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
