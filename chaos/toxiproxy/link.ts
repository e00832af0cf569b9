// One direction of one proxied connection: source socket -> toxic stages -> destination
// socket. Toxics are chained in the order they were added; a new one goes at the end, a
// removed one first hands on what it holds and is then spliced out, all synchronously, so
// bytes never overtake each other. Backpressure: every chunk read from the source counts
// its cost until it is written to the destination or dropped; when that count plus the
// destination's unflushed bytes passes LINK_PRESSURE_HIGH_BYTES the source is paused, and
// it resumes below LINK_PRESSURE_LOW_BYTES. A bandwidth-limited link therefore holds a
// bounded amount and the sender feels TCP flow control, as with a real slow network.

import type { Socket } from 'node:net'
import { CHUNK_OVERHEAD_BYTES, LINK_PRESSURE_HIGH_BYTES, LINK_PRESSURE_LOW_BYTES } from './limits.ts'
import type { Chunk, ChunkSink, EndKind, LinkControl, Stage } from './stage.ts'
import type { Direction, ToxicSpec } from './toxic-spec.ts'
import { createStage } from './toxics/index.ts'

/** What a link needs from the connection that owns both its sockets. */
export interface ConnectionControl {
  /** RST both sockets. */
  reset (): void
  /** Flush `dest`, then close both sockets. */
  closeAfterFlush (dest: Socket): void
}

export interface LinkOptions {
  direction: Direction
  source: Socket
  dest: Socket
  connection: ConnectionControl
  /** The proxy's toxics for this direction at the moment the link starts. */
  specs: readonly ToxicSpec[]
}

export class Link implements LinkControl {
  readonly direction: Direction
  readonly #source: Socket
  readonly #dest: Socket
  readonly #connection: ConnectionControl
  readonly #stages: Stage[] = []
  readonly #sink: ChunkSink
  #entry: ChunkSink
  /** Cost of the chunks read from the source and not yet written or dropped. */
  #heldCost = 0
  #paused = false
  #sourceDone = false
  #sinkEnded = false

  readonly #onData = (data: Buffer): void => {
    const cost = data.length + CHUNK_OVERHEAD_BYTES
    this.#heldCost += cost
    this.#entry.write({ data, stampMs: performance.now(), cost })
    this.#checkPressure()
  }

  readonly #onEnd = (): void => {
    if (this.#sourceDone) return
    this.#sourceDone = true
    this.#entry.end('eof')
  }

  readonly #onDrain = (): void => {
    this.#checkPressure()
  }

  constructor (options: LinkOptions) {
    this.direction = options.direction
    this.#source = options.source
    this.#dest = options.dest
    this.#connection = options.connection
    this.#sink = { write: (chunk) => this.#sinkWrite(chunk), end: (kind) => this.#sinkEnd(kind) }
    this.#entry = this.#sink
    for (const spec of options.specs) this.addToxic(spec)
  }

  start (): void {
    this.#source.on('data', this.#onData)
    this.#source.on('end', this.#onEnd)
    this.#dest.on('drain', this.#onDrain)
  }

  /** The source socket is gone without a clean end (error, RST, destroy). */
  sourceClosed (): void {
    if (!this.#sourceDone) {
      this.#sourceDone = true
      this.#entry.end('close')
    } else if (this.#sinkEnded) {
      // Nothing can answer on the other direction any more: finish this side and close.
      this.#connection.closeAfterFlush(this.#dest)
    }
    // Otherwise a stage still holds the end; #sinkEnd closes when it arrives.
  }

  addToxic (spec: ToxicSpec): void {
    this.#stages.push(createStage(spec, this, this.#sink))
    this.#rewire()
  }

  updateToxic (spec: ToxicSpec): void {
    const index = this.#stages.findIndex((stage) => stage.name === spec.name)
    if (index < 0) return
    const previous = this.#stages[index]!
    previous.release()
    previous.dispose()
    const replacement = createStage(spec, this, previous.next)
    replacement.adopt(previous)
    this.#stages[index] = replacement
    this.#rewire()
  }

  removeToxic (name: string): void {
    const index = this.#stages.findIndex((stage) => stage.name === name)
    if (index < 0) return
    const stage = this.#stages[index]!
    stage.remove()
    stage.dispose()
    this.#stages.splice(index, 1)
    this.#rewire()
  }

  dispose (): void {
    for (const stage of this.#stages) stage.dispose()
    this.#source.off('data', this.#onData)
    this.#source.off('end', this.#onEnd)
    this.#dest.off('drain', this.#onDrain)
  }

  discard (chunk: Chunk): void {
    this.#heldCost -= chunk.cost
    this.#checkPressure()
  }

  reset (): void {
    this.#connection.reset()
  }

  #rewire (): void {
    this.#entry = this.#stages[0] ?? this.#sink
    for (let index = 0; index < this.#stages.length; index++) {
      this.#stages[index]!.next = this.#stages[index + 1] ?? this.#sink
    }
  }

  #sinkWrite (chunk: Chunk): void {
    this.#heldCost -= chunk.cost
    if (!this.#sinkEnded && !this.#dest.destroyed) this.#dest.write(chunk.data)
    this.#checkPressure()
  }

  #sinkEnd (kind: EndKind): void {
    if (this.#sinkEnded) return
    this.#sinkEnded = true
    if (kind === 'close' || this.#source.destroyed) {
      this.#connection.closeAfterFlush(this.#dest)
    } else if (!this.#dest.destroyed) {
      this.#dest.end()
    }
  }

  #checkPressure (): void {
    const pressureBytes = this.#heldCost + this.#dest.writableLength
    if (!this.#paused && pressureBytes > LINK_PRESSURE_HIGH_BYTES) {
      this.#paused = true
      this.#source.pause()
    } else if (this.#paused && pressureBytes <= LINK_PRESSURE_LOW_BYTES) {
      this.#paused = false
      this.#source.resume()
    }
  }
}
