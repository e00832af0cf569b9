// One client connection: frames in, responses out in request order.
//
// Requests are decoded and dispatched as they arrive; each gets a slot in an ordered
// queue, and a slot's bytes go out only when every earlier slot has gone. acks=0 produce
// fills its slot with nothing. The connection holds (takes no further request, never
// fails one; it reads on until 48 KiB wait, so a closing peer is still seen) while any of
// these holds: `queued.max.requests` requests are in flight, a handler asked for
// backpressure (a partition's append queue is full), or the request memory pool
// (`queued.max.request.bytes`) has nothing left for the next frame. Anything malformed
// closes this connection and only this one; so does an internal error in a handler or an
// encoder, which is also reported (once per kind) through onInternalError.
//
// Each slot also carries the request's timestamps for RequestMetrics (performance.now(),
// monotonic, in ms): received, handler start, parked, response ready, written, and the
// socket's write callback. See request-metrics.ts for what each part means.

import type { Socket } from 'node:net'
import type { ApiCodec } from '../protocol/api.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { API_VERSIONS_KEY, readRequestHeaderPrefix, readRequestHeaderRest, writeResponseHeader, type RequestHeader } from '../protocol/headers.ts'
import { ProtocolError, Reader } from '../protocol/reader.ts'
import { Writer } from '../protocol/writer.ts'
import { ApiVersions } from '../protocol/18-api-versions.ts'
import { FrameError, REQUEST_FRAME_BYTES_MIN } from '../protocol/frame-splitter.ts'
import { FrameReceiver } from '../protocol/frame-receiver.ts'
import { NO_RESPONSE, type ApiHandler, type ConnectionControl, type HandlerContext, type HandlerRegistry } from './handler.ts'
import type { Metrics } from './metrics.ts'
import type { RequestMemoryPool } from './request-memory.ts'
import type { BufferPool } from '../protocol/buffer-pool.ts'
import { listenForParking, type ParkListener } from './request-parking.ts'
import { readInto } from './read-into.ts'

export interface ConnectionOptions {
  frameBytesMax: number
  inFlightMax: number
  handlers: HandlerRegistry
  metrics: Metrics
  memory: RequestMemoryPool
  /** Lends the memory large frames are read into; takes back reusable frames and written responses. */
  bufferPool: BufferPool
  context: Omit<HandlerContext, 'header' | 'clientHost' | 'connection'>
  log: (line: string) => void
  /** A handler or encoder threw: a bug, reported by the listener once per kind. */
  onInternalError: (api: string, error: unknown) => void
  onClose: (connection: Connection) => void
}

interface Slot {
  done: boolean
  /** The response, from encoding until its write callback (then its pooled memory goes back). */
  buffers: Buffer[] | null
  /** Request memory held for this request's frame, given back when the slot is done. */
  frameBytes: number
  /** The request's bytes, and whether its handler said they may be lent again (handler.ts, RequestFrame). */
  frame: Buffer
  reusable: boolean
  apiKey: number
  apiName: string
  receivedMs: number
  startMs: number
  /** 0 until the request parks (a long-poll fetch waiting for data). */
  parkedMs: number
  readyMs: number
  writeStartMs: number
}

export class Connection implements ParkListener {
  readonly socket: Socket
  readonly clientHost: string
  readonly #opts: ConnectionOptions
  readonly #frames: FrameReceiver
  readonly #slots: Slot[] = []
  readonly #abort = new AbortController()
  readonly #control: ConnectionControl
  readonly #onFrame = (body: Buffer): void => this.#handleFrame(body)
  /** Slots whose response is in the socket's write queue, oldest first, until their write callback. */
  readonly #writing: Slot[] = []
  readonly #onWritten = (err?: Error | null): void => this.#written(err)
  /** When the current split began (a read, or the pump after a hold): the received time of every frame it hands out. A held frame's wait is not in it, as a paused socket's was not. */
  #arrivedMs = 0
  #closed = false
  /** The receiver hands out no frame (see #updateReading). */
  #held = false
  /** The socket's reads are stopped. */
  #paused = false
  #pumpQueued = false
  readonly #pump = (): void => {
    this.#pumpQueued = false
    if (this.#held || this.#closed) return
    this.#split(null)
    // The pump may have ended a refusal (or met a new one): reading may start or stop.
    this.#updateReading()
  }
  #blockers = 0
  #unreservedFrameBytes = 0
  /** Bytes the pool reserved for the next frame while this connection waited for memory. */
  #grantedBytes = 0
  #withdrawMemoryWait: (() => void) | null = null
  #lastActivityMs = Date.now()

