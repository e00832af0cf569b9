// limit_data: forwards at most `bytes` bytes in this direction of the connection, then
// closes the connection; the rest of the chunk that crosses the limit is dropped. The count
// survives updates of the toxic (Toxiproxy keeps it as per-connection state), so raising
// the limit lets a connection continue where it stopped.

import { Stage, takeHead } from '../stage.ts'
import type { Chunk } from '../stage.ts'

export class LimitDataStage extends Stage {
  #sentBytes = 0

  override adopt (previous: Stage): void {
    super.adopt(previous)
    if (previous instanceof LimitDataStage) this.#sentBytes = previous.#sentBytes
  }

  protected onChunk (chunk: Chunk): void {
    const limitBytes = this.attributes['bytes'] ?? 0
    const remainingBytes = Math.max(0, limitBytes - this.#sentBytes)
    if (chunk.data.length <= remainingBytes) {
      this.#sentBytes += chunk.data.length
      this.emit(chunk)
    } else {
      if (remainingBytes > 0) {
        this.#sentBytes += remainingBytes
        this.emit(takeHead(chunk, remainingBytes))
      }
      this.link.discard(chunk)
    }
    if (this.#sentBytes >= limitBytes) this.emitEnd('close')
  }
}
