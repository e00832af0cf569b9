// A deliberately tiny Kafka client for tests that need byte-level control: send one
// request built with our codecs, read one response. Also sends arbitrary bytes.

import { connect, type Socket } from 'node:net'
import type { ApiCodec } from '../../broker/protocol/api.ts'
import { readResponseHeader, writeRequestHeader } from '../../broker/protocol/headers.ts'
import { Reader } from '../../broker/protocol/reader.ts'
import { Writer } from '../../broker/protocol/writer.ts'

export class RawConnection {
  readonly socket: Socket
  #buffer = Buffer.alloc(0)
  #waiters: Array<() => void> = []
  #closed = false
  #correlationId = 1

  private constructor (socket: Socket) {
    this.socket = socket
    socket.on('data', d => {
      this.#buffer = Buffer.concat([this.#buffer, d])
      this.#wake()
    })
    socket.on('close', () => { this.#closed = true; this.#wake() })
    socket.on('error', () => { /* seen as close */ })
  }

  static open (port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  get closed (): boolean {
    return this.#closed
  }

  #wake (): void {
    for (const w of this.#waiters.splice(0)) w()
  }

  /** Resolves true once the peer closed the connection, false after timeoutMs. */
  async waitClosed (timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.#closed && Date.now() < deadline) {
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, 50)
        this.#waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
    return this.#closed
  }

  writeBytes (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  encode<Req> (codec: ApiCodec<Req, unknown>, version: number, request: Req, correlationId = this.#correlationId++): Buffer {
    const w = new Writer()
    writeRequestHeader(w, codec, version, correlationId, 'sluice-test')
    codec.encodeRequest(w, version, request)
    return Buffer.concat(w.finishFrame())
  }

  /** Reads one whole response frame body (after the size prefix). */
  async readFrame (timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.#buffer.length >= 4) {
        const size = this.#buffer.readInt32BE(0)
        if (this.#buffer.length >= 4 + size) {
          const body = this.#buffer.subarray(4, 4 + size)
          this.#buffer = this.#buffer.subarray(4 + size)
          return body
        }
      }
      if (this.#closed) throw new Error('connection closed before a response arrived')
      if (Date.now() > deadline) throw new Error('timed out waiting for a response')
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, 50)
        this.#waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  async request<Req, Res> (codec: ApiCodec<Req, Res>, version: number, request: Req): Promise<{ correlationId: number, response: Res }> {
    this.writeBytes(this.encode(codec, version, request))
    return this.readResponse(codec, version)
  }

  /** Reads and decodes the next response (for requests written ahead with writeBytes). */
  async readResponse<Res> (codec: ApiCodec<unknown, Res>, version: number, timeoutMs?: number): Promise<{ correlationId: number, response: Res }> {
    const body = await this.readFrame(timeoutMs)
    const r = new Reader(body)
    const correlationId = readResponseHeader(r, codec, version)
    return { correlationId, response: codec.decodeResponse(r, version) }
  }

  close (): void {
    this.socket.destroy()
  }
}
