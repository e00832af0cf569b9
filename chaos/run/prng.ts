// A small seeded pseudo-random generator for chaos runs. Everything a run decides at random
// (which op a process does next, which key it writes, which broker a fault hits) is drawn
// from one of these, so the same seed gives the same decisions and a failing run can be
// replayed. Math.random is never used for decisions.
//
// The generator is mulberry32: 32 bits of state, fast, and good enough for choosing ops
// (not for cryptography). Independent streams (one per process slot, one for the nemesis)
// come from `Prng.derive(seed, stream)`, which mixes both numbers with splitmix32 so that
// neighbouring seeds and streams do not give correlated sequences.

import { randomInt } from 'node:crypto'

const UINT32_RANGE = 0x1_0000_0000

/** splitmix32's finaliser: a good 32-bit mixing function. */
function mix32 (value: number): number {
  let z = (value + 0x9e3779b9) >>> 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
  return (z ^ (z >>> 16)) >>> 0
}

/** A fresh seed for a run that was not given one (recorded in the result so it can be replayed). */
export function randomSeed (): number {
  return randomInt(0, 2 ** 32 - 1)
}

export class Prng {
  #state: number

  constructor (seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed must be a non-negative integer (got ${seed})`)
    this.#state = mix32(seed % UINT32_RANGE)
  }

  /** An independent stream for `stream` (a process slot, the nemesis...) of one run's seed. */
  static derive (seed: number, stream: number): Prng {
    return new Prng(mix32((mix32(seed % UINT32_RANGE) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0))
  }

  /** The next 32 random bits as an unsigned integer. */
  uint32 (): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** A float in [0, 1). */
  float (): number {
    return this.uint32() / UINT32_RANGE
  }

  /** An integer in [0, maxExclusive). */
  int (maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1) throw new RangeError(`int() needs a positive integer bound (got ${maxExclusive})`)
    return Math.floor(this.float() * maxExclusive)
  }

  /** True with probability `p`. */
  chance (p: number): boolean {
    return this.float() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list')
    return items[this.int(items.length)]!
  }

  /** `count` distinct items in random order (all of them when count >= length). */
  sample<T> (items: readonly T[], count: number): T[] {
    const pool = [...items]
    const n = Math.min(count, pool.length)
    for (let i = 0; i < n; i++) {
      const j = i + this.int(pool.length - i)
      const swap = pool[i]!
      pool[i] = pool[j]!
      pool[j] = swap
    }
    return pool.slice(0, n)
  }

  /** Picks an index by weight; weights must be non-negative and not all zero. */
  weighted (weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += w
    if (!(total > 0)) throw new RangeError('weighted() needs a positive total weight')
    let roll = this.float() * total
    for (let i = 0; i < weights.length; i++) {
      roll -= weights[i]!
      if (roll < 0) return i
    }
    return weights.length - 1
  }
}
