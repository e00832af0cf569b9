// One named proxy: a listener, its live connections and its toxics. Semantics follow
// Toxiproxy's proxy.go: the listen address written back is the one actually bound (port 0
// becomes the real port) and is reused when the proxy is enabled again; disabling closes
// the listener and both sockets of every connection; changing listen or upstream restarts
// the proxy. Toxics are kept per direction in the order added, and every change is applied
// to the live connections at once.

import { createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { formatBound, normalizeListen, parseHostPort } from './address.ts'
import { Connection } from './connection.ts'
import type { ConnectionOwner } from './connection.ts'
import { limitExceeded, listenFailed, toxicExists, toxicNotFound } from './errors.ts'
import { CLOSE_FLUSH_TIMEOUT_MS, CONNECTIONS_PER_PROXY_MAX, TOXICS_PER_PROXY_MAX } from './limits.ts'
import { parseToxicUpdate, toxicJson } from './toxic-spec.ts'
import type { Direction, ToxicJson, ToxicSpec } from './toxic-spec.ts'

/** The JSON shape of a proxy in responses, in Toxiproxy's field order. */
export interface ProxyJson {
  name: string
  listen: string
  upstream: string
  enabled: boolean
  toxics: ToxicJson[]
}

export interface ProxyOptions {
  name: string
  /** Any form normalizeListen accepts. */
  listen: string
  upstream: string
  log: (line: string) => void
}

/** The fields a proxy update may change. */
export interface ProxyChange {
  listen: string
  upstream: string
  enabled: boolean
}

export class TcpProxy implements ConnectionOwner {
  readonly name: string
  readonly log: (line: string) => void
  #listen: string
  #upstream: string
  #enabled = false
  #server: Server | null = null
  readonly #connections = new Set<Connection>()
  readonly #toxics: Record<Direction, ToxicSpec[]> = { upstream: [], downstream: [] }

  constructor (options: ProxyOptions) {
    this.name = options.name
    this.#listen = normalizeListen(options.listen)
    this.#upstream = options.upstream
    this.log = options.log
  }

  get listen (): string { return this.#listen }
  get upstream (): string { return this.#upstream }
  get enabled (): boolean { return this.#enabled }
  get connectionCount (): number { return this.#connections.size }

  /** Opens the listener; a no-op when already enabled. Throws a 500 API error if it cannot bind. */
  async start (): Promise<void> {
    if (this.#enabled) return
    const { host, port } = parseHostPort(this.#listen, 'listen')
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.#accept(socket))
    server.maxConnections = CONNECTIONS_PER_PROXY_MAX
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: host === '' ? undefined : host, port }, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (error) {
      throw listenFailed(this.#listen, error as NodeJS.ErrnoException)
    }
    server.on('error', (error) => this.log(`proxy ${this.name}: listener error: ${error.message}`))
    this.#server = server
    this.#listen = formatBound(server.address() as AddressInfo)
    this.#enabled = true
    this.log(`proxy ${this.name}: listening on ${this.#listen}, upstream ${this.#upstream}`)
  }

  /** Closes the listener and every live connection; a no-op when disabled. */
  async stop (): Promise<void> {
    if (!this.#enabled) return
    this.#enabled = false
    const server = this.#server
    this.#server = null
    if (server === null) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const connection of [...this.#connections]) connection.destroy()
    // server.close() stops listening at once; its callback also waits for the accepted
    // sockets to report closed, which must not hold the whole API up if one never does.
    let timer: NodeJS.Timeout | undefined
    const patience = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS) })
    await Promise.race([closed, patience])
    clearTimeout(timer)
    this.log(`proxy ${this.name}: stopped`)
  }

  /** Whether `listen`/`upstream` name a different proxy than this one (Toxiproxy's Differs). */
  differs (listen: string, upstream: string): boolean {
    return normalizeListen(listen) !== this.#listen || upstream !== this.#upstream
  }

  async update (change: ProxyChange): Promise<void> {
    if (this.differs(change.listen, change.upstream)) {
      await this.stop()
      this.#listen = normalizeListen(change.listen)
      this.#upstream = change.upstream
    }
    if (change.enabled && !this.#enabled) await this.start()
    else if (!change.enabled && this.#enabled) await this.stop()
  }

  /** Upstream toxics first, then downstream, each in the order added. */
  toxics (): ToxicSpec[] {
    return [...this.#toxics.upstream, ...this.#toxics.downstream]
  }

  toxicsFor (direction: Direction): readonly ToxicSpec[] {
    return this.#toxics[direction]
  }

  findToxic (name: string): ToxicSpec | undefined {
    return this.#toxics.upstream.find((toxic) => toxic.name === name) ??
      this.#toxics.downstream.find((toxic) => toxic.name === name)
  }

  addToxic (spec: ToxicSpec): void {
    if (this.findToxic(spec.name) !== undefined) throw toxicExists()
    if (this.#toxics.upstream.length + this.#toxics.downstream.length >= TOXICS_PER_PROXY_MAX) {
      throw limitExceeded(`a proxy holds at most ${TOXICS_PER_PROXY_MAX} toxics`)
    }
    this.#toxics[spec.stream].push(spec)
    for (const connection of this.#connections) connection.addToxic(spec)
  }

  /** Applies an update body (attributes merged, toxicity) and returns the new spec. */
  updateToxic (name: string, body: unknown): ToxicSpec {
    const current = this.findToxic(name)
    if (current === undefined) throw toxicNotFound()
    const updated = parseToxicUpdate(current, body)
    const list = this.#toxics[current.stream]
    list[list.indexOf(current)] = updated
    for (const connection of this.#connections) connection.updateToxic(updated)
    return updated
  }

  removeToxic (name: string): void {
    const spec = this.findToxic(name)
    if (spec === undefined) throw toxicNotFound()
    const list = this.#toxics[spec.stream]
    list.splice(list.indexOf(spec), 1)
    for (const connection of this.#connections) connection.removeToxic(spec)
  }

  resetToxics (): void {
    for (const spec of this.toxics()) this.removeToxic(spec.name)
  }

  toJSON (): ProxyJson {
    return {
      name: this.name,
      listen: this.#listen,
      upstream: this.#upstream,
      enabled: this.#enabled,
      toxics: this.toxics().map(toxicJson),
    }
  }

  connectionClosed (connection: Connection): void {
    this.#connections.delete(connection)
  }

  #accept (socket: Socket): void {
    if (!this.#enabled) {
      socket.destroy()
      return
    }
    const connection = new Connection(this, socket)
    this.#connections.add(connection)
    connection.start(this.#upstream)
  }
}
