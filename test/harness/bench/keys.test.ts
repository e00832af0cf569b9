// Key generators: OMB's distributors and Sluice's distributions, reproducible by seed.

import { describe, expect, it } from 'vitest'
import { createKeyGenerator, KEY_TEXT_BYTES_MIN, ZipfSampler } from '../../../harness/bench/keys.ts'
import { SeededRandom } from '../../../harness/bench/random.ts'

function draw (count: number, next: () => Buffer | null): string[] {
  return Array.from({ length: count }, () => next()?.toString('latin1') ?? 'null')
}

describe('record keys', () => {
  it('NO_KEY sends no key', () => {
    expect(createKeyGenerator(null, 1).next()).toBeNull()
  })

  it('sequential cycles through every key in order, like KEY_ROUND_ROBIN', () => {
    const keys = createKeyGenerator({ count: 3, distribution: 'sequential', zipfExponent: 1 }, 1)
    expect(draw(7, () => keys.next())).toEqual(['00000000', '00000001', '00000002', '00000000', '00000001', '00000002', '00000000'])
  })

  it('uniform covers the key space evenly and repeats for the same seed', () => {
    const spec = { count: 10, distribution: 'uniform' as const, zipfExponent: 1 }
    const a = createKeyGenerator(spec, 42)
    const b = createKeyGenerator(spec, 42)
    const keysA = draw(20_000, () => a.next())
    expect(draw(20_000, () => b.next())).toEqual(keysA)
    const counts = new Map<string, number>()
    for (const key of keysA) counts.set(key, (counts.get(key) ?? 0) + 1)
    expect(counts.size).toBe(10)
    for (const count of counts.values()) expect(Math.abs(count - 2000)).toBeLessThan(250)
    const other = createKeyGenerator(spec, 43)
    expect(draw(100, () => other.next())).not.toEqual(keysA.slice(0, 100))
  })

  it('zipf draws rank k with probability proportional to 1/k^s', () => {
    for (const [n, s] of [[10, 1], [50, 1.5], [4, 0.5]] as const) {
      const sampler = new ZipfSampler(n, s)
      const random = new SeededRandom(7)
      const draws = 100_000
      const counts = new Array<number>(n + 1).fill(0)
      for (let i = 0; i < draws; i++) counts[sampler.sample(random)]!++
      expect(counts[0]).toBe(0)
      let harmonic = 0
      for (let k = 1; k <= n; k++) harmonic += 1 / k ** s
      for (const k of [1, 2, 3, n]) {
        const expected = draws / k ** s / harmonic
        // Within 5 standard deviations of a binomial count.
        expect(Math.abs(counts[k]! - expected), `n=${n} s=${s} k=${k}`).toBeLessThan(5 * Math.sqrt(expected) + 1)
      }
    }
  })

  it('zipf keys are skewed towards the first keys and stay in range for huge key counts', () => {
    const keys = createKeyGenerator({ count: 5_000_000, distribution: 'zipf', zipfExponent: 1.1 }, 3)
    const drawn = draw(10_000, () => keys.next())
    expect(drawn.filter(key => key === '00000000').length).toBeGreaterThan(500)
    for (const key of drawn) {
      expect(key).toHaveLength(KEY_TEXT_BYTES_MIN)
      expect(Number(key)).toBeLessThan(5_000_000)
    }
  })
})
