// Shared pieces of the embedded Toxiproxy tests: real TCP servers on 127.0.0.1 port 0 to
// proxy to, and a client that records what arrives and when, so tests can wait for a
// byte count, an end or a close with a deadline instead of sleeping.

import { createServer, connect } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'

export interface TestUpstream {
  /** host:port, for a proxy's `upstream`. */
  address: string
  port: number
  /** Sockets accepted so far and still open. */
  sockets: Set<Socket>
  close (): Promise<void>
}

/**
 * A TCP server; `onSocket` decides what it does with each connection. The default echoes
 * everything back and half-closes when the client does.
 */
export async function startUpstream (onSocket: (socket: Socket) => void = echo): Promise<TestUpstream> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    onSocket(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    address: `127.0.0.1:${port}`,
    port,
    sockets,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
}

export function echo (socket: Socket): void {
  socket.pipe(socket)
}

/** Echoes with a prefix, so a test can tell which upstream answered. */
export function taggedEcho (tag: string): (socket: Socket) => void {
  return (socket) => socket.on('data', (data) => socket.write(`${tag}${data.toString()}`))
}

/** A port nothing listens on (bound and released at once). */
export async function unusedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The port of a `host:port` listen address. */
export function portOf (listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1))
}

export class TestClient {
  readonly socket: Socket
  readonly received: Buffer[] = []
  receivedBytes = 0
  dataEvents = 0
  /** For each data event: the byte count received so far and performance.now(). */
  readonly arrivals: Array<{ totalBytes: number, atMs: number }> = []
  ended = false
  closed = false
  error: NodeJS.ErrnoException | null = null
  /** performance.now() of the last data event, the end and the close. */
  lastDataMs = 0
  endMs = 0
  closeMs = 0
  readonly #waiters = new Set<() => void>()

  private constructor (socket: Socket) {
    this.socket = socket
    socket.on('data', (data: Buffer) => {
      this.received.push(data)
      this.receivedBytes += data.length
      this.dataEvents++
      this.lastDataMs = performance.now()
      this.arrivals.push({ totalBytes: this.receivedBytes, atMs: this.lastDataMs })
      this.#wake()
    })
    socket.on('end', () => {
      this.ended = true
      this.endMs = performance.now()
      this.#wake()
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error
      this.#wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.closeMs = performance.now()
      this.#wake()
    })
  }

  static async connect (port: number): Promise<TestClient> {
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return new TestClient(socket)
  }

  /** When the received byte count first reached `sizeBytes`, or undefined. */
  reachedMs (sizeBytes: number): number | undefined {
    return this.arrivals.find((arrival) => arrival.totalBytes >= sizeBytes)?.atMs
  }

  text (): string {
    return Buffer.concat(this.received).toString()
  }

  /** Resolves with performance.now() once `sizeBytes` have arrived; rejects after `timeoutMs`. */
  async waitForBytes (sizeBytes: number, timeoutMs = 5000): Promise<number> {
    await this.#waitFor(() => this.receivedBytes >= sizeBytes, timeoutMs, `${sizeBytes} bytes (got ${this.receivedBytes})`)
    return this.lastDataMs
  }

  async waitForClose (timeoutMs = 5000): Promise<number> {
    await this.#waitFor(() => this.closed, timeoutMs, 'close')
    return this.closeMs
  }

  async waitForEnd (timeoutMs = 5000): Promise<number> {
    await this.#waitFor(() => this.ended, timeoutMs, 'end')
    return this.endMs
  }

  /** Resolves true if `condition` came true within `timeoutMs`, false if not. */
  async becomes (condition: () => boolean, timeoutMs: number): Promise<boolean> {
    try {
      await this.#waitFor(condition, timeoutMs, '')
      return true
    } catch {
      return false
    }
  }

  destroy (): void {
    this.socket.destroy()
  }

  #waitFor (condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(check)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      this.#waiters.add(check)
    })
  }

  #wake (): void {
    for (const waiter of [...this.#waiters]) waiter()
  }
}

/** Connecting must fail (nothing listens); resolves with the error code. */
export async function connectError (port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.destroy()
      reject(new Error(`port ${port} accepted a connection`))
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

export function sleep (durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs))
}
