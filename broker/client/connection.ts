// One TCP connection to one broker, pipelining requests. Each request gets a correlation
// id and a slot in a map; responses are matched by id (the broker answers in order, but
// matching by id also catches a broker that does not). At most `inFlightMax` requests are
// on the wire; more wait in a bounded queue and go out as responses come back.
//
// On connect the connection asks ApiVersions (v3, stepping down to v0 when the broker
// answers UNSUPPORTED_VERSION) and from then on picks, for every API, the highest version
// both our codec and the broker support.
//
// A request that outlives its timeout closes the connection, as the Java client does: its
// position in the response stream is unknown afterwards. One coarse timer checks
// deadlines; no timer per request.

import { connect, type Socket } from 'node:net'
import type { ApiCodec } from '../protocol/api.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { readResponseHeader, writeRequestHeader } from '../protocol/headers.ts'
import { Reader } from '../protocol/reader.ts'
import { Writer } from '../protocol/writer.ts'
import { ApiVersions, type ApiVersionRange, type ApiVersionsResponse } from '../protocol/18-api-versions.ts'
import { describeSocketError, KafkaClientError } from './errors.ts'
import { FrameError, RESPONSE_FRAME_BYTES_MIN } from '../protocol/frame-splitter.ts'
import { FrameReceiver } from '../protocol/frame-receiver.ts'

export interface ConnectionOptions {
  host: string
  port: number
  clientId: string
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  /** Requests on the wire awaiting a response. */
  inFlightMax?: number
  /** Requests waiting for an in-flight slot; beyond this, requests fail with ERR_BACKPRESSURE. */
  queuedMax?: number
  frameBytesMax?: number
  /** Memory for response frame bodies (FrameArena.allocate); null = fresh buffers. */
  frameAllocator?: ((bytes: number) => Buffer) | null
}

const CONNECT_TIMEOUT_MS_DEFAULT = 10_000
const REQUEST_TIMEOUT_MS_DEFAULT = 30_000
const IN_FLIGHT_MAX_DEFAULT = 64
const QUEUED_MAX_DEFAULT = 100_000
const FRAME_BYTES_MAX_DEFAULT = 100 * 1024 * 1024
const CLIENT_SOFTWARE_VERSION = '0.1.0'

type AnyCodec = ApiCodec<any, any>

interface Pending {
  codec: AnyCodec
  version: number
  timeoutMs: number
  deadlineMs: number
  resolve: (response: any) => void
  reject: (err: Error) => void
}

interface Outgoing {
  codec: AnyCodec
  version: number
  request: unknown
  timeoutMs: number
  /** false for requests that get no response (acks=0 produce). */
  expectsResponse: boolean
  resolve: (response: any) => void
  reject: (err: Error) => void
}

// ApiVersions answered with UNSUPPORTED_VERSION comes in v0 framing whatever we sent,
// so peek at the error code before decoding the rest with the version we asked for.
const ApiVersionsProbe: ApiCodec<unknown, ApiVersionsResponse> = {
  ...ApiVersions,
  decodeResponse (r, version) {
    if (r.remaining >= 2 && r.buffer.readInt16BE(r.offset) === ErrorCode.UNSUPPORTED_VERSION) {
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [], throttleTimeMs: 0 }
    }
    return ApiVersions.decodeResponse(r, version)
  },
}

export class Connection {
  readonly address: string
  readonly #opts: Required<ConnectionOptions>
  readonly #socket: Socket
  readonly #frames: FrameReceiver
  readonly #collectBody = (body: Buffer): void => { this.#bodies.push(body) }
  readonly #pending = new Map<number, Pending>()
  readonly #waiting: Outgoing[] = []
  readonly #bodies: Buffer[] = []
  readonly #closeListeners: Array<(err: KafkaClientError) => void> = []
  #versions = new Map<number, ApiVersionRange>()
  #nextCorrelationId = 1
  #closedBy: KafkaClientError | null = null
  #socketError: string | null = null
  #timer: NodeJS.Timeout

