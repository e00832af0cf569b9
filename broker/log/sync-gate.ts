// A bound on the background fsyncs running at once (rolled segments, and partitions that
// wrote `sluice.log.bytes.per.sync`): they wait, in order, for one of `max` slots.
//
// Why: every async file operation runs on libuv's thread pool, 4 threads per process. A
// background fsync of 16 MiB takes tens of milliseconds here, and with 8 partitions at
// 200,000 msg/s of 1 KiB several ran at once and held every thread, so Fetch reads and log
// writes over 64 KiB (file-io.ts) queued behind them. The median second's end-to-end p99 was
// 88-124 ms against 34-45 ms with the syncs turned off. With one slot the pool's other
// threads stay free for the requests' I/O (22-23 ms in interleaved runs).
//
// Acks never wait on this gate: a flush policy's fsyncs (log-flusher.ts, syncDirty) bypass it.

/** Background fsyncs that may run at once, per Storage (one per broker process in production). */
export const BACKGROUND_SYNCS_MAX = 1

export class SyncGate {
  readonly #max: number
  readonly #waiting: Array<() => void> = []
  #running = 0
  #peak = 0
  #ran = 0

  constructor (max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`programmer error: a sync gate needs at least one slot, got ${max}`)
    this.#max = max
  }

  /** Runs `task` once a slot is free; the slot is released however the task ends. */
  async run<T> (task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#max) this.#running++
    else await new Promise<void>(resolve => this.#waiting.push(resolve)) // the slot is handed over
    this.#peak = Math.max(this.#peak, this.#running)
    this.#ran++
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      if (next !== undefined) next()
      else this.#running--
    }
  }

  /** Tasks waiting for a slot. */
  get waiting (): number {
    return this.#waiting.length
  }

  /** The most tasks that ran at once, and how many have started (for tests). */
  get stats (): { peak: number, ran: number } {
    return { peak: this.#peak, ran: this.#ran }
  }
}
