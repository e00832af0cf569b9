// Record keys for producers. The workload resolves OMB's keyDistributor and Sluice's
// `keys` block into one KeySpec (workload/normalise.ts): NO_KEY is no spec at all,
// KEY_ROUND_ROBIN is `sequential` over 10000 keys, RANDOM_NANO is `uniform` over 10000
// keys, and `zipf` picks key k with weight 1/k^exponent (a few hot keys, as real traffic
// has). Each producer gets its own generator with its own seed, so runs are reproducible.
//
// Key i is the decimal text of i, zero-padded to at least KEY_TEXT_BYTES_MIN characters
// (OMB's keys are short strings too); partitions follow from them by Java's murmur2 rule
// in every driver. Keys are cut from one preallocated buffer when they fit in
// KEY_CACHE_BYTES_MAX, so a send allocates nothing for its key; beyond that (millions of
// keys) each key is formatted when drawn.

import type { KeySpec } from '../workload/types.ts'
import { SeededRandom } from './random.ts'

export const KEY_TEXT_BYTES_MIN = 8
export const KEY_CACHE_BYTES_MAX = 16 * 1024 * 1024

export interface KeyGenerator {
  /** The next key, or null when records carry no key. */
  next (): Buffer | null
}

const NO_KEYS: KeyGenerator = { next: () => null }

export function createKeyGenerator (spec: KeySpec | null, seed: number): KeyGenerator {
  if (spec === null) return NO_KEYS
  if (!(Number.isInteger(spec.count) && spec.count >= 1)) throw new Error(`programmer error: key count ${spec.count}`)
  const keys = new KeyTable(spec.count)
  const random = new SeededRandom(seed)
  switch (spec.distribution) {
    case 'sequential': {
      let index = 0
      return {
        next: () => {
          const key = keys.at(index)
          index = index + 1 === spec.count ? 0 : index + 1
          return key
        },
      }
    }
    case 'uniform':
      return { next: () => keys.at(random.nextInt(spec.count)) }
    case 'zipf': {
      const zipf = new ZipfSampler(spec.count, spec.zipfExponent)
      return { next: () => keys.at(zipf.sample(random) - 1) }
    }
  }
}

/** Key text for index i: zero-padded decimal. */
export function keyText (index: number, width: number): string {
  return String(index).padStart(width, '0')
}

class KeyTable {
  readonly #width: number
  readonly #cache: Buffer[] | null

  constructor (count: number) {
    this.#width = Math.max(KEY_TEXT_BYTES_MIN, String(count - 1).length)
    if (count * this.#width > KEY_CACHE_BYTES_MAX) {
      this.#cache = null
      return
    }
    const all = Buffer.allocUnsafe(count * this.#width)
    this.#cache = new Array<Buffer>(count)
    for (let i = 0; i < count; i++) {
      const start = i * this.#width
      all.write(keyText(i, this.#width), start, 'latin1')
      this.#cache[i] = all.subarray(start, start + this.#width)
    }
  }

  at (index: number): Buffer {
    return this.#cache?.[index] ?? Buffer.from(keyText(index, this.#width), 'latin1')
  }
}

/**
 * Zipf over ranks 1..n with exponent s by rejection-inversion (Hörmann and Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete distributions", 1996):
 * constant time and memory per draw whatever n, where a table of cumulative weights would
 * need n entries.
 */
export class ZipfSampler {
  readonly #n: number
  readonly #s: number
  readonly #hIntegralX1: number
  readonly #hIntegralN: number
  readonly #threshold: number

  constructor (n: number, exponent: number) {
    if (!(n >= 1 && exponent > 0)) throw new Error(`programmer error: zipf over ${n} ranks with exponent ${exponent}`)
    this.#n = n
    this.#s = exponent
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1
    this.#hIntegralN = this.#hIntegral(n + 0.5)
    this.#threshold = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2))
  }

  /** A rank in 1..n; rank k comes with probability proportional to 1/k^s. */
  sample (random: SeededRandom): number {
    for (;;) {
      const u = this.#hIntegralN + random.next() * (this.#hIntegralX1 - this.#hIntegralN)
      const x = this.#hIntegralInverse(u)
      const k = Math.min(this.#n, Math.max(1, Math.floor(x + 0.5)))
      if (k - x <= this.#threshold || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k
    }
  }

  #h (x: number): number {
    return Math.exp(-this.#s * Math.log(x))
  }

  #hIntegral (x: number): number {
    const logX = Math.log(x)
    return expm1OverX((1 - this.#s) * logX) * logX
  }

  #hIntegralInverse (x: number): number {
    const t = Math.max(-1, x * (1 - this.#s))
    return Math.exp(log1pOverX(t) * x)
  }
}

// log1p(x)/x and expm1(x)/x, with their Taylor series near 0 where the division loses
// precision (exponent 1 makes the argument exactly 0).
function log1pOverX (x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x))
}

function expm1OverX (x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x))
}
