// A tiny stand-in for the controller's state machine: committed data entries are
// "key=value" strings applied to a map; a snapshot is the map as JSON. The controller will
// implement the same three calls (apply, snapshot, restore) over its metadata image.

import type { Entry, Snapshot, StateMachine } from '../../broker/cluster/raft/types.ts'

export class KvMachine implements StateMachine {
  #map = new Map<string, string>()
  /** The next offset this machine expects (everything below is applied). */
  appliedOffset = 0

  apply (entry: Entry): void {
    if (entry.offset !== this.appliedOffset) throw new Error(`state machine got offset ${entry.offset}, expected ${this.appliedOffset}`)
    this.appliedOffset++
    if (entry.kind !== 'data') return
    const text = Buffer.from(entry.data).toString()
    const eq = text.indexOf('=')
    this.#map.set(text.slice(0, eq), text.slice(eq + 1))
  }

  snapshot (): Uint8Array {
    return Buffer.from(JSON.stringify([...this.#map].sort((a, b) => (a[0] < b[0] ? -1 : 1))))
  }

  restore (snapshot: Snapshot): void {
    this.#map = new Map(JSON.parse(Buffer.from(snapshot.data).toString()) as Array<[string, string]>)
    this.appliedOffset = snapshot.endOffset
  }
}
