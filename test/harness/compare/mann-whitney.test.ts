import { describe, expect, it } from 'vitest'
import { mannWhitneyU, minimumTwoSidedP, runsNeededForSignificance } from '../../../harness/compare/mann-whitney.ts'
import { seededNormal, noisySample } from './seeded-random.ts'

// Two-sided p by brute force: every way of splitting the pooled values into groups of the
// original sizes, counting the splits whose rank sum is at least as far from its mean as
// the observed one. Independent of the counting table the implementation uses.
function bruteForceP (a: number[], b: number[]): number {
  const pooled = [...a, ...b]
  const sorted = [...pooled].sort((x, y) => x - y)
  const midrank = (value: number): number => {
    const first = sorted.indexOf(value) + 1
    const last = sorted.lastIndexOf(value) + 1
    return (first + last) / 2
  }
  const ranks = pooled.map(midrank)
  const total = pooled.length
  const center = a.length * (total + 1) / 2
  const observed = ranks.slice(0, a.length).reduce((s, r) => s + r, 0)
  let extreme = 0
  let all = 0
  for (let mask = 0; mask < 1 << total; mask++) {
    let bits = 0
    let sum = 0
    for (let i = 0; i < total; i++) {
      if (mask & (1 << i)) { bits++; sum += ranks[i] }
    }
    if (bits !== a.length) continue
    all++
    if (Math.abs(sum - center) >= Math.abs(observed - center) - 1e-9) extreme++
  }
  return extreme / all
}

describe('Mann-Whitney U, exact small samples', () => {
  it('gives 2/252 for two completely separated samples of 5', () => {
    // Only 2 of the C(10,5) = 252 splits are as extreme: all-low and all-high.
    const low = [1, 2, 3, 4, 5]
    const high = [6, 7, 8, 9, 10]
    const result = mannWhitneyU(low, high)
    expect(result.method).toBe('exact')
    expect(result.u).toBe(0)
    expect(result.pValue).toBeCloseTo(2 / 252, 15)
    expect(mannWhitneyU(high, low)).toMatchObject({ u: 25, pValue: expect.closeTo(2 / 252, 15) })
  })

  it('gives 2/70 for separated samples of 4 and 2/20 for samples of 3', () => {
    expect(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).pValue).toBeCloseTo(2 / 70, 15)
    expect(mannWhitneyU([10, 20, 30], [1, 2, 3]).pValue).toBeCloseTo(2 / 20, 15)
  })

  it('gives 34/70 for interleaved samples of 4 with U=5', () => {
    // U for m = n = 4 takes 0..16 with counts 1,1,2,3,5,5,... so P(U <= 5) = 17/70.
    const result = mannWhitneyU([1, 2, 3, 5], [0, 4, 6, 7])
    expect(result.u).toBe(5)
    expect(result.hasTies).toBe(false)
    expect(result.pValue).toBeCloseTo(34 / 70, 15)
  })

  it('handles ties exactly: {1,2,3,5} vs {2,2,2,2} gives 50/70', () => {
    // Midranks 1,4,4,4,4,4,7,8; the first sample holds 1,4,7,8 (sum 20, mean 18). By
    // hand, 50 of the 70 four-element choices have a sum at least 2 away from 18.
    const result = mannWhitneyU([1, 2, 3, 5], [2, 2, 2, 2])
    expect(result.hasTies).toBe(true)
    expect(result.u).toBe(10)
    expect(result.pValue).toBeCloseTo(50 / 70, 15)
  })

  it('handles ties and unequal sizes: {1,2,3,5} vs five 1s gives 6/126', () => {
    expect(mannWhitneyU([1, 2, 3, 5], [1, 1, 1, 1, 1]).pValue).toBeCloseTo(6 / 126, 15)
  })

  it('agrees with brute-force enumeration on tied, unequal samples', () => {
    const cases: Array<[number[], number[]]> = [
      [[1, 1, 2, 3, 3, 3], [2, 3, 4, 4, 5, 6]],
      [[10, 10, 10, 12, 15], [9, 10, 12, 12, 13, 14, 20]],
      [[5, 6, 6, 7], [1, 2, 6, 6, 6, 8, 9, 9]],
    ]
    for (const [a, b] of cases) {
      expect(mannWhitneyU(a, b).pValue).toBeCloseTo(bruteForceP(a, b), 12)
      expect(mannWhitneyU(b, a).pValue).toBeCloseTo(bruteForceP(a, b), 12)
    }
  })

  it('says p=1 when everything is tied or there is one value a side', () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3]).pValue).toBe(1)
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3], { method: 'normal' }).pValue).toBe(1)
    expect(mannWhitneyU([1], [2]).pValue).toBe(1)
  })
})

describe('Mann-Whitney U, normal approximation', () => {
  it('matches R wilcox.test / scipy on 500 vs 600 values', () => {
    // R: wilcox.test(seq(0,499)*2, seq(0,599)*2-41) gives W = 135250, p = 0.004933536.
    const a = Array.from({ length: 500 }, (_, i) => i * 2)
    const b = Array.from({ length: 600 }, (_, i) => i * 2 - 41)
    const result = mannWhitneyU(a, b)
    expect(result.method).toBe('normal')
    expect(result.u).toBe(135250)
    expect(result.pValue / 0.004933536081417191).toBeCloseTo(1, 9)
  })

  it('applies the tie correction like scipy (asymptotic, continuity-corrected)', () => {
    // scipy.stats.mannwhitneyu([1,2,3,5], [2,2,2,2], method='asymptotic') -> 0.6198391186854187.
    expect(mannWhitneyU([1, 2, 3, 5], [2, 2, 2, 2], { method: 'normal' }).pValue).toBeCloseTo(0.6198391186854187, 12)
    // The same library's value for a 12 vs 13 sample with several ties: 0.008177009161801656.
    const a = [1.0, 1.2, 1.3, 1.3, 2.0, 2.2, 2.4, 2.4, 3.1, 3.5, 4.0, 4.0]
    const b = [1.3, 2.4, 2.6, 3.0, 3.2, 3.3, 4.0, 4.1, 4.4, 5.0, 5.0, 6.0, 6.2]
    expect(mannWhitneyU(a, b, { method: 'normal' }).pValue).toBeCloseTo(0.008177009161801656, 12)
  })

  it('is close to the exact p at 20 runs a side', () => {
    const normal = seededNormal(7)
    const a = noisySample(normal, 20, 100, 0.05)
    const b = noisySample(normal, 20, 103, 0.05)
    const exact = mannWhitneyU(a, b, { method: 'exact' }).pValue
    const approximate = mannWhitneyU(a, b, { method: 'normal' }).pValue
    expect(Math.abs(exact - approximate)).toBeLessThan(0.01)
  })
})

describe('Mann-Whitney U, sample-size limits', () => {
  it('knows the smallest reachable p for each size', () => {
    expect(minimumTwoSidedP(5, 5)).toBeCloseTo(2 / 252, 15)
    expect(minimumTwoSidedP(2, 2)).toBeCloseTo(1 / 3, 15)
    expect(minimumTwoSidedP(1, 1)).toBe(1)
  })

  it('needs 4 runs a side for alpha 0.05 and 5 for alpha 0.01', () => {
    expect(runsNeededForSignificance(0.05)).toBe(4)
    expect(runsNeededForSignificance(0.01)).toBe(5)
  })
})
