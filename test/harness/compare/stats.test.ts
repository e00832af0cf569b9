import { describe, expect, it } from 'vitest'
import {
  binomialPmf, geometricMean, median, quantile, quantileInterval, runsNeededForMedianCI, summarize,
} from '../../../harness/compare/stats.ts'
import { erfc, normalCdf, normalTwoSidedP } from '../../../harness/compare/normal.ts'

describe('quantiles', () => {
  it('takes the middle value of an odd sample and the mean of the middle two of an even one', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
  })

  it('interpolates linearly between closest ranks', () => {
    const values = [10, 20, 30, 40, 50]
    expect(quantile(values, 0)).toBe(10)
    expect(quantile(values, 1)).toBe(50)
    expect(quantile(values, 0.25)).toBe(20)
    expect(quantile(values, 0.9)).toBeCloseTo(46, 12)
  })

  it('does not reorder the caller\'s array', () => {
    const values = [3, 1, 2]
    median(values)
    expect(values).toEqual([3, 1, 2])
  })
})

describe('binomial probabilities', () => {
  it('match the binomial coefficients for n=10', () => {
    const coefficients = [1, 10, 45, 120, 210, 252, 210, 120, 45, 10, 1]
    const pmf = binomialPmf(10, 0.5)
    coefficients.forEach((c, k) => expect(pmf[k]).toBeCloseTo(c / 1024, 14))
  })

  it('do not underflow for large n', () => {
    const pmf = binomialPmf(5000, 0.5)
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    expect(pmf[2500]).toBeGreaterThan(0.01)
  })
})

describe('median confidence interval from order statistics', () => {
  it('for n=10 at 95% spans the 2nd to 9th smallest values with 1002/1024 coverage', () => {
    // P(2 <= B < 9) for B ~ Binomial(10, 1/2) = (1024 - 1 - 10 - 10 - 1) / 1024.
    const interval = quantileInterval(10, 0.5, 0.95)
    expect(interval).toEqual({ loOrder: 2, hiOrder: 9, confidence: expect.closeTo(1002 / 1024, 12) })
    const summary = summarize([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(summary).toMatchObject({ n: 10, median: 5.5, ciLow: 2, ciHigh: 9, ciReduced: false })
  })

  it('needs 6 runs at 95%, as benchstat says, and 5 would reach past the sample', () => {
    expect(runsNeededForMedianCI(0.95)).toBe(6)
    const six = quantileInterval(6, 0.5, 0.95)
    expect([six.loOrder, six.hiOrder]).toEqual([1, 6])
    expect(six.confidence).toBeCloseTo(62 / 64, 12)
    const five = quantileInterval(5, 0.5, 0.95)
    expect(five.loOrder === 0 || five.hiOrder === 6).toBe(true)
  })

  it('falls back to the sample range for tiny n and reports the lower confidence', () => {
    const summary = summarize([3, 1, 2, 5, 4])
    expect(summary).toMatchObject({ n: 5, median: 3, ciLow: 1, ciHigh: 5, ciReduced: true })
    expect(summary.ciConfidence).toBeCloseTo(1 - 2 / 32, 12)
    const single = summarize([42])
    expect(single).toMatchObject({ n: 1, median: 42, ciLow: 42, ciHigh: 42, ciConfidence: 0, ciReduced: true })
  })

  it('keeps at least the requested coverage as n grows, and narrows', () => {
    let previousWidth = Infinity
    for (const n of [20, 50, 100, 400]) {
      const interval = quantileInterval(n, 0.5, 0.95)
      expect(interval.confidence).toBeGreaterThanOrEqual(0.95)
      const widthFraction = (interval.hiOrder - interval.loOrder) / n
      expect(widthFraction).toBeLessThan(previousWidth)
      previousWidth = widthFraction
    }
  })
})

describe('geometric mean', () => {
  it('is the n-th root of the product', () => {
    expect(geometricMean([1, 4])).toBeCloseTo(2, 14)
    expect(geometricMean([2, 8, 4])).toBeCloseTo(4, 14)
    expect(geometricMean([1e300, 1e300])).toBeCloseTo(1e300, -290)
  })

  it('refuses non-positive values', () => {
    expect(() => geometricMean([1, 0])).toThrow()
  })
})

describe('normal tail', () => {
  it('matches tabulated erfc values to near double precision', () => {
    expect(erfc(0)).toBe(1)
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14)
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 12)
    expect(erfc(5) / 1.537459794428035e-12).toBeCloseTo(1, 12)
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299207050285, 14)
  })

  it('gives the familiar 1.96 quantile', () => {
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 12)
    expect(normalTwoSidedP(1.959963984540054)).toBeCloseTo(0.05, 12)
    expect(normalTwoSidedP(0)).toBe(1)
  })
})
