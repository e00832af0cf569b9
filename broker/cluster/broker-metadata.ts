// A broker's side of the metadata log: it replays what the quorum committed (or a
// snapshot) into its image, remembers how far it got (the current_metadata_offset of its
// heartbeats), and reports what each step changed for this node, so the replica manager
// starts leading, following or dropping partitions only because the log said so.

import { MetadataImage } from './image.ts'
import { localChanges, type LocalChanges } from './local-changes.ts'
import type { MetadataRecord } from './records.ts'

export class BrokerMetadata {
  readonly nodeId: number
  #image = MetadataImage.EMPTY
  #lastOffset = -1

  constructor (nodeId: number) {
    this.nodeId = nodeId
  }

  get image (): MetadataImage { return this.#image }
  /** Offset of the last record replayed; -1 before any. */
  get lastOffset (): number { return this.#lastOffset }

  /** Committed records in log order, the last at `lastOffset`. */
  apply (records: readonly MetadataRecord[], lastOffset: number): LocalChanges {
    if (lastOffset < this.#lastOffset + records.length) {
      throw new Error(`metadata log: records up to ${lastOffset} replayed after ${this.#lastOffset}`)
    }
    return this.#advance(this.#image.apply(records), lastOffset)
  }

  /** A snapshot replaces everything replayed so far (a follower far behind, or a restart). */
  restore (image: MetadataImage, snapshotOffset: number): LocalChanges {
    return this.#advance(image, snapshotOffset)
  }

  #advance (next: MetadataImage, lastOffset: number): LocalChanges {
    const changes = localChanges(this.#image, next, this.nodeId)
    this.#image = next
    this.#lastOffset = lastOffset
    return changes
  }
}
