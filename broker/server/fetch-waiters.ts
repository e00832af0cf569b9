// Long-poll Fetch: a fetch that found fewer than min_bytes parks here until one of its
// partitions' high watermark moves or its max_wait_ms passes. Bounded by fetch.max.parked;
// past that a fetch is answered at once with what it has.

export class FetchWaiters {
  readonly #parkedMax: number
  readonly #byPartition = new Map<string, Set<() => void>>()
  #parked = 0

  constructor (parkedMax: number) {
    this.#parkedMax = parkedMax
  }

  get parked (): number {
    return this.#parked
  }

  /** Called by the log owner whenever a partition's high watermark advances. */
  notify (topic: string, partition: number): void {
    const waiters = this.#byPartition.get(`${topic}\u0000${partition}`)
    if (waiters === undefined) return
    for (const wake of [...waiters]) wake()
  }

  /**
   * Resolves true when any of `partitions` advanced, false on timeout (or at once when
   * too many fetches are parked already).
   */
  wait (partitions: ReadonlyArray<{ topic: string, partition: number }>, timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0 || this.#parked >= this.#parkedMax) return Promise.resolve(false)
    return new Promise(resolve => {
      const keys = partitions.map(p => `${p.topic}\u0000${p.partition}`)
      let timer: NodeJS.Timeout | undefined
      const finish = (advanced: boolean): void => {
        if (timer === undefined) return
        clearTimeout(timer)
        timer = undefined
        this.#parked--
        for (const key of keys) {
          const set = this.#byPartition.get(key)
          set?.delete(wake)
          if (set?.size === 0) this.#byPartition.delete(key)
        }
        resolve(advanced)
      }
      const wake = (): void => finish(true)
      timer = setTimeout(() => finish(false), timeoutMs)
      this.#parked++
      for (const key of keys) {
        let set = this.#byPartition.get(key)
        if (set === undefined) this.#byPartition.set(key, set = new Set())
        set.add(wake)
      }
    })
  }

  /** Wakes every parked fetch, for shutdown. */
  wakeAll (): void {
    for (const set of [...this.#byPartition.values()]) for (const wake of [...set]) wake()
  }
}
