// The append queue of a partition log and the loop that drains it (see log-appender.ts,
// "Group commit"): appends queue up; on the next setImmediate the whole queue becomes one
// group handed to the log's commit function, and while that is in flight new appends queue
// for the next group. An idle roll asked for by retention runs between groups. The byte
// bound is a backpressure signal (canAccept / whenWritable), never a refusal.
//
// The queue owns no offsets and does no I/O: the partition log assigns offsets before
// push(), writes groups in `commit`, and says when draining must hold off (`paused`,
// during a truncation) or stop (`stopped`, once offline).

import type { PendingAppend } from './group-commit.ts'

export interface AppendQueueHooks {
  /** Writes one group; resolves once its appends are settled. */
  commit: (group: PendingAppend[]) => Promise<void>
  /** Rolls the idle active segment (retention asked for it). */
  rollIdle: () => Promise<void>
  /** A truncation is pending: do not start a drain. */
  paused: () => boolean
  /** The log is offline: stop draining. */
  stopped: () => boolean
  /** A group failed: the log goes offline (and calls failAll). */
  onError: (error: unknown) => void
}

export class AppendQueue {
  readonly #bytesMax: number
  readonly #hooks: AppendQueueHooks
  #queue: PendingAppend[] = []
  #inFlight: PendingAppend[] = []
  #queuedBytes = 0
  #drainScheduled = false
  #draining = false
  #rollRequested = false
  #idleWaiters: Array<() => void> = []
  #writableWaiters: Array<() => void> = []
  readonly #drainOnImmediate: () => void

  constructor (bytesMax: number, hooks: AppendQueueHooks) {
    this.#bytesMax = bytesMax
    this.#hooks = hooks
    this.#drainOnImmediate = () => {
      this.#drainScheduled = false
      void this.#drain()
    }
  }

  /** Bytes queued or in flight, not yet written. */
  get queuedBytes (): number { return this.#queuedBytes }
  /** Appends waiting for the next group. */
  get waiting (): number { return this.#queue.length }
  get isUnderBound (): boolean { return this.#queuedBytes < this.#bytesMax }
  /** A drain is running or about to. */
  get busy (): boolean { return this.#draining || this.#drainScheduled }

  /** Resolves once the queue is below its bound again (or failAll ran). */
  whenWritable (): Promise<void> {
    if (this.isUnderBound) return Promise.resolve()
    return new Promise(resolve => this.#writableWaiters.push(resolve))
  }

  push (append: PendingAppend): void {
    this.#queue.push(append)
    this.#queuedBytes += append.bytes
    this.schedule()
  }

  /** Retention wants the idle active segment rolled: done between groups. */
  requestRoll (): void {
    this.#rollRequested = true
    this.schedule()
  }

  /** Starts a drain on the next setImmediate unless one runs, is scheduled, or the log is paused. */
  schedule (): void {
    if (this.busy || this.#hooks.paused()) return
    this.#drainScheduled = true
    setImmediate(this.#drainOnImmediate)
  }

  /** A committed group's bytes left the queue: wakes the writers waiting for room. */
  release (bytes: number): void {
    this.#queuedBytes -= bytes
    if (this.isUnderBound) this.#wakeWriters()
  }

  /** Rejects every queued and in-flight append (the log went offline) and wakes the writers. */
  failAll (error: Error): void {
    const failed = [...this.#inFlight, ...this.#queue]
    this.#inFlight = []
    this.#queue = []
    for (const append of failed) append.reject(error)
    this.#wakeWriters()
  }

  /** Resolves once no drain runs or is scheduled. */
  async whenIdle (): Promise<void> {
    while (this.busy) await new Promise<void>(resolve => this.#idleWaiters.push(resolve))
  }

  #wakeWriters (): void {
    for (const resolve of this.#writableWaiters.splice(0)) resolve()
  }

  async #drain (): Promise<void> {
    this.#draining = true
    try {
      while (!this.#hooks.stopped()) {
        if (this.#queue.length > 0) {
          this.#inFlight = this.#queue
          this.#queue = []
          await this.#hooks.commit(this.#inFlight)
          this.#inFlight = []
        } else if (this.#rollRequested) {
          this.#rollRequested = false
          await this.#hooks.rollIdle()
        } else {
          break
        }
      }
    } catch (error) {
      this.#hooks.onError(error)
    } finally {
      this.#draining = false
      for (const resolve of this.#idleWaiters.splice(0)) resolve()
    }
  }
}
