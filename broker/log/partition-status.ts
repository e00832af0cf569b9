// What the parts of one partition log share: where its files live (LogPlace) and whether it
// still works (PartitionStatus). The partition log creates one of each and hands them to its
// appender, flusher and trimmer, so none of them needs callbacks into the others to learn
// that the log went offline or is closing.
//
// Offline is one-way: the first write-path failure (a failed write, fsync, roll or cut)
// takes the partition offline until the broker restarts, and every later call sees that
// first error. A failed read never does (partition-log.ts says why).

import type { LogConfig } from './config.ts'
import { KafkaStorageError, LogError } from './errors.ts'
import type { Storage } from './storage.ts'

export interface LogPlace {
  storage: Storage
  /** `<topic>-<partition>`, relative to the storage root. */
  dir: string
  config: Readonly<LogConfig>
  /** Wall clock in ms (tests replace it to exercise log.roll.ms). */
  clock: () => number
}

export class PartitionStatus {
  readonly #dir: string
  #offline: LogError | null = null
  #onOffline: (error: LogError) => void = () => {}
  /** close(), halt() or delete() has begun: retention leaves the log alone. */
  closing = false

  constructor (dir: string) {
    this.#dir = dir
  }

  /** The error that took the partition offline, or null. */
  get offline (): LogError | null { return this.#offline }

  /** Called once, when the partition goes offline (the appender fails what it has queued). */
  set onOffline (listener: (error: LogError) => void) { this.#onOffline = listener }

  /** Takes the partition offline with `error` unless it already is; returns the error that did. */
  goOffline (error: unknown): LogError {
    if (this.#offline !== null) return this.#offline
    const offline = error instanceof LogError ? error : new KafkaStorageError(`${this.#dir}: ${(error as Error).message}`, { cause: error })
    this.#offline = offline
    this.#onOffline(offline)
    return offline
  }

  throwIfOffline (): void {
    if (this.#offline !== null) throw this.#offline
  }

  /** After a clean close: later calls fail with `error`, and nothing is told (nothing is queued). */
  markClosed (error: LogError): void {
    this.#offline ??= error
  }
}
