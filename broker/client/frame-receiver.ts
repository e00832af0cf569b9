// Reads a response stream straight into frame memory, for a client socket opened with
// net's `onread` option: before each read the socket asks nextBuffer() where to put the
// bytes, and received() is told how many landed there.
//
// Why: with 'data' events every read arrives in a fresh buffer of up to 64 KiB, and a
// frame spread over several reads (every large Fetch response) is then joined by copying.
// In a CPU profile of the benchmark consumer at 150,000 msg/s that copy took 19% of its
// time and garbage collection 26%. `node bench/native-consume.ts` reads 1.8-3.2 M records
// per CPU-second this way against 0.7-1.4 M before, with 1-2 collections instead of 8-10.
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

import { checkFrameSize } from '../protocol/frame-splitter.ts'

/** Size prefixes and small frames are read into a buffer of this size. */
export const STAGING_BYTES = 64 * 1024
/** Frames up to this size (prefix included) go through the staging buffer. */
export const SMALL_FRAME_BYTES_MAX = 16 * 1024
/** A read into the staging buffer gets at least this much room (it is compacted first). */
const STAGING_ROOM_BYTES_MIN = 16 * 1024

export interface FrameReceiverOptions {
  frameBytesMin: number
  frameBytesMax: number
  /** The setting a user would raise, named in the error for an oversized frame. */
  limitName: string
  /** Memory for each frame body, of exactly the size asked (default Buffer.allocUnsafe). */
  allocate?: (bytes: number) => Buffer
}

export class FrameReceiver {
  readonly #opts: FrameReceiverOptions
  readonly #allocate: (bytes: number) => Buffer
  readonly #staging = Buffer.allocUnsafeSlow(STAGING_BYTES)
  /** First byte of the staging buffer not yet parsed. */
  #start = 0
  /** End of the bytes read into the staging buffer. */
  #end = 0
  /** The large frame body being read into directly; null while reading into staging. */
  #frame: Buffer | null = null
  #filledBytes = 0

  constructor (opts: FrameReceiverOptions) {
    this.#opts = opts
    this.#allocate = opts.allocate ?? Buffer.allocUnsafe
  }

  /** Where the socket's next read goes: never empty. */
  nextBuffer (): Buffer {
    if (this.#frame !== null) return this.#frame.subarray(this.#filledBytes)
    if (this.#start === this.#end) {
      this.#start = 0
      this.#end = 0
    } else if (STAGING_BYTES - this.#end < STAGING_ROOM_BYTES_MIN) {
      // What is left is a prefix or part of a small frame: at most SMALL_FRAME_BYTES_MAX.
      this.#staging.copy(this.#staging, 0, this.#start, this.#end)
      this.#end -= this.#start
      this.#start = 0
    }
    return this.#staging.subarray(this.#end)
  }

  /** `bytes` were read into the last nextBuffer(); hands every frame body now complete to onFrame. */
  received (bytes: number, onFrame: (body: Buffer) => void): void {
    if (this.#frame !== null) {
      this.#filledBytes += bytes
      if (this.#filledBytes < this.#frame.length) return
      const body = this.#frame
      this.#frame = null
      this.#filledBytes = 0
      onFrame(body)
      return
    }
    this.#end += bytes
    this.#split(onFrame)
  }

  #split (onFrame: (body: Buffer) => void): void {
    const staging = this.#staging
    while (this.#end - this.#start >= 4) {
      const size = staging.readInt32BE(this.#start)
      checkFrameSize(size, this.#opts.frameBytesMin, this.#opts.frameBytesMax, this.#opts.limitName)
      const bodyAt = this.#start + 4
      const haveBytes = this.#end - bodyAt
      if (haveBytes >= size) {
        const body = this.#allocate(size)
        staging.copy(body, 0, bodyAt, bodyAt + size)
        this.#start = bodyAt + size
        onFrame(body)
        continue
      }
      if (4 + size > SMALL_FRAME_BYTES_MAX) {
        // Everything after the prefix belongs to this frame: move it out and read the rest
        // of the body into the frame itself.
        const frame = this.#allocate(size)
        staging.copy(frame, 0, bodyAt, this.#end)
        this.#frame = frame
        this.#filledBytes = haveBytes
        this.#start = 0
        this.#end = 0
      }
      return
    }
  }
}
