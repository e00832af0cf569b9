// Splits the byte stream from a broker into response frames (int32 size + body). The
// broker-side splitter insists on a request header; a response can be as short as its
// 4-byte correlation id, so the client has its own. A size above the limit means the
// stream is corrupt (or not Kafka) and the connection must be dropped.

import { KafkaClientError } from './errors.ts'

/** The smallest response: a correlation id and nothing else. */
const RESPONSE_BYTES_MIN = 4

export class ResponseFrames {
  readonly #frameBytesMax: number
  #chunks: Buffer[] = []
  #bufferedBytes = 0
  #frameBytes = -1

  constructor (frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax
  }

  /**
   * Adds socket bytes and returns each frame body now complete, in order. The result
   * array is reused by the caller's loop only; bodies are views or fresh copies.
   */
  push (chunk: Buffer, out: Buffer[]): void {
    this.#chunks.push(chunk)
    this.#bufferedBytes += chunk.length
    for (;;) {
      if (this.#frameBytes < 0) {
        if (this.#bufferedBytes < 4) return
        const size = this.#peekInt32()
        if (size > this.#frameBytesMax || size < RESPONSE_BYTES_MIN) {
          throw new KafkaClientError('ERR_PROTOCOL', `response frame of ${size} bytes is outside 4..${this.#frameBytesMax}; is this a Kafka broker?`)
        }
        this.#frameBytes = size
      }
      if (this.#bufferedBytes < 4 + this.#frameBytes) return
      out.push(this.#take(4 + this.#frameBytes).subarray(4))
      this.#frameBytes = -1
    }
  }

  #peekInt32 (): number {
    const first = this.#chunks[0]!
    if (first.length >= 4) return first.readInt32BE(0)
    const joined = Buffer.concat(this.#chunks)
    this.#chunks = [joined]
    return joined.readInt32BE(0)
  }

  #take (bytes: number): Buffer {
    const first = this.#chunks[0]!
    let out: Buffer
    if (first.length >= bytes) {
      out = first.subarray(0, bytes)
      if (first.length === bytes) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(bytes)
    } else {
      out = Buffer.allocUnsafe(bytes)
      let filled = 0
      while (filled < bytes) {
        const chunk = this.#chunks[0]!
        const n = Math.min(chunk.length, bytes - filled)
        chunk.copy(out, filled, 0, n)
        filled += n
        if (n === chunk.length) this.#chunks.shift()
        else this.#chunks[0] = chunk.subarray(n)
      }
    }
    this.#bufferedBytes -= bytes
    return out
  }
}
