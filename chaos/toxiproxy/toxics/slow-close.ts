// slow_close: data passes untouched, but the end of the stream (FIN, or a close) is held
// for `delay` ms, as when a peer lingers before closing. Removing the toxic lets a held
// close through at once.

import { Stage, timerMs } from '../stage.ts'
import type { Chunk, EndKind } from '../stage.ts'

export class SlowCloseStage extends Stage {
  #timer: NodeJS.Timeout | null = null
  #heldEnd: EndKind | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected onChunk (chunk: Chunk): void {
    this.emit(chunk)
  }

  protected override onEnd (kind: EndKind): void {
    this.#heldEnd = kind
    this.#timer = setTimeout(this.#onTimer, timerMs(this.attributes['delay'] ?? 0))
  }

  override release (): void {
    this.onDispose()
    if (this.#heldEnd !== null) this.emitEnd(this.#heldEnd)
  }

  protected override onDispose (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
