// Base of the toxics that hold chunks in a queue and let them out on a timer (latency,
// bandwidth). What they share: a close that arrives while chunks wait is held until the
// queue is empty; removing the toxic (release) flushes everything at once, in order;
// disposing of it drops what it holds. Subclasses decide only when each chunk is due.

import { Fifo } from './fifo.ts'
import { Stage, timerMs } from './stage.ts'
import type { Chunk, EndKind } from './stage.ts'

export abstract class TimedQueueStage extends Stage {
  protected readonly queue = new Fifo<Chunk>()
  #timer: NodeJS.Timeout | null = null
  #heldEnd: EndKind | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    this.releaseDue()
  }

  /** Emits every chunk (or slice) that is due now, then calls scheduleNext. */
  protected abstract releaseDue (): void

  protected get timerPending (): boolean {
    return this.#timer !== null
  }

  protected startTimer (delayMs: number): void {
    this.#timer = setTimeout(this.#onTimer, timerMs(delayMs))
  }

  /** After a release: wait until the head is due, or pass on a held end once the queue is empty. */
  protected scheduleNext (headDueInMs: number): void {
    if (this.queue.length > 0) this.startTimer(headDueInMs)
    else if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected override onEnd (kind: EndKind): void {
    if (this.queue.length === 0) this.emitEnd(kind)
    else this.#heldEnd = kind
  }

  override release (): void {
    this.#clearTimer()
    while (this.queue.length > 0) this.emit(this.queue.shift()!)
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected override onDispose (): void {
    this.#clearTimer()
    this.queue.clear()
  }

  #clearTimer (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
