// bandwidth: passes data at `rate` KB/s (1 KB = 1000 bytes, so `rate` is also bytes per
// millisecond). A chunk is released when its transmission would have finished; a chunk
// larger than 100 ms worth of bytes goes out in 100 ms slices, as Toxiproxy does, so a
// reader sees a steady trickle rather than long silences. The schedule runs on a virtual
// clock that advances by exactly size/rate per slice, so late timers do not lower the
// long-run rate, and it restarts from now after the queue runs dry (no saved-up burst).
// A rate of 0 or less means no limit.

import { Fifo } from '../fifo.ts'
import { Stage, takeHead, timerMs } from '../stage.ts'
import type { Chunk, ChunkSink, EndKind, LinkControl } from '../stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'

const SLICE_MS = 100
const DUE_SLACK_MS = 1

export class BandwidthStage extends Stage {
  readonly #queue = new Fifo<Chunk>()
  /** Bytes per millisecond. */
  readonly #rate: number
  /** When the head's next slice has finished "transmitting"; meaningful while the queue is not empty. */
  #dueMs = 0
  #timer: NodeJS.Timeout | null = null
  #heldEnd: EndKind | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    this.#sendDue()
  }

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    super(spec, link, next)
    this.#rate = this.attributes['rate'] ?? 0
  }

  protected onChunk (chunk: Chunk): void {
    if (this.#rate <= 0) {
      this.emit(chunk)
      return
    }
    this.#queue.push(chunk)
    if (this.#queue.length === 1) {
      const nowMs = performance.now()
      this.#dueMs = Math.max(this.#dueMs, nowMs) + this.#sliceBytes(chunk) / this.#rate
      this.#timer = setTimeout(this.#onTimer, timerMs(this.#dueMs - nowMs))
    }
  }

  protected override onEnd (kind: EndKind): void {
    if (this.#queue.length === 0) this.emitEnd(kind)
    else this.#heldEnd = kind
  }

  override release (): void {
    this.#clearTimer()
    while (this.#queue.length > 0) this.emit(this.#queue.shift()!)
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected override onDispose (): void {
    this.#clearTimer()
    this.#queue.clear()
  }

  #sliceBytes (chunk: Chunk): number {
    return Math.max(1, Math.min(chunk.data.length, Math.floor(this.#rate * SLICE_MS)))
  }

  #sendDue (): void {
    const nowMs = performance.now()
    let head = this.#queue.peek()
    while (head !== undefined && this.#dueMs - nowMs < DUE_SLACK_MS) {
      const sizeBytes = this.#sliceBytes(head)
      if (sizeBytes >= head.data.length) {
        this.#queue.shift()
        this.emit(head)
      } else {
        this.emit(takeHead(head, sizeBytes))
      }
      head = this.#queue.peek()
      if (head !== undefined) this.#dueMs += this.#sliceBytes(head) / this.#rate
    }
    if (head !== undefined) {
      this.#timer = setTimeout(this.#onTimer, timerMs(this.#dueMs - nowMs))
    } else if (this.#heldEnd !== null) {
      this.emitEnd(this.#heldEnd)
    }
  }

  #clearTimer (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
