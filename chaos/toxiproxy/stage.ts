// One toxic on one link: the unit a per-direction pipeline is chained from. Data moves by
// plain calls (write/end) from the source socket through each stage to the destination;
// a stage that holds data (latency, bandwidth, slicer) keeps a queue and a single timer.
// The base class owns the rules every toxic shares: toxicity is rolled once, when the
// stage is created for a link (an inactive stage passes everything through), nothing is
// accepted after an end, and a stage that ended its output on its own (limit_data,
// timeout) discards what still arrives so its bytes stop counting against the link.

import type { ToxicAttributes, ToxicSpec } from './toxic-spec.ts'
import { TIMER_MS_MAX } from './limits.ts'

export interface Chunk {
  data: Buffer
  /**
   * When the bytes entered the link (performance.now()); a latency stage moves it to the
   * chunk's release time so that two chained latency toxics add up, as in Toxiproxy.
   */
  stampMs: number
  /** What the chunk counts against the link's pressure bound: its bytes plus an overhead. */
  cost: number
}

/** 'eof' passes a half-close on; 'close' closes the whole connection once flushed. */
export type EndKind = 'eof' | 'close'

export interface ChunkSink {
  write (chunk: Chunk): void
  end (kind: EndKind): void
}

/** What a stage may ask of the link that owns it. */
export interface LinkControl {
  /** The chunk was dropped: its cost leaves the link's pressure count. */
  discard (chunk: Chunk): void
  /** Close both sockets of the connection with a TCP RST. */
  reset (): void
}

/** Splits off the first `sizeBytes` of a chunk (0 < sizeBytes < length); the rest stays in `chunk`. */
export function takeHead (chunk: Chunk, sizeBytes: number): Chunk {
  const head: Chunk = { data: chunk.data.subarray(0, sizeBytes), stampMs: chunk.stampMs, cost: sizeBytes }
  chunk.data = chunk.data.subarray(sizeBytes)
  chunk.cost -= sizeBytes
  return head
}

/** A toxic duration in ms as setTimeout accepts it: negative is now, huge is clamped. */
export function timerMs (durationMs: number): number {
  return Math.min(Math.max(0, Math.ceil(durationMs)), TIMER_MS_MAX)
}

export abstract class Stage implements ChunkSink {
  readonly name: string
  /** Set by the link whenever the chain changes. */
  next: ChunkSink
  protected readonly link: LinkControl
  protected readonly attributes: ToxicAttributes
  /** Whether the toxicity roll made this stage act; if not it is a pass-through. */
  protected readonly active: boolean
  #inputEnded = false
  #outputEnded = false
  #disposed = false

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    this.name = spec.name
    this.link = link
    this.next = next
    this.attributes = spec.attributes
    this.active = spec.toxicity >= 1 || Math.random() < spec.toxicity
  }

  write (chunk: Chunk): void {
    if (this.#inputEnded || this.#outputEnded) {
      this.link.discard(chunk)
    } else if (this.active) {
      this.onChunk(chunk)
    } else {
      this.next.write(chunk)
    }
  }

  end (kind: EndKind): void {
    if (this.#inputEnded) return
    this.#inputEnded = true
    if (this.#outputEnded) return
    if (this.active) this.onEnd(kind)
    else this.emitEnd(kind)
  }

  /** Takes over the end state (and in subclasses, per-connection state) of the stage it replaces. */
  adopt (previous: Stage): void {
    this.#inputEnded = previous.#inputEnded
    this.#outputEnded = previous.#outputEnded
  }

  /** Hands on everything held, a held end included, at once. Used before an update or removal. */
  release (): void {}

  /** The toxic is being removed from this link. Most toxics just let go of what they hold. */
  remove (): void {
    this.release()
  }

  /**
   * The stage leaves the link for good (connection gone, toxic removed or replaced). After
   * this it emits nothing, even from inside a loop whose emit caused the disposal.
   */
  dispose (): void {
    this.#disposed = true
    this.onDispose()
  }

  protected get disposed (): boolean {
    return this.#disposed
  }

  protected emit (chunk: Chunk): void {
    if (this.#disposed) return
    if (this.#outputEnded) this.link.discard(chunk)
    else this.next.write(chunk)
  }

  protected emitEnd (kind: EndKind): void {
    if (this.#outputEnded || this.#disposed) return
    this.#outputEnded = true
    this.next.end(kind)
  }

  /** Cancel timers and drop held chunks; called once, by dispose(). */
  protected onDispose (): void {}

  /** Called only when active and before any end. */
  protected abstract onChunk (chunk: Chunk): void

  /** Called only when active; the default passes the end on at once. */
  protected onEnd (kind: EndKind): void {
    this.emitEnd(kind)
  }
}
