// A tiny Kafka client for tests that need exact control over group requests: it sends a
// request built with our own codecs and headers and reads its response. Requests on one
// connection are answered in order, so a FIFO of pending requests is all the matching needed.

import { connect, type Socket } from 'node:net'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { readResponseHeader, writeRequestHeader } from '../../../broker/protocol/headers.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'

interface Pending {
  correlationId: number
  decode: (r: Reader) => unknown
  resolve: (response: unknown) => void
  reject: (err: Error) => void
}

export class RawClient {
  readonly #socket: Socket
  readonly #pending: Pending[] = []
  readonly #clientId: string
  #buffer = Buffer.alloc(0)
  #nextCorrelationId = 1
  #closedError: Error | null = null

  private constructor (socket: Socket, clientId: string) {
    this.#socket = socket
    this.#clientId = clientId
    socket.on('data', chunk => this.#onData(chunk))
    socket.on('error', err => this.#fail(err))
    socket.on('close', () => this.#fail(new Error('connection closed by the broker')))
  }

  static connect (port: number, clientId = 'raw-test'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject)
        resolve(new RawClient(socket, clientId))
      })
      socket.once('error', reject)
    })
  }

  send<Req, Res> (codec: ApiCodec<Req, Res>, version: number, request: Req): Promise<Res> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError)
    const correlationId = this.#nextCorrelationId++
    const w = new Writer()
    writeRequestHeader(w, codec, version, correlationId, this.#clientId)
    codec.encodeRequest(w, version, request)
    const { promise, resolve, reject } = Promise.withResolvers<Res>()
    this.#pending.push({
      correlationId,
      decode: r => {
        const answered = readResponseHeader(r, codec, version)
        if (answered !== correlationId) throw new Error(`response for correlation id ${answered}, expected ${correlationId}`)
        const response = codec.decodeResponse(r, version)
        if (r.remaining !== 0) throw new Error(`${codec.name} v${version} response has ${r.remaining} bytes left over`)
        return response
      },
      resolve: resolve as (response: unknown) => void,
      reject,
    })
    this.#socket.write(Buffer.concat(w.finishFrame()))
    return promise
  }

  close (): void {
    this.#socket.destroy()
  }

  #onData (chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readInt32BE(0)) {
      const size = this.#buffer.readInt32BE(0)
      const body = this.#buffer.subarray(4, 4 + size)
      this.#buffer = this.#buffer.subarray(4 + size)
      const pending = this.#pending.shift()
      if (pending === undefined) {
        this.#fail(new Error('a response arrived for no request'))
        return
      }
      try {
        pending.resolve(pending.decode(new Reader(body)))
      } catch (err) {
        pending.reject(err as Error)
      }
    }
  }

  #fail (err: Error): void {
    this.#closedError ??= err
    for (const pending of this.#pending.splice(0)) pending.reject(err)
  }
}
