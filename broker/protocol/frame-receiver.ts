// Reads a Kafka byte stream straight into frame memory, for a socket with net's `onread`
// option: before each read the socket asks nextBuffer() where to put the bytes, and
// received() is told how many landed there. The harness's client reads responses this
// way (client/connection.ts), and the broker reads requests (server/connection.ts).
//
// Why: with 'data' events every read arrives in a fresh buffer of up to 64 KiB, and a
// frame spread over several reads (every large Fetch response, every large Produce) is
// then joined by copying. Each of those buffers is memory outside the JS heap, and V8
// starts a full collection at every fixed step of such memory. In a CPU profile of the
// benchmark consumer at 150,000 msg/s the join took 19% of its time and garbage collection
// 26%. `node bench/native-consume.ts` reads 1.8-3.2 M records per CPU-second this way
// against 0.7-1.4 M before, with 1-2 collections instead of 8-10.
//
// How: size prefixes and small frames are read into one staging buffer, reused for the
// life of the connection; a small frame, once complete, is copied out of it, because the
// caller keeps frames past the next read. A frame larger than SMALL_FRAME_BYTES_MAX gets
// its own buffer (from `allocate`) as soon as its prefix is read, and the socket reads the
// rest of its body straight into that buffer, so the kernel's copy is the only one. The
// only allocation per read is the view handed to the socket.
//
// Frame bounds are FrameSplitter's (checkFrameSize): a bad prefix throws FrameError before
// anything is allocated for it, and the caller drops the connection.
//
// Holding (the broker's backpressure): while hold(true) is in force the receiver hands out
// no frame but goes on taking reads, so the socket still sees its peer close; the caller
// stops the socket's reads once `full` says 48 KiB or more wait in staging. The broker holds
// while a connection has queued.max.requests in flight and while an append queue is full.
// `reserve`, if given, is asked for each frame's whole size, prefix included, once its
// prefix is read and before anything is allocated for it (queued.max.request.bytes); a
// refusal holds the receiver the same way until the caller's next pump(). After either,
// pump() hands out what has arrived meanwhile.
//
// Where a read lands is fixed when the socket asks for it: Node calls nextBuffer() right
// after each read's callback, not before the next read. So nothing but nextBuffer() may
// change the target: pump() leaves a large frame that arrived in part while held in
// staging, and the next read's received() moves it to its own buffer.
//
// Only a held stream leaves more than one small frame unparsed. A read that fills staging
// completely while held makes nextBuffer() grow it (double) for the one read the socket may
// still make; `full` is measured against STAGING_BYTES, not the grown size, so the caller
// has stopped reading by then, and staging shrinks back once what is left fits again.

import { checkFrameSize } from './frame-splitter.ts'

/** Size prefixes and small frames are read into a buffer of this size. */
export const STAGING_BYTES = 64 * 1024
/** Frames up to this size (prefix included) go through the staging buffer. */
export const SMALL_FRAME_BYTES_MAX = 16 * 1024
/** A read into the staging buffer gets at least this much room (it is compacted first), unless the stream is held. */
const STAGING_ROOM_BYTES_MIN = 16 * 1024
/** A held stream is `full` past this many unparsed bytes. */
const HELD_BYTES_MAX = STAGING_BYTES - STAGING_ROOM_BYTES_MIN
/** The last nextBuffer() pointed into the large frame, not into staging. */
const INTO_FRAME = -1

export interface FrameReceiverOptions {
  frameBytesMin: number
  frameBytesMax: number
  /** The setting a user would raise, named in the error for an oversized frame. */
  limitName: string
  /** Memory for each frame body, of exactly the size asked (default Buffer.allocUnsafe). */
  allocate?: (bytes: number) => Buffer
  /** Asked for each frame's size with its prefix before anything is allocated for it; false holds the receiver until pump(). */
  reserve?: (frameBytes: number) => boolean
}

export class FrameReceiver {
  readonly #opts: FrameReceiverOptions
  readonly #allocate: (bytes: number) => Buffer
  /** The staging buffer of STAGING_BYTES, reused for the life of the connection. */
  readonly #home = Buffer.allocUnsafeSlow(STAGING_BYTES)
  /** #home, or a larger buffer for a held stream that filled it. */
  #staging = this.#home
  /** First byte of the staging buffer not yet parsed. */
  #start = 0
  /** End of the bytes read into the staging buffer. */
  #end = 0
  /** Where the last nextBuffer() pointed: #end then, or INTO_FRAME. */
  #readAt = 0
  /** The large frame body being read into directly; null while reading into staging. */
  #frame: Buffer | null = null
  #filledBytes = 0
  /** `reserve` said yes to the frame whose prefix is at #start. */
  #reserved = false
  #held = false
  /** `reserve` said no; cleared by pump(). */
  #refused = false
  /** A large frame completed while held: handed out first by pump(). */
  #ready: Buffer | null = null