  /** Opens the socket; Connection.connect() waits for it to connect. */
  private constructor (opts: Required<ConnectionOptions>) {
    this.#opts = opts
    this.address = `${opts.host}:${opts.port}`
    this.#frames = new FrameReceiver({ frameBytesMax: opts.frameBytesMax, frameBytesMin: RESPONSE_FRAME_BYTES_MIN, limitName: 'the client frame limit', ...(opts.frameAllocator !== null && { allocate: opts.frameAllocator }) })
    // The socket reads into the frame receiver's memory (frame-receiver.ts), not into a
    // fresh buffer per read; it emits no 'data' events.
    const socket = connect({ host: opts.host, port: opts.port, onread: { buffer: () => this.#frames.nextBuffer(), callback: bytes => { this.#onRead(bytes); return true } } })
    this.#socket = socket
    socket.setNoDelay(true)
    socket.on('error', err => { this.#socketError = describeSocketError(err) })
    socket.on('close', () => this.#fail(new KafkaClientError('ERR_CONNECTION_CLOSED',
      `connection to ${this.address} closed${this.#socketError !== null ? ` (${this.#socketError})` : ''}`, { retriable: true, broker: this.address })))
    const tickMs = Math.max(10, Math.min(1000, Math.floor(opts.requestTimeoutMs / 4)))
    this.#timer = setInterval(() => this.#checkDeadlines(), tickMs).unref()
  }

  /** Connects and negotiates API versions; rejects with ERR_CONNECT when the broker cannot be reached. */
  static async connect (options: ConnectionOptions): Promise<Connection> {
    const opts: Required<ConnectionOptions> = {
      connectTimeoutMs: CONNECT_TIMEOUT_MS_DEFAULT,
      requestTimeoutMs: REQUEST_TIMEOUT_MS_DEFAULT,
      inFlightMax: IN_FLIGHT_MAX_DEFAULT,
      queuedMax: QUEUED_MAX_DEFAULT,
      frameBytesMax: FRAME_BYTES_MAX_DEFAULT,
      frameAllocator: null,
      ...options,
    }
    const connection = new Connection(opts)
    const address = connection.address
    const s = connection.#socket
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.destroy()
        reject(new KafkaClientError('ERR_CONNECT', `cannot reach ${address}: no answer within ${opts.connectTimeoutMs} ms`, { retriable: true, broker: address }))
      }, opts.connectTimeoutMs)
      s.once('connect', () => { clearTimeout(timer); resolve() })
      s.once('error', err => {
        clearTimeout(timer)
        s.destroy()
        reject(new KafkaClientError('ERR_CONNECT', `cannot reach ${address}: ${describeSocketError(err)}`, { retriable: true, broker: address, cause: err }))
      })
    })
    try {
      await connection.#negotiate(Math.min(opts.requestTimeoutMs, opts.connectTimeoutMs))
    } catch (err) {
      connection.close()
      throw err
    }
    return connection
  }

  async #negotiate (timeoutMs: number): Promise<void> {
    const request = { clientSoftwareName: 'sluice', clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }
    let response = await this.request(ApiVersionsProbe, request, { version: 3, timeoutMs })
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) response = await this.request(ApiVersionsProbe, request, { version: 0, timeoutMs })
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaClientError('ERR_KAFKA', `ApiVersions to ${this.address} failed with error ${response.errorCode}`, { kafkaErrorCode: response.errorCode, broker: this.address })
    }
    this.#versions = new Map(response.apiKeys.map(k => [k.apiKey, k]))
  }

  get closed (): boolean {
    return this.#closedBy !== null
  }

  get inFlight (): number {
    return this.#pending.size
  }

  /** What the broker advertised, by api key. */
  get apiVersions (): ReadonlyMap<number, ApiVersionRange> {
    return this.#versions
  }

  /** The highest version of `codec` both sides speak; throws ERR_UNSUPPORTED_VERSION if none. */
  versionFor (codec: AnyCodec): number {
    const range = this.#versions.get(codec.key)
    if (range === undefined) {
      throw new KafkaClientError('ERR_UNSUPPORTED_VERSION', `${this.address} does not support ${codec.name} (api key ${codec.key})`, { broker: this.address })
    }
    const version = Math.min(codec.maxVersion, range.maxVersion)
    if (version < Math.max(codec.minVersion, range.minVersion)) {
      throw new KafkaClientError('ERR_UNSUPPORTED_VERSION',
        `${codec.name}: ${this.address} speaks v${range.minVersion}-${range.maxVersion}, this client v${codec.minVersion}-${codec.maxVersion}`, { broker: this.address })
    }
    return version
  }

  onClose (listener: (err: KafkaClientError) => void): void {
    if (this.#closedBy !== null) listener(this.#closedBy)
    else this.#closeListeners.push(listener)
  }

  request<Req, Res> (codec: ApiCodec<Req, Res>, request: Req, opts: { version?: number, timeoutMs?: number } = {}): Promise<Res> {
    return this.#enqueue(codec, request, opts.version, opts.timeoutMs, true)
  }

  /** Sends a request the broker will not answer (acks=0 produce); resolves once written. */
  sendOnly<Req> (codec: ApiCodec<Req, unknown>, request: Req): Promise<void> {
    return this.#enqueue(codec, request, undefined, undefined, false)
  }

  #enqueue<Res> (codec: AnyCodec, request: unknown, version: number | undefined, timeoutMs: number | undefined, expectsResponse: boolean): Promise<Res> {
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy)
    let v: number
    try {
      v = version ?? this.versionFor(codec)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.#waiting.length >= this.#opts.queuedMax) {
      return Promise.reject(new KafkaClientError('ERR_BACKPRESSURE', `${this.#waiting.length} requests already wait for ${this.address}; slow down`, { retriable: true, broker: this.address }))
    }
    const { promise, resolve, reject } = Promise.withResolvers<Res>()
    this.#waiting.push({ codec, version: v, request, timeoutMs: timeoutMs ?? this.#opts.requestTimeoutMs, expectsResponse, resolve, reject })
    this.#pump()
    return promise
  }

