// Long-poll Fetch: a fetch that found fewer than min_bytes parks here until one of its
// partitions' high watermark moves, its max_wait_ms passes, or its connection closes (the
// client is gone, so the slot is freed at once). Bounded by fetch.max.parked; past that a
// fetch is answered at once with what it has.

import type { PartitionLog } from '../log/partition-log.ts'
import { notifyParked } from './request-parking.ts'

const FETCH_API_KEY = 1

export class FetchWaiters {
  readonly #parkedMax: number
  readonly #wakers = new Set<() => void>()
  /** Parked fetches by log, for poke(): a replicated high watermark moves without a local write. */
  readonly #byLog = new Map<PartitionLog, Set<() => void>>()

  constructor (parkedMax: number) {
    this.#parkedMax = parkedMax
  }

  get parked (): number {
    return this.#wakers.size
  }

  /**
   * Resolves true when any of `logs` advanced its high watermark (or went offline), false
   * on timeout, when `signal` aborts, or at once when too many fetches are parked already.
   */
  wait (logs: readonly PartitionLog[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (timeoutMs <= 0 || logs.length === 0 || this.#wakers.size >= this.#parkedMax || signal?.aborted === true) return Promise.resolve(false)
    // RequestMetrics counts the time from here on as the request's remote time.
    notifyParked(signal, FETCH_API_KEY)
    return new Promise(resolve => {
      const unsubscribes: Array<() => void> = []
      const finish = (advanced: boolean): void => {
        if (!this.#wakers.delete(wake)) return
        clearTimeout(timer)
        signal?.removeEventListener('abort', abandon)
        for (const unsubscribe of unsubscribes) unsubscribe()
        for (const log of logs) {
          const set = this.#byLog.get(log)
          set?.delete(wake)
          if (set?.size === 0) this.#byLog.delete(log)
        }
        resolve(advanced)
      }
      const wake = (): void => finish(true)
      const abandon = (): void => finish(false)
      const timer = setTimeout(abandon, timeoutMs)
      this.#wakers.add(wake)
      signal?.addEventListener('abort', abandon, { once: true })
      for (const log of logs) {
        unsubscribes.push(log.onHighWatermark(wake))
        let set = this.#byLog.get(log)
        if (set === undefined) this.#byLog.set(log, set = new Set())
        set.add(wake)
      }
    })
  }

  /** Wakes the fetches parked on `log` (its replicated high watermark moved). */
  poke (log: PartitionLog): void {
    const set = this.#byLog.get(log)
    if (set !== undefined) for (const wake of [...set]) wake()
  }

  /** Wakes every parked fetch, for shutdown. */
  wakeAll (): void {
    for (const wake of [...this.#wakers]) wake()
  }
}
