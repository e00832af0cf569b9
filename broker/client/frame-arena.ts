// Reusable memory for large response frames, for a caller that knows when it is done with
// every frame it received (the native benchmark consumer, between fetch rounds).
//
// Why: a Fetch response of several partitions is a frame of up to several MiB, which the
// connection reads into a buffer of its own (protocol/frame-receiver.ts). Memory that large comes
// fresh from the kernel each time and filling it runs at page-fault speed: about 0.5 GB/s
// against 5 GB/s into memory already touched (measured on the 2-core bench machine, when
// frames were still joined from socket chunks), which made it the consumer's largest cost.
//
// Contract: allocate() lends a buffer that stays the caller's until releaseAll(); after
// releaseAll() every buffer lent before is reused, so nothing may still read one (keys,
// values or record sections kept past the round would see the next frame's bytes). The
// connection asks for a frame's buffer when the frame's size prefix arrives and reads into
// it until the frame is complete, so releaseAll() only while no request of the client is
// in flight (the native consumer calls it between fetch rounds).

/** Frames below this take ordinary allocations (pooled or heap memory that is reused anyway). */
const ARENA_FRAME_BYTES_MIN = 32 * 1024
/** Buffers kept for reuse; more are left to the GC. */
const FREE_BUFFERS_MAX = 4

export class FrameArena {
  readonly #free: Buffer[] = []
  readonly #lent: Buffer[] = []

  /** For Connection (its FrameReceiver): a buffer of exactly `bytes`. */
  readonly allocate = (bytes: number): Buffer => {
    if (bytes < ARENA_FRAME_BYTES_MIN) return Buffer.allocUnsafe(bytes)
    let pick = -1
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i]!
      if (b.length >= bytes && (pick < 0 || b.length < this.#free[pick]!.length)) pick = i
    }
    // Rounded up to a power of two so frames of varying size keep fitting the same buffers.
    const whole = pick >= 0 ? this.#free.splice(pick, 1)[0]! : Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(bytes)))
    this.#lent.push(whole)
    return whole.subarray(0, bytes)
  }

  /** Takes back every buffer lent so far; the caller holds no view into any of them. */
  releaseAll (): void {
    for (const b of this.#lent) this.#free.push(b)
    this.#lent.length = 0
    if (this.#free.length > FREE_BUFFERS_MAX) {
      this.#free.sort((a, b) => b.length - a.length)
      this.#free.length = FREE_BUFFERS_MAX
    }
  }
}