  /** Moves waiting requests onto the wire while in-flight slots are free, in order. */
  #pump (): void {
    if (this.#waiting.length === 0 || this.#closedBy !== null) return
    let sent = 0
    this.#socket.cork()
    while (sent < this.#waiting.length && this.#pending.size < this.#opts.inFlightMax) {
      const out = this.#waiting[sent++]!
      this.#write(out)
    }
    this.#socket.uncork()
    this.#waiting.splice(0, sent)
  }

  #write (out: Outgoing): void {
    const correlationId = this.#nextCorrelationId
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) & 0x7fffffff
    const w = new Writer()
    let frame: Buffer[]
    try {
      writeRequestHeader(w, out.codec, out.version, correlationId, this.#opts.clientId)
      out.codec.encodeRequest(w, out.version, out.request)
      frame = w.finishFrame()
    } catch (err) {
      out.reject(err as Error)
      return
    }
    if (out.expectsResponse) {
      this.#pending.set(correlationId, { codec: out.codec, version: out.version, timeoutMs: out.timeoutMs, deadlineMs: Date.now() + out.timeoutMs, resolve: out.resolve, reject: out.reject })
    }
    const last = frame.length - 1
    for (let i = 0; i < last; i++) this.#socket.write(frame[i]!)
    if (out.expectsResponse) this.#socket.write(frame[last]!)
    else this.#socket.write(frame[last]!, err => err == null ? out.resolve(undefined) : out.reject(this.#closedBy ?? err))
  }

  // Nothing may escape this callback: Node would then keep reading into the buffer it
  // last had, which may be a frame already handed out.
  #onRead (bytes: number): void {
    try {
      this.#frames.received(bytes, this.#collectBody)
      for (let i = 0; i < this.#bodies.length; i++) this.#onResponse(this.#bodies[i]!)
      this.#bodies.length = 0
      this.#pump()
    } catch (err) {
      this.#bodies.length = 0
      const message = err instanceof FrameError ? `${this.address} sent a bad response frame (${err.message})` : `reading from ${this.address} failed: ${String(err)}`
      this.#fail(new KafkaClientError('ERR_PROTOCOL', message, { broker: this.address, cause: err }))
    }
  }

  #onResponse (body: Buffer): void {
    const correlationId = body.readInt32BE(0)
    const pending = this.#pending.get(correlationId)
    if (pending === undefined) {
      this.#fail(new KafkaClientError('ERR_PROTOCOL', `${this.address} answered correlation id ${correlationId}, which no request is waiting for`, { broker: this.address }))
      return
    }
    this.#pending.delete(correlationId)
    let response: unknown
    try {
      const r = new Reader(body)
      readResponseHeader(r, pending.codec, pending.version)
      response = pending.codec.decodeResponse(r, pending.version)
    } catch (err) {
      const e = new KafkaClientError('ERR_PROTOCOL', `cannot decode ${pending.codec.name} v${pending.version} response from ${this.address}: ${(err as Error).message}`, { broker: this.address, cause: err })
      pending.reject(e)
      this.#fail(e)
      return
    }
    pending.resolve(response)
  }

  #checkDeadlines (): void {
    if (this.#pending.size === 0) return
    const now = Date.now()
    for (const pending of this.#pending.values()) {
      if (pending.deadlineMs > now) continue
      this.#fail(new KafkaClientError('ERR_TIMEOUT', `${pending.codec.name} request to ${this.address} got no answer within ${pending.timeoutMs} ms; connection closed`, { retriable: true, broker: this.address }))
      return
    }
  }

  /** Fails everything outstanding with `err` and closes the socket; idempotent. */
  #fail (err: KafkaClientError): void {
    if (this.#closedBy !== null) return
    this.#closedBy = err
    clearInterval(this.#timer)
    this.#socket.destroy()
    for (const pending of this.#pending.values()) pending.reject(err)
    this.#pending.clear()
    for (const out of this.#waiting) out.reject(err)
    this.#waiting.length = 0
    for (const listener of this.#closeListeners) listener(err)
    this.#closeListeners.length = 0
  }

  close (): void {
    this.#fail(new KafkaClientError('ERR_CLIENT_CLOSED', `connection to ${this.address} closed by the client`, { broker: this.address }))
  }
}
