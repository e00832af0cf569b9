// A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) for
// keys and payloads. Benchmarks want reproducible inputs: the same seed gives the same
// key sequence and the same payload bytes on every run and every machine, which
// Math.random cannot promise. It is not for cryptography.

const UINT32_RANGE = 0x1_0000_0000

function rotl (x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

export class SeededRandom {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor (seed: number) {
    // splitmix32 spreads any seed (0 included) over the four words of state, which must
    // not all be zero.
    let state = Math.trunc(seed) | 0
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) | 0
    }
    this.#a = next()
    this.#b = next()
    this.#c = next()
    this.#d = next()
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 1
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32 (): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0
    const t = this.#b << 9
    this.#c ^= this.#a
    this.#d ^= this.#b
    this.#b ^= this.#c
    this.#a ^= this.#d
    this.#c ^= t
    this.#d = rotl(this.#d, 11)
    return result
  }

  /** A number in [0, 1) with 32 bits of randomness. */
  next (): number {
    return this.nextUint32() / UINT32_RANGE
  }

  /** An integer in [0, bound), bound at most 2^32. */
  nextInt (bound: number): number {
    return Math.floor(this.next() * bound)
  }

  /** Fills `target` with random bytes. */
  fill (target: Uint8Array): void {
    let i = 0
    for (; i + 4 <= target.length; i += 4) {
      const word = this.nextUint32()
      target[i] = word & 0xff
      target[i + 1] = (word >>> 8) & 0xff
      target[i + 2] = (word >>> 16) & 0xff
      target[i + 3] = word >>> 24
    }
    if (i < target.length) {
      let word = this.nextUint32()
      for (; i < target.length; i++) {
        target[i] = word & 0xff
        word >>>= 8
      }
    }
  }
}
