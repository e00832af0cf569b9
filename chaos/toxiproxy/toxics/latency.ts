// latency: each chunk is held until it has been in the link for `latency` ms, give or take
// a uniform `jitter` in [-jitter, jitter). The delay counts from the chunk's arrival, not
// from the end of the previous delay, so pipelined chunks are not delayed cumulatively; a
// chunk is never released before the one ahead of it (jitter cannot reorder bytes). The
// release time becomes the chunk's stamp, so two chained latency toxics add up.

import type { Chunk, ChunkSink, LinkControl } from '../stage.ts'
import { TimedQueueStage } from '../timed-queue-stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'

/** Timers have millisecond resolution; a chunk due within this much is due now. */
const DUE_SLACK_MS = 1

export class LatencyStage extends TimedQueueStage {
  readonly #latencyMs: number
  readonly #jitterMs: number
  #lastReleaseMs = 0

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    super(spec, link, next)
    this.#latencyMs = this.attributes['latency'] ?? 0
    this.#jitterMs = this.attributes['jitter'] ?? 0
  }

  protected onChunk (chunk: Chunk): void {
    let delayMs = this.#latencyMs
    if (this.#jitterMs > 0) delayMs += Math.floor(Math.random() * 2 * this.#jitterMs) - this.#jitterMs
    const releaseMs = Math.max(chunk.stampMs + delayMs, this.#lastReleaseMs)
    this.#lastReleaseMs = releaseMs
    chunk.stampMs = releaseMs
    this.queue.push(chunk)
    if (!this.timerPending) this.releaseDue()
  }

  protected releaseDue (): void {
    const nowMs = performance.now()
    let head = this.queue.peek()
    while (head !== undefined && head.stampMs - nowMs < DUE_SLACK_MS) {
      this.queue.shift()
      this.emit(head)
      head = this.queue.peek()
    }
    this.scheduleNext(head === undefined ? 0 : head.stampMs - nowMs)
  }
}
