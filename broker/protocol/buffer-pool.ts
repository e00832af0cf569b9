// Reusable memory for the broker's large short-lived buffers: Produce request frames joined
// from several socket chunks, and the log reads a Fetch response carries.
//
// Why: each of those is a fresh ArrayBuffer outside the JS heap, and V8 starts a full
// (mark-compact) collection at every fixed step of such memory. At 100,000 msg/s of 1 KiB
// the records passed through about three of them each, and the broker ran about 12
// mark-compacts a second, 5 ms each (README, Performance). Lending the same memory again
// once a request is done takes two of the three out of that count.
//
// Contract: acquire() lends a buffer of exactly the bytes asked (a view over a power-of-two
// block); the borrower calls release() with it, or any view into the same memory, once
// nothing will read it again. A buffer released too early is overwritten by the next
// borrower, so only owners that know the end of every reader release: the connection after
// a response's socket write callback, and after a Produce whose appends all succeeded (see
// server/connection.ts). Anything never released is left to the GC, so a missed release
// costs a collection, never correctness. release() ignores memory this pool did not lend or
// already has back.

/** Below this, Buffer.allocUnsafe (Node's own 8 KiB pool or small heap blocks) is cheap enough. */
export const POOLED_BYTES_MIN = 16 * 1024
/** Above this, blocks are rare and large: left to the GC. */
export const POOLED_BYTES_MAX = 8 * 1024 * 1024
/** Free memory kept for reuse, in all size classes together; more is dropped. */
export const FREE_BYTES_MAX_DEFAULT = 32 * 1024 * 1024

export interface BufferPoolStats {
  /** Blocks handed out that were reused. */
  reused: number
  /** Blocks handed out that were newly allocated. */
  allocated: number
  /** Blocks taken back. */
  released: number
  /** Bytes now free in the pool. */
  freeBytes: number
}

export class BufferPool {
  readonly #freeBytesMax: number
  /** Free blocks by size class: index k holds blocks of 2^k bytes. */
  readonly #free: ArrayBuffer[][] = []
  /** Blocks lent and not yet back. Weak: a block never released is collected as usual. */
  readonly #lent = new WeakSet<ArrayBuffer>()
  #freeBytes = 0
  #reused = 0
  #allocated = 0
  #released = 0

  constructor (freeBytesMax = FREE_BYTES_MAX_DEFAULT) {
    this.#freeBytesMax = freeBytesMax
  }

  /** A buffer of exactly `bytes`, lent when the size is in the pooled range. */
  readonly acquire = (bytes: number): Buffer => {
    if (bytes < POOLED_BYTES_MIN || bytes > POOLED_BYTES_MAX) return Buffer.allocUnsafe(bytes)
    const sizeClass = Math.ceil(Math.log2(bytes))
    const block = this.#free[sizeClass]?.pop()
    let memory: ArrayBuffer
    if (block !== undefined) {
      this.#freeBytes -= block.byteLength
      this.#reused++
      memory = block
    } else {
      this.#allocated++
      memory = new ArrayBuffer(2 ** sizeClass)
    }
    this.#lent.add(memory)
    return Buffer.from(memory, 0, bytes)
  }

  /** Takes back the memory under `buffer` if this pool lent it; no reader may use it afterwards. */
  release (buffer: Buffer): void {
    const memory = buffer.buffer
    if (!(memory instanceof ArrayBuffer) || !this.#lent.delete(memory)) return
    this.#released++
    if (this.#freeBytes + memory.byteLength > this.#freeBytesMax) return
    const sizeClass = Math.log2(memory.byteLength)
    ;(this.#free[sizeClass] ??= []).push(memory)
    this.#freeBytes += memory.byteLength
  }

  /** Releases every buffer of a list (those this pool did not lend are skipped). */
  releaseAll (buffers: readonly Buffer[]): void {
    for (let i = 0; i < buffers.length; i++) this.release(buffers[i]!)
  }

  get stats (): BufferPoolStats {
    return { reused: this.#reused, allocated: this.#allocated, released: this.#released, freeBytes: this.#freeBytes }
  }
}