  constructor (opts: FrameReceiverOptions) {
    this.#opts = opts
    this.#allocate = opts.allocate ?? Buffer.allocUnsafe
  }

  /** Bytes read and not yet handed out as a frame. */
  get bufferedBytes (): number {
    return (this.#frame !== null ? this.#filledBytes : 0) + (this.#end - this.#start) + (this.#ready?.length ?? 0)
  }

  /** Bytes of staging memory now held (STAGING_BYTES, or more for a held stream for a while). */
  get stagingBytes (): number {
    return this.#staging.length
  }

  /** While held, no frame is handed out; reads are still taken until `full`. Releasing a hold hands nothing out: call pump(). */
  hold (held: boolean): void {
    this.#held = held
  }

  /** Held (or refused), with HELD_BYTES_MAX or more waiting in staging: the caller should stop reading. */
  get full (): boolean {
    return (this.#held || this.#refused) && this.#frame === null && this.#end - this.#start >= HELD_BYTES_MAX
  }

  /** Where the socket's next read goes: never empty. */
  nextBuffer (): Buffer {
    if (this.#frame !== null) {
      this.#readAt = INTO_FRAME
      return this.#frame.subarray(this.#filledBytes)
    }
    if (this.#start === this.#end) {
      this.#start = 0
      this.#end = 0
      this.#staging = this.#home
    } else if (this.#staging.length - this.#end < STAGING_ROOM_BYTES_MIN) {
      this.#compact()
    }
    this.#readAt = this.#end
    return this.#staging.subarray(this.#end)
  }

  /** `bytes` were read into the last nextBuffer(); hands every frame body now complete to onFrame. */
  received (bytes: number, onFrame: (body: Buffer) => void): void {
    if (this.#readAt === INTO_FRAME) {
      const frame = this.#frame
      if (frame === null) throw new Error('programmer error: a read into a frame the receiver no longer has')
      this.#filledBytes += bytes
      if (this.#filledBytes < frame.length) return
      this.#frame = null
      this.#filledBytes = 0
      if (this.#held) this.#ready = frame
      else onFrame(frame)
      return
    }
    if (this.#readAt !== this.#end) throw new Error('programmer error: the staging buffer moved under a read')
    this.#end += bytes
    if (!this.#held && !this.#refused) this.#split(onFrame, true)
  }

  /** Hands out what arrived while held or refused; does nothing while still held. Never changes where the next read goes. */
  pump (onFrame: (body: Buffer) => void): void {
    if (this.#held) return
    this.#refused = false
    const ready = this.#ready
    if (ready !== null) {
      this.#ready = null
      onFrame(ready)
    }
    if (this.#frame === null) this.#split(onFrame, false)
  }

  // Unless the stream is held, what is left is a prefix or part of a small frame (at most
  // SMALL_FRAME_BYTES_MAX): it moves to the front of #home, which leaves the usual room. A
  // held stream keeps what room is left, and gets more memory only when there is none.
  #compact (): void {
    const left = this.#end - this.#start
    const target = left <= HELD_BYTES_MAX
      ? this.#home
      : left < this.#staging.length ? this.#staging : Buffer.allocUnsafeSlow(this.#staging.length * 2)
    this.#staging.copy(target, 0, this.#start, this.#end)
    this.#staging = target
    this.#end = left
    this.#start = 0
  }

  // From a read, a large frame's body moves to its own buffer, and the next read goes there;
  // from pump() it stays in staging, because the socket's next read is already aimed there.
  #split (onFrame: (body: Buffer) => void, fromRead: boolean): void {
    while (!this.#held && this.#end - this.#start >= 4) {
      const staging = this.#staging
      const size = staging.readInt32BE(this.#start)
      checkFrameSize(size, this.#opts.frameBytesMin, this.#opts.frameBytesMax, this.#opts.limitName)
      if (!this.#reserved && this.#opts.reserve !== undefined) {
        if (!this.#opts.reserve(4 + size)) {
          this.#refused = true
          return
        }
        this.#reserved = true
      }
      const bodyAt = this.#start + 4
      const haveBytes = this.#end - bodyAt
      if (haveBytes >= size) {
        const body = this.#allocate(size)
        staging.copy(body, 0, bodyAt, bodyAt + size)
        this.#start = bodyAt + size
        this.#reserved = false
        onFrame(body)
        continue
      }
      if (fromRead && 4 + size > SMALL_FRAME_BYTES_MAX) {
        // Everything after the prefix belongs to this frame: move it out and read the rest
        // of the body into the frame itself.
        const frame = this.#allocate(size)
        staging.copy(frame, 0, bodyAt, this.#end)
        this.#frame = frame
        this.#filledBytes = haveBytes
        this.#reserved = false
        this.#start = 0
        this.#end = 0
      }
      return
    }
  }
}
