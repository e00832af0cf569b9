// Splits a TCP byte stream into Kafka frames (int32 size prefix + body) without copying
// more than once per frame. Both sides use it: the broker for requests (which must hold a
// request header) and the harness's client for responses (at least a correlation id). A
// size prefix outside the bounds is a FrameError: the connection is dropped before
// anything is allocated for it.

export class FrameError extends Error {
  readonly code = 'ERR_KAFKA_FRAME'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/** api_key + api_version + correlation_id + client_id length. */
export const REQUEST_FRAME_BYTES_MIN = 10
/** correlation_id alone. */
export const RESPONSE_FRAME_BYTES_MIN = 4

/** Size prefixes that are really the start of a text protocol, read as ASCII. */
const TEXT_PROTOCOLS: ReadonlyArray<[string, string]> = [
  ['HTTP', 'an HTTP response: is this the broker\'s HTTP API port rather than its Kafka port?'],
  ['GET ', 'an HTTP request: an HTTP client is talking to a Kafka port'],
  ['POST', 'an HTTP request: an HTTP client is talking to a Kafka port'],
  ['PUT ', 'an HTTP request: an HTTP client is talking to a Kafka port'],
  ['SSH-', 'an SSH server'],
  ['+OK ', 'a Redis or POP3 server'],
  ['-ERR', 'a Redis server'],
  ['INFO', 'a NATS server'],
  ['AMQP', 'an AMQP (RabbitMQ) peer'],
]

function oversizeMessage (size: number, limitBytes: number, limitName: string): string {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(size)
  const text = prefix.toString('latin1')
  const known = TEXT_PROTOCOLS.find(([start]) => start === text)
  if (known !== undefined) return `the peer is not speaking Kafka: its first bytes read ${JSON.stringify(text)}, ${known[1]}`
  return `frame of ${size} bytes exceeds ${limitName} (${limitBytes})`
}

/** Throws a FrameError naming the problem when a size prefix is out of bounds. */
export function checkFrameSize (size: number, frameBytesMin: number, frameBytesMax: number, limitName: string): void {
  if (size > frameBytesMax) throw new FrameError(oversizeMessage(size, frameBytesMax, limitName))
  if (size < frameBytesMin) throw new FrameError(`frame of ${size} bytes is shorter than the ${frameBytesMin}-byte minimum; is the peer speaking Kafka?`)
}

export class FrameSplitter {
  readonly #frameBytesMax: number
  readonly #frameBytesMin: number
  readonly #limitName: string
  #chunks: Buffer[] = []
  #bufferedBytes = 0
  #frameBytes = -1

  readonly #reserve: ((frameBytes: number) => boolean) | undefined
  readonly #allocate: (bytes: number) => Buffer
  #frameReserved = false

  /**
   * `limitName` is the setting a user would raise, named in the error. `reserve`, if given,
   * is asked for each frame's whole size (prefix included) once the prefix is read; while
   * it answers false the splitter holds what it has and hands out nothing (call pump()
   * once memory is available). `allocate`, if given, provides the buffer a frame spread
   * over several chunks is joined into (default Buffer.allocUnsafe).
   */
  constructor (opts: { frameBytesMax: number, frameBytesMin: number, limitName: string, reserve?: (frameBytes: number) => boolean, allocate?: (bytes: number) => Buffer }) {
    this.#frameBytesMax = opts.frameBytesMax
    this.#frameBytesMin = opts.frameBytesMin
    this.#limitName = opts.limitName
    this.#reserve = opts.reserve
    this.#allocate = opts.allocate ?? Buffer.allocUnsafe
  }

  /** Runs the split again without new bytes, after a refused reservation. */
  pump (onFrame: (body: Buffer) => void): void {
    this.#split(onFrame)
  }

  get bufferedBytes (): number {
    return this.#bufferedBytes
  }

  /** Adds bytes from the socket and returns every frame body now complete. */
  push (chunk: Buffer, onFrame: (body: Buffer) => void): void {
    this.#chunks.push(chunk)
    this.#bufferedBytes += chunk.length
    this.#split(onFrame)
  }

  #split (onFrame: (body: Buffer) => void): void {
    for (;;) {
      if (this.#frameBytes < 0) {
        if (this.#bufferedBytes < 4) return
        const size = this.#peekInt32()
        checkFrameSize(size, this.#frameBytesMin, this.#frameBytesMax, this.#limitName)
        this.#frameBytes = size
      }
      if (!this.#frameReserved && this.#reserve !== undefined) {
        if (!this.#reserve(4 + this.#frameBytes)) return
        this.#frameReserved = true
      }
      if (this.#bufferedBytes < 4 + this.#frameBytes) return
      const body = this.#take(4 + this.#frameBytes).subarray(4)
      this.#frameBytes = -1
      this.#frameReserved = false
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
      out = this.#allocate(bytes)
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
