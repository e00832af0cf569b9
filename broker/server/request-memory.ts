// One memory budget for request bytes across every connection (Kafka's
// queued.max.request.bytes and its MemoryPool). A connection reserves a frame's whole size
// as soon as it has read the size prefix, before buffering the body, and gives it back once
// the response is ready (or the connection closes). When the pool is spent, connections
// that want more stop reading their sockets and wait in line, so partial frames and queued
// requests can never grow the heap past the budget plus one frame (a reservation is
// granted while anything is left, as Kafka's non-strict pool does, so a frame larger than
// what is left never starves).

export class RequestMemoryPool {
  /** Bytes the pool hands out before making readers wait; Infinity: no bound. */
  readonly capacityBytes: number
  #usedBytes = 0
  readonly #waiters = new Set<() => void>()

  constructor (capacityBytes: number) {
    this.capacityBytes = capacityBytes
  }

  get usedBytes (): number {
    return this.#usedBytes
  }

  get waiting (): number {
    return this.#waiters.size
  }

  /** Takes `bytes` if anything is left; false means wait (see whenAvailable). */
  tryReserve (bytes: number): boolean {
    if (this.#usedBytes >= this.capacityBytes) return false
    this.#usedBytes += bytes
    return true
  }

  release (bytes: number): void {
    this.#usedBytes -= bytes
    if (this.#usedBytes < 0) throw new Error(`programmer error: request memory pool released ${-this.#usedBytes} bytes more than it reserved`)
    // First come, first served: each woken reader reserves synchronously, so stop once the pool is spent again.
    for (const wake of this.#waiters) {
      if (this.#usedBytes >= this.capacityBytes) break
      this.#waiters.delete(wake)
      wake()
    }
  }

  /** Calls `wake` once memory is available; the returned function withdraws the request. */
  whenAvailable (wake: () => void): () => void {
    this.#waiters.add(wake)
    return () => { this.#waiters.delete(wake) }
  }
}
