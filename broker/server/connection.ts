// One client connection: frames in, responses out in request order.
//
// Requests are decoded and dispatched as they arrive; each gets a slot in an ordered
// queue, and a slot's bytes go out only when every earlier slot has gone. acks=0 produce
// fills its slot with nothing. At most `queued.max.requests` requests are in flight; past
// that the socket stops being read until responses drain. Anything malformed closes this
// connection and only this one.

import type { Socket } from 'node:net'
import type { ApiCodec } from '../protocol/api.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { API_VERSIONS_KEY, readRequestHeaderPrefix, readRequestHeaderRest, writeResponseHeader, type RequestHeader } from '../protocol/headers.ts'
import { ProtocolError, Reader } from '../protocol/reader.ts'
import { Writer } from '../protocol/writer.ts'
import { ApiVersions } from '../protocol/18-api-versions.ts'
import { FrameError, FrameSplitter, REQUEST_FRAME_BYTES_MIN } from '../protocol/frame-splitter.ts'
import { NO_RESPONSE, type HandlerContext, type HandlerRegistry } from './handler.ts'
import type { Metrics } from './metrics.ts'

export interface ConnectionOptions {
  frameBytesMax: number
  inFlightMax: number
  handlers: HandlerRegistry
  metrics: Metrics
  context: Omit<HandlerContext, 'header' | 'clientHost'>
  log: (line: string) => void
  onClose: (connection: Connection) => void
}

interface Slot {
  done: boolean
  buffers: Buffer[] | null
}

export class Connection {
  readonly socket: Socket
  readonly #opts: ConnectionOptions
  readonly #splitter: FrameSplitter
  readonly #slots: Slot[] = []
  readonly #clientHost: string
  #closed = false
  #paused = false

  constructor (socket: Socket, opts: ConnectionOptions) {
    this.socket = socket
    this.#opts = opts
    this.#splitter = new FrameSplitter({ frameBytesMax: opts.frameBytesMax, frameBytesMin: REQUEST_FRAME_BYTES_MIN, limitName: 'socket.request.max.bytes' })
    this.#clientHost = socket.remoteAddress ?? 'unknown'
    socket.setNoDelay(true)
    socket.on('data', chunk => this.#onData(chunk))
    socket.on('error', () => this.close())
    socket.on('close', () => this.close())
  }

  close (reason?: string): void {
    if (this.#closed) return
    this.#closed = true
    if (reason !== undefined) this.#opts.log(`closing connection from ${this.#clientHost}:${this.socket.remotePort}: ${reason}`)
    this.socket.destroy()
    this.#opts.onClose(this)
  }

  #onData (chunk: Buffer): void {
    this.#opts.metrics.bytesIn += chunk.length
    try {
      this.#splitter.push(chunk, body => this.#onFrame(body))
    } catch (err) {
      if (err instanceof FrameError || err instanceof ProtocolError) this.close(err.message)
      else this.close(`internal error: ${(err as Error).stack ?? String(err)}`)
    }
  }

  #onFrame (body: Buffer): void {
    if (this.#closed) return
    const receivedNs = process.hrtime.bigint()
    const r = new Reader(body)
    const prefix = readRequestHeaderPrefix(r)
    const handler = this.#opts.handlers.get(prefix.apiKey)
    if (handler === undefined) throw new ProtocolError(`unknown api key ${prefix.apiKey}`)
    const { codec } = handler
    if (prefix.apiVersion < codec.minVersion || prefix.apiVersion > codec.maxVersion) {
      if (prefix.apiKey === API_VERSIONS_KEY) {
        this.#answerUnsupportedApiVersions(prefix.correlationId)
        return
      }
      throw new ProtocolError(`${codec.name} v${prefix.apiVersion} is not supported (${codec.minVersion}-${codec.maxVersion})`)
    }
    const clientId = readRequestHeaderRest(r, prefix.apiVersion >= codec.flexibleVersion)
    const header: RequestHeader = { ...prefix, clientId }
    const request = codec.decodeRequest(r, header.apiVersion)
    const slot: Slot = { done: false, buffers: null }
    this.#slots.push(slot)
    this.#throttle()
    const ctx: HandlerContext = { ...this.#opts.context, header, clientHost: this.#clientHost }
    let result
    try {
      result = handler.handle(ctx, request, header.apiVersion)
    } catch (err) {
      this.close(`${codec.name} handler failed: ${(err as Error).stack ?? String(err)}`)
      return
    }
    const finish = (response: unknown): void => {
      this.#opts.metrics.observeRequest(codec.name, receivedNs)
      if (response !== NO_RESPONSE) slot.buffers = this.#encode(codec, header, response)
      slot.done = true
      this.#drain()
    }
    if (result instanceof Promise) {
      result.then(finish, err => this.close(`${codec.name} handler failed: ${(err as Error).stack ?? String(err)}`))
    } else {
      finish(result)
    }
  }

  #encode (codec: ApiCodec<unknown, unknown>, header: RequestHeader, response: unknown): Buffer[] {
    const w = new Writer()
    writeResponseHeader(w, codec, header.apiVersion, header.correlationId)
    codec.encodeResponse(w, header.apiVersion, response)
    return w.finishFrame()
  }

  /** An ApiVersions request of a version we do not know: error 35 in v0 framing. */
  #answerUnsupportedApiVersions (correlationId: number): void {
    const w = new Writer()
    w.writeInt32(correlationId)
    ApiVersions.encodeResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.#opts.handlers.advertised(), throttleTimeMs: 0 })
    this.#slots.push({ done: true, buffers: w.finishFrame() })
    this.#drain()
  }

  #drain (): void {
    if (this.#closed) return
    let wrote = false
    while (this.#slots.length > 0 && this.#slots[0]!.done) {
      const slot = this.#slots.shift()!
      if (slot.buffers === null) continue
      if (!wrote) this.socket.cork()
      wrote = true
      for (const b of slot.buffers) {
        this.#opts.metrics.bytesOut += b.length
        this.socket.write(b)
      }
    }
    if (wrote) this.socket.uncork()
    this.#throttle()
  }

  /** Stops reading while too many requests are in flight or the socket is backed up. */
  #throttle (): void {
    const shouldPause = this.#slots.length >= this.#opts.inFlightMax
    if (shouldPause && !this.#paused) {
      this.#paused = true
      this.socket.pause()
    } else if (!shouldPause && this.#paused) {
      this.#paused = false
      this.socket.resume()
    }
  }
}
