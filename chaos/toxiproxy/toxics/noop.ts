// noop: passes everything through. Useful to check that the toxic machinery itself (adding,
// removing, chaining) does not disturb a stream.

import { Stage } from '../stage.ts'
import type { Chunk } from '../stage.ts'

export class NoopStage extends Stage {
  protected onChunk (chunk: Chunk): void {
    this.emit(chunk)
  }
}
