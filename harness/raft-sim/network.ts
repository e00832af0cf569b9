// The simulated network between quorum nodes: every message may be dropped, duplicated,
// delayed or overtaken by a later one, and links can be cut one way (a->b only) or both
// ways (a partition is a set of cut links). Decisions come from the run's seeded Prng.

import type { Prng } from '../../chaos/run/prng.ts'
import type { Envelope, NodeId } from '../../broker/cluster/raft/types.ts'

export interface NetworkFaults {
  dropRate: number
  duplicateRate: number
  /** Chance that a message takes a long detour (and is overtaken by later ones). */
  slowRate: number
}

export const CALM: NetworkFaults = { dropRate: 0, duplicateRate: 0, slowRate: 0 }

const BASE_DELAY_MS_MAX = 10
const SLOW_DELAY_MS_MAX = 400

export class SimNetwork {
  readonly #random: Prng
  readonly #cut = new Set<string>()
  faults: NetworkFaults = CALM

  constructor (random: Prng) {
    this.#random = random
  }

  /** Delivery delays for one message: none when dropped, two when duplicated. */
  plan (env: Envelope): number[] {
    if (this.#cut.has(link(env.from, env.to))) return []
    const r = this.#random
    if (r.chance(this.faults.dropRate)) return []
    const delays = [this.#delayMs()]
    if (r.chance(this.faults.duplicateRate)) delays.push(this.#delayMs())
    return delays
  }

  /** Whether a message in flight may still arrive (a cut made after sending also stops it). */
  open (from: NodeId, to: NodeId): boolean {
    return !this.#cut.has(link(from, to))
  }

  cutOneWay (from: NodeId, to: NodeId): void { this.#cut.add(link(from, to)) }

  /** Splits `nodes` into `side` and the rest, both directions cut. */
  partition (side: readonly NodeId[], nodes: readonly NodeId[]): void {
    for (const a of side) {
      for (const b of nodes) {
        if (side.includes(b)) continue
        this.#cut.add(link(a, b))
        this.#cut.add(link(b, a))
      }
    }
  }

  heal (): void { this.#cut.clear() }

  describeCuts (): string { return [...this.#cut].join(' ') }

  #delayMs (): number {
    const r = this.#random
    return 1 + (r.chance(this.faults.slowRate) ? r.int(SLOW_DELAY_MS_MAX) : r.int(BASE_DELAY_MS_MAX))
  }
}

function link (from: NodeId, to: NodeId): string {
  return `${from}>${to}`
}
