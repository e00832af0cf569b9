// The leader's long poll for quorum Fetch: an empty answer is held back for up to the
// request's max_wait_ms (capped by the leader) and the fetch is served again as soon as the
// leader's log end or high watermark moves, or its role changes. Followers then learn of
// new entries, and of the HW that commits them, within one round trip instead of one
// fetchIntervalMs; an idle quorum costs one fetch per follower per wait.

import type { RaftMessage } from '../raft/types.ts'

/** An answer with nothing new for a fetcher that already knows `knownHw`: worth holding back. */
export function isIdleFetchAnswer (m: RaftMessage, knownHw: number | undefined): boolean {
  if (m.type !== 'fetchResponse') return false
  return m.errorCode === 0 && m.entries.length === 0 && m.divergingEpoch === null && m.snapshotId === null && m.highWatermark === knownHw
}

export class FetchParking {
  readonly #waiters = new Set<() => void>()

  get parked (): number {
    return this.#waiters.size
  }

  /** Resolves after `waitMs`, on wakeAll(), or when `signal` aborts (the connection closed). */
  park (waitMs: number, signal: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.#waiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, waitMs)
      if (signal.aborted) return done()
      signal.addEventListener('abort', done)
      this.#waiters.add(done)
    })
  }

  wakeAll (): void {
    for (const wake of [...this.#waiters]) wake()
  }
}