  /** Takes over `accepted` (a server's socket that has read nothing yet): use `connection.socket` from here on. */
  constructor (accepted: Socket, opts: ConnectionOptions) {
    this.#opts = opts
    this.#frames = new FrameReceiver({
      frameBytesMax: opts.frameBytesMax,
      frameBytesMin: REQUEST_FRAME_BYTES_MIN,
      limitName: 'socket.request.max.bytes',
      reserve: bytes => this.#reserve(bytes),
      allocate: opts.bufferPool.acquire,
    })
    this.clientHost = accepted.remoteAddress ?? 'unknown'
    // Requests are read into the frame receiver's memory (read-into.ts), not into a fresh
    // buffer per read; the socket emits no 'data' events.
    const socket = readInto(accepted, { buffer: () => this.#frames.nextBuffer(), callback: bytes => { this.#onRead(bytes); return true } })
    this.socket = socket
    this.#control = { signal: this.#abort.signal, pauseUntil: promise => this.#pauseUntil(promise) }
    socket.setNoDelay(true)
    socket.on('error', () => this.close())
    socket.on('close', () => this.close())
    listenForParking(this.#abort.signal, this)
  }

  /** The oldest unfinished, not yet parked request of that API is the one parking. */
  requestParked (apiKey: number): void {
    for (const slot of this.#slots) {
      if (!slot.done && slot.parkedMs === 0 && slot.apiKey === apiKey) {
        slot.parkedMs = performance.now()
        return
      }
    }
  }

  get closed (): boolean {
    return this.#closed
  }

  /** No bytes either way for `idleMs` and nothing in flight (Kafka's connections.max.idle.ms). */
  isIdle (nowMs: number, idleMs: number): boolean {
    return this.#slots.length === 0 && nowMs - this.#lastActivityMs > idleMs
  }

  close (reason?: string): void {
    if (this.#closed) return
    this.#closed = true
    if (reason !== undefined) this.#opts.log(`closing connection from ${this.clientHost}:${this.socket.remotePort}: ${reason}`)
    this.socket.destroy()
    this.#withdrawMemoryWait?.()
    this.#withdrawMemoryWait = null
    // Requests still running keep their frames alive until they finish; the pool gets
    // those bytes back from the slots. What no slot holds (a partial frame) goes back now.
    if (this.#unreservedFrameBytes + this.#grantedBytes > 0) this.#release(this.#unreservedFrameBytes + this.#grantedBytes)
    this.#unreservedFrameBytes = 0
    this.#grantedBytes = 0
    // Parked long-polls and backpressure waits of this connection end now.
    this.#abort.abort()
    this.#opts.onClose(this)
  }

  #onRead (bytes: number): void {
    this.#opts.metrics.bytesIn += bytes
    this.#lastActivityMs = Date.now()
    this.#split(bytes)
    this.#updateReading()
  }

  /** Splits after a read of `bytes`, or again without one (null) once memory is available. Never throws: it runs in the socket's read callback. */
  #split (bytes: number | null): void {
    this.#arrivedMs = performance.now()
    try {
      if (bytes === null) this.#frames.pump(this.#onFrame)
      else this.#frames.received(bytes, this.#onFrame)
    } catch (err) {
      try {
        if (err instanceof FrameError || err instanceof ProtocolError) this.close(err.message)
        else this.#internalError('request decoding', err)
      } catch (closeErr) {
        this.#opts.onInternalError('closing a connection', closeErr)
      }
    }
  }

  #reserve (frameBytes: number): boolean {
    if (this.#closed) return false
    if (this.#grantedBytes === frameBytes) {
      // Reserved for us by the pool's wake-up, below.
      this.#grantedBytes = 0
    } else if (!this.#opts.memory.tryReserve(frameBytes)) {
      if (this.#withdrawMemoryWait === null) this.#waitForMemory(frameBytes)
      return false
    }
    this.#unreservedFrameBytes = frameBytes
    return true
  }

  // The wake-up reserves at once (so the pool knows when to stop waking readers); the split
  // waits for the pump #updateReading queues (process.nextTick), so a release never recurses
  // through other connections' frames.
  #waitForMemory (frameBytes: number): void {
    this.#withdrawMemoryWait = this.#opts.memory.whenAvailable(() => {
      this.#withdrawMemoryWait = null
      if (this.#closed) return
      if (this.#opts.memory.tryReserve(frameBytes)) this.#grantedBytes = frameBytes
      // Not granted after all (someone took it first): the next split asks again and waits again.
      this.#updateReading()
    })
    this.#updateReading()
  }

  #release (bytes: number): void {
    this.#opts.memory.release(bytes)
  }

  #handleFrame (body: Buffer): void {
    const frameBytes = this.#unreservedFrameBytes
    this.#unreservedFrameBytes = 0
    if (this.#closed) {
      this.#release(frameBytes)
      return
    }
    const receivedNs = process.hrtime.bigint()
    const receivedMs = this.#arrivedMs
    let decoded
    try {
      decoded = this.#decode(body)
    } catch (err) {
      // The connection closes for it (in #split); the frame's memory goes back first.
      this.#release(frameBytes)
      throw err
    }
    const slot: Slot = { done: false, buffers: null, frameBytes, frame: body, reusable: false, apiKey: decoded.header.apiKey, apiName: decoded.handler.codec.name, receivedMs, startMs: 0, parkedMs: 0, readyMs: 0, writeStartMs: 0 }
    this.#slots.push(slot)
    if (decoded.unsupportedApiVersions) {
      slot.startMs = performance.now()
      this.#answerUnsupportedApiVersions(slot, decoded.header.correlationId)
      return
    }
    const { handler, header, request } = decoded
    const { codec } = handler
    this.#updateReading()
    const ctx: HandlerContext = { ...this.#opts.context, header, clientHost: this.clientHost, connection: this.#control, timing: slot, frame: slot }
    const finish = (response: unknown): void => {
      this.#opts.metrics.observeRequest(codec.name, receivedNs)
      try {
        if (response !== NO_RESPONSE && !this.#closed) slot.buffers = this.#encode(codec, header, response)
      } catch (err) {
        this.#internalError(`${codec.name} v${header.apiVersion} response encoding`, err)
      }
      slot.readyMs = performance.now()
      // The handler is done with the request's bytes (a handler that threw never says so).
      if (slot.reusable) this.#opts.bufferPool.release(slot.frame)
      // No response to send (acks=0, or the connection is gone): its time ends here.
      if (slot.buffers === null) this.#observe(slot, 0)
      this.#complete(slot)
    }
    const fail = (err: unknown): void => {
      slot.readyMs = performance.now()
      this.#observe(slot, 0)
      this.#internalError(`${codec.name} v${header.apiVersion} handler`, err)
      this.#complete(slot)
    }
    let result
    slot.startMs = performance.now()
    try {
      result = handler.handle(ctx, request, header.apiVersion)
    } catch (err) {
      fail(err)
      return
    }
    if (result instanceof Promise) result.then(finish, fail)
    else finish(result)
  }

  #decode (body: Buffer): { unsupportedApiVersions: boolean, handler: ApiHandler, header: RequestHeader, request: unknown } {
    const r = new Reader(body)
    const prefix = readRequestHeaderPrefix(r)
    const handler = this.#opts.handlers.get(prefix.apiKey)
    if (handler === undefined) throw new ProtocolError(`unknown api key ${prefix.apiKey}`)
    const { codec } = handler
    if (prefix.apiVersion < codec.minVersion || prefix.apiVersion > codec.maxVersion) {
      if (prefix.apiKey === API_VERSIONS_KEY) return { unsupportedApiVersions: true, handler, header: { ...prefix, clientId: null }, request: null }
      throw new ProtocolError(`${codec.name} v${prefix.apiVersion} is not supported (${codec.minVersion}-${codec.maxVersion})`)
    }
    const clientId = readRequestHeaderRest(r, prefix.apiVersion >= codec.flexibleVersion)
    const header: RequestHeader = { ...prefix, clientId }
    return { unsupportedApiVersions: false, handler, header, request: codec.decodeRequest(r, header.apiVersion) }
  }

  #complete (slot: Slot): void {
    slot.done = true
    if (slot.frameBytes > 0) this.#release(slot.frameBytes)
    slot.frameBytes = 0
    this.#drain()
  }

  /** A bug met this connection's request: the request fails by closing the connection; the broker carries on. */
  #internalError (where: string, err: unknown): void {
    this.#opts.onInternalError(where, err)
    this.close(`internal error in ${where}: ${(err as Error)?.message ?? String(err)}`)
  }

  #encode (codec: ApiCodec<unknown, unknown>, header: RequestHeader, response: unknown): Buffer[] {
    const w = new Writer()
    writeResponseHeader(w, codec, header.apiVersion, header.correlationId)
    codec.encodeResponse(w, header.apiVersion, response)
    return w.finishFrame()
  }

  /** An ApiVersions request of a version we do not know: error 35 in v0 framing. */
  #answerUnsupportedApiVersions (slot: Slot, correlationId: number): void {
    const w = new Writer()
    w.writeInt32(correlationId)
    ApiVersions.encodeResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.#opts.handlers.advertised(), throttleTimeMs: 0 })
    slot.buffers = w.finishFrame()
    slot.readyMs = performance.now()
    this.#complete(slot)
  }

  #drain (): void {
    if (this.#closed) {
      // Nothing will be written: give back what finished requests still hold.
      this.#slots.length = 0
      return
    }
    let wrote = false
    while (this.#slots.length > 0 && this.#slots[0]!.done) {
      const slot = this.#slots.shift()!
      const buffers = slot.buffers
      if (buffers === null) continue
      if (buffers.length === 0) {
        // Nothing to write means no write callback: the request ends here.
        this.#observe(slot, 0)
        continue
      }
      if (!wrote) this.socket.cork()
      wrote = true
      slot.writeStartMs = performance.now()
      this.#writing.push(slot)
      for (let i = 0; i < buffers.length; i++) {
        this.#opts.metrics.bytesOut += buffers[i]!.length
        // Write callbacks come in write order: the last buffer's says the response left.
        if (i === buffers.length - 1) this.socket.write(buffers[i]!, this.#onWritten)
        else this.socket.write(buffers[i]!)
      }
    }
    if (wrote) {
      this.socket.uncork()
      this.#lastActivityMs = Date.now()
    }
    this.#updateReading()
  }

  // The callback of a response's last buffer: the socket has handed every byte of it to the
  // kernel, so the pooled memory in it (Fetch log reads) can be lent again. After a failed
  // write the memory is left to the GC.
  #written (err: Error | null | undefined): void {
    const slot = this.#writing.shift()
    if (slot === undefined) return
    this.#observe(slot, performance.now())
    if (slot.buffers !== null && err == null) this.#opts.bufferPool.releaseAll(slot.buffers)
    slot.buffers = null
  }

  #observe (slot: Slot, writtenMs: number): void {
    this.#opts.metrics.requests.observe(slot.apiKey, slot.apiName, slot.receivedMs, slot.startMs, slot.parkedMs, slot.readyMs, slot.writeStartMs, writtenMs)
  }

  /** Stops reading until `promise` settles (backpressure from a full append queue). */
  #pauseUntil (promise: Promise<unknown>): void {
    this.#blockers++
    this.#updateReading()
    const unblock = (): void => {
      this.#blockers--
      this.#updateReading()
    }
    promise.then(unblock, unblock)
  }

  // While anything asks the connection to wait, the receiver hands out no frame but still
  // takes reads, so a peer that closes is seen at once (its parked long-polls end then);
  // the socket stops reading only when the receiver is full. Once nothing asks to wait,
  // what arrived meanwhile is split on the next tick, outside whatever released the hold.
  #updateReading (): void {
    if (this.#closed) return
    const hold = this.#slots.length >= this.#opts.inFlightMax || this.#blockers > 0 || this.#withdrawMemoryWait !== null
    if (hold !== this.#held) {
      this.#held = hold
      this.#frames.hold(hold)
      if (!hold && !this.#pumpQueued) {
        this.#pumpQueued = true
        process.nextTick(this.#pump)
      }
    }
    const stop = this.#frames.full
    if (stop && !this.#paused) {
      this.#paused = true
      this.socket.pause()
    } else if (!stop && this.#paused) {
      this.#paused = false
      this.socket.resume()
    }
  }
}
