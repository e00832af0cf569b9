// Splits a TCP byte stream into Kafka frames (int32 size prefix + body) without copying
// more than once per frame. A size prefix above the limit, or too small to hold a request
// header, is a FrameError: the connection is closed before anything is allocated for it.

export class FrameError extends Error {
  readonly code = 'ERR_KAFKA_FRAME'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/** api_key + api_version + correlation_id + client_id length. */
const REQUEST_HEADER_BYTES_MIN = 10

export class FrameSplitter {
  readonly #frameBytesMax: number
  #chunks: Buffer[] = []
  #bufferedBytes = 0
  #frameBytes = -1

  constructor (frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax
  }

  get bufferedBytes (): number {
    return this.#bufferedBytes
  }

  /** Adds bytes from the socket and returns every frame body now complete. */
  push (chunk: Buffer, onFrame: (body: Buffer) => void): void {
    this.#chunks.push(chunk)
    this.#bufferedBytes += chunk.length
    for (;;) {
      if (this.#frameBytes < 0) {
        if (this.#bufferedBytes < 4) return
        const size = this.#peekInt32()
        if (size > this.#frameBytesMax) throw new FrameError(`frame of ${size} bytes exceeds socket.request.max.bytes (${this.#frameBytesMax})`)
        if (size < REQUEST_HEADER_BYTES_MIN) throw new FrameError(`frame of ${size} bytes cannot hold a request header`)
        this.#frameBytes = size
      }
      if (this.#bufferedBytes < 4 + this.#frameBytes) return
      const body = this.#take(4 + this.#frameBytes).subarray(4)
      this.#frameBytes = -1
      onFrame(body)
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
