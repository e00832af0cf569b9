// Who waits on a partition log's high watermark: flushes waiting until the appends made
// before them are written (offset waiters), and listeners such as parked fetches that hear
// every move of the high watermark, down (truncation) as well as up, and the log going
// offline. The partition log owns the offsets; this module only keeps the waiting lists.

interface OffsetWaiter {
  offset: number
  resolve: () => void
  reject: (error: Error) => void
}

export type HighWatermarkListener = (highWatermark: number) => void

export class HighWatermarkWatch {
  #waiters: OffsetWaiter[] = []
  readonly #listeners = new Set<HighWatermarkListener>()

  /** Adds a listener; returns the function that removes it. */
  subscribe (listener: HighWatermarkListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Resolves once the high watermark reaches `offset` (the caller checked it has not yet). */
  waitFor (offset: number): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.#waiters.push({ offset, resolve, reject })
    return promise
  }

  /** The high watermark moved up to `highWatermark`. */
  advanced (highWatermark: number): void {
    this.#settle(waiter => waiter.offset <= highWatermark)
    this.#notify(highWatermark)
  }

  /**
   * The log was cut to `endOffset` (or restarted there, with the high watermark moved to it):
   * waiters for offsets at or above it resolve, since what they waited for is gone and nothing
   * they asked about is left unwritten; so do waiters the high watermark now covers.
   */
  truncated (endOffset: number, highWatermark: number): void {
    this.#settle(waiter => waiter.offset >= endOffset || waiter.offset <= highWatermark)
    this.#notify(highWatermark)
  }

  /** The log went offline: every waiter fails, listeners hear the (unchanged) high watermark. */
  failed (error: Error, highWatermark: number): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
    this.#notify(highWatermark)
  }

  #settle (done: (waiter: OffsetWaiter) => boolean): void {
    if (this.#waiters.length === 0) return
    const waiting: OffsetWaiter[] = []
    for (const waiter of this.#waiters) {
      if (done(waiter)) waiter.resolve()
      else waiting.push(waiter)
    }
    this.#waiters = waiting
  }

  // A listener that throws is a programming error: crash (outside the log's write loop, which
  // would otherwise take the partition offline for it) instead of swallowing it.
  #notify (highWatermark: number): void {
    for (const listener of this.#listeners) {
      try {
        listener(highWatermark)
      } catch (error) {
        queueMicrotask(() => { throw error })
      }
    }
  }
}
