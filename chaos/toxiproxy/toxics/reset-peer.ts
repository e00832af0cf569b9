// reset_peer: on the first chunk or end of stream, waits `timeout` ms and then closes both
// sockets with a TCP RST (socket.resetAndDestroy(), the SO_LINGER 0 close Toxiproxy uses),
// so peers see ECONNRESET instead of a clean FIN. Data from the trigger on is dropped.
// Removing or updating the toxic while a reset is pending resets at once rather than
// cancelling: the connection has already lost bytes.

import { Stage, timerMs } from '../stage.ts'
import type { Chunk } from '../stage.ts'

export class ResetPeerStage extends Stage {
  #triggered = false
  #timer: NodeJS.Timeout | null = null
  readonly #onTimer = (): void => {
    this.#timer = null
    this.link.reset()
  }

  protected onChunk (chunk: Chunk): void {
    this.link.discard(chunk)
    this.#trigger()
  }

  protected override onEnd (): void {
    this.#trigger()
  }

  override release (): void {
    if (this.#timer === null) return
    this.onDispose()
    this.link.reset()
  }

  protected override onDispose (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  #trigger (): void {
    if (this.#triggered) return
    this.#triggered = true
    this.#timer = setTimeout(this.#onTimer, timerMs(this.attributes['timeout'] ?? 0))
  }
}
