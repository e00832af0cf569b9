// bandwidth: passes data at `rate` KB/s (1 KB = 1000 bytes, so `rate` is also bytes per
// millisecond). A chunk is released when its transmission would have finished; a chunk
// larger than 100 ms worth of bytes goes out in 100 ms slices, as Toxiproxy does, so a
// reader sees a steady trickle rather than long silences. The schedule runs on a virtual
// clock that advances by exactly size/rate per slice, so late timers do not lower the
// long-run rate, and it restarts from now after the queue runs dry (no saved-up burst).
// A rate of 0 or less means no limit.

import { takeHead } from '../stage.ts'
import type { Chunk, ChunkSink, LinkControl } from '../stage.ts'
import { TimedQueueStage } from '../timed-queue-stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'

const SLICE_MS = 100
const DUE_SLACK_MS = 1

export class BandwidthStage extends TimedQueueStage {
  /** Bytes per millisecond. */
  readonly #rate: number
  /** When the head's next slice has finished "transmitting"; meaningful while the queue is not empty. */
  #dueMs = 0

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    super(spec, link, next)
    this.#rate = this.attributes['rate'] ?? 0
  }

  protected onChunk (chunk: Chunk): void {
    if (this.#rate <= 0) {
      this.emit(chunk)
      return
    }
    this.queue.push(chunk)
    if (this.queue.length === 1) {
      const nowMs = performance.now()
      this.#dueMs = Math.max(this.#dueMs, nowMs) + this.#sliceBytes(chunk) / this.#rate
      this.startTimer(this.#dueMs - nowMs)
    }
  }

  #sliceBytes (chunk: Chunk): number {
    return Math.max(1, Math.min(chunk.data.length, Math.floor(this.#rate * SLICE_MS)))
  }

  protected releaseDue (): void {
    const nowMs = performance.now()
    let head = this.queue.peek()
    while (head !== undefined && this.#dueMs - nowMs < DUE_SLACK_MS) {
      const sizeBytes = this.#sliceBytes(head)
      if (sizeBytes >= head.data.length) {
        this.queue.shift()
        this.emit(head)
      } else {
        this.emit(takeHead(head, sizeBytes))
      }
      head = this.queue.peek()
      if (head !== undefined) this.#dueMs += this.#sliceBytes(head) / this.#rate
    }
    this.scheduleNext(this.#dueMs - nowMs)
  }
}
