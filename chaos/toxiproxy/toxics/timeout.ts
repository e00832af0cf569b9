// timeout: drops every byte; after `timeout` ms closes the connection, or with 0 never
// (a black hole, the classic "network partition that TCP cannot see"). The clock starts
// when the toxic starts on the link: at connect, or when the toxic is added or updated.
// Removing the toxic closes the connections it was active on, as Toxiproxy's Cleanup does,
// because the bytes it swallowed are gone and the stream could never be trusted again.

import { Stage, timerMs } from '../stage.ts'
import type { Chunk, ChunkSink, EndKind, LinkControl } from '../stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'

export class TimeoutStage extends Stage {
  #timer: NodeJS.Timeout | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    this.emitEnd('close')
  }

  constructor (spec: ToxicSpec, link: LinkControl, next: ChunkSink) {
    super(spec, link, next)
    const timeoutMs = this.attributes['timeout'] ?? 0
    if (this.active && timeoutMs > 0) this.#timer = setTimeout(this.#onTimer, timerMs(timeoutMs))
  }

  protected onChunk (chunk: Chunk): void {
    this.link.discard(chunk)
  }

  protected override onEnd (kind: EndKind): void {
    this.onDispose()
    this.emitEnd(kind)
  }

  /** An update restarts the toxic with a new clock and keeps the connection. */
  override release (): void {
    this.onDispose()
  }

  override remove (): void {
    this.onDispose()
    if (this.active) this.emitEnd('close')
  }

  protected override onDispose (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
