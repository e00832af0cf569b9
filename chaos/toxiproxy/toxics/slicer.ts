// slicer: cuts each chunk into slices of about `average_size` bytes (+/- `size_variation`)
// and waits `delay` microseconds after each slice, to exercise a reader's handling of
// partial frames. Boundaries are found the way Toxiproxy does (halve around a jittered
// midpoint until a piece is close to the average) but with an explicit stack instead of
// recursion, and every slice is at least one byte, so the number of slices is bounded by
// the chunk's length. The bytes that arrive are exactly the bytes sent.

import { Fifo } from '../fifo.ts'
import { Stage, takeHead, timerMs } from '../stage.ts'
import type { Chunk, ChunkSink, EndKind, LinkControl } from '../stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'

export class SlicerStage extends Stage {
  readonly #queue = new Fifo<Chunk>()
  readonly #averageBytes: number
  readonly #variationBytes: number
  readonly #delayMs: number
  /** The chunk being sliced (its unsent rest) and the end offsets of its slices, relative to its start. */
  #current: Chunk | null = null
  #ends: number[] = []
  #endIndex = 0
  #sentBytes = 0
  #timer: NodeJS.Timeout | null = null
  #heldEnd: EndKind | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    this.#sendSlices()
  }

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    super(spec, link, next)
    this.#averageBytes = Math.max(1, this.attributes['average_size'] ?? 0)
    this.#variationBytes = Math.max(0, this.attributes['size_variation'] ?? 0)
    this.#delayMs = Math.max(0, this.attributes['delay'] ?? 0) / 1000
  }

  protected onChunk (chunk: Chunk): void {
    const idle = !this.#busy()
    this.#queue.push(chunk)
    if (idle) this.#sendSlices()
  }

  protected override onEnd (kind: EndKind): void {
    if (this.#busy()) this.#heldEnd = kind
    else this.emitEnd(kind)
  }

  override release (): void {
    this.#clearTimer()
    if (this.#current !== null) this.emit(this.#current)
    this.#current = null
    while (this.#queue.length > 0) this.emit(this.#queue.shift()!)
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected override onDispose (): void {
    this.#clearTimer()
    this.#current = null
    this.#queue.clear()
  }

  #busy (): boolean {
    return this.#timer !== null || this.#current !== null || this.#queue.length > 0
  }

  /** Sends slices until a delay is due or nothing is left. */
  #sendSlices (): void {
    for (;;) {
      if (this.#current === null) {
        const chunk = this.#queue.shift()
        if (chunk === undefined) break
        this.#current = chunk
        this.#ends = sliceEnds(chunk.data.length, this.#averageBytes, this.#variationBytes)
        this.#endIndex = 0
        this.#sentBytes = 0
      }
      const current = this.#current
      const sliceBytes = this.#ends[this.#endIndex]! - this.#sentBytes
      this.#endIndex++
      this.#sentBytes += sliceBytes
      if (sliceBytes >= current.data.length) {
        this.#current = null
        this.emit(current)
      } else {
        this.emit(takeHead(current, sliceBytes))
      }
      if (this.disposed) return
      if (this.#delayMs > 0) {
        this.#timer = setTimeout(this.#onTimer, timerMs(this.#delayMs))
        return
      }
    }
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  #clearTimer (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}

/** End offsets (ascending, the last is `sizeBytes`) of the slices of a chunk. */
export function sliceEnds (sizeBytes: number, averageBytes: number, variationBytes: number): number[] {
  const ends: number[] = []
  // Pending ranges as [start, end) pairs; the left half is pushed last so it is cut first.
  const stack: number[] = [0, sizeBytes]
  while (stack.length > 0) {
    const end = stack.pop()!
    const start = stack.pop()!
    if (end - start - averageBytes <= variationBytes || end - start <= 1) {
      ends.push(end)
      continue
    }
    let middle = start + Math.floor((end - start) / 2)
    if (variationBytes > 0) middle += Math.floor(Math.random() * 2 * variationBytes) - variationBytes
    middle = Math.min(Math.max(middle, start + 1), end - 1)
    stack.push(middle, end, start, middle)
  }
  return ends
}
