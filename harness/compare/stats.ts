// Descriptive statistics for repeated benchmark runs: quantiles, the median with a
// distribution-free confidence interval, and the geometric mean.
//
// Benchmark results are rarely normal (long right tails, bimodal under interference), so,
// like Go's benchstat, we summarise with the median and give its confidence interval from
// order statistics, which assumes nothing about the distribution.

import assert from 'node:assert/strict'

// A bound on sample sizes: the binomial tables below are O(n), and nobody repeats a
// broker benchmark a million times, so a larger n is a programming error upstream.
export const SAMPLE_SIZE_MAX = 1_000_000

// Linear interpolation between closest ranks (R's type 7, numpy's default), on an
// ascending array. q is a fraction in [0, 1].
export function quantileSorted (sorted: readonly number[], q: number): number {
  assert.ok(sorted.length > 0, 'quantile of an empty sample')
  assert.ok(q >= 0 && q <= 1, `quantile fraction out of range: ${q}`)
  const position = (sorted.length - 1) * q
  const lowIndex = Math.floor(position)
  const highIndex = Math.ceil(position)
  const low = sorted[lowIndex]
  const high = sorted[highIndex]
  return low + (high - low) * (position - lowIndex)
}

export function sortedCopy (values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

export function quantile (values: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(values), q)
}

export function median (values: readonly number[]): number {
  return quantile(values, 0.5)
}

// Probabilities of Binomial(n, p) for k = 0..n. Computed in log space so that large n does
// not underflow p^n to zero before the binomial coefficient can scale it back up.
export function binomialPmf (n: number, p: number): number[] {
  assert.ok(Number.isInteger(n) && n >= 0 && n <= SAMPLE_SIZE_MAX, `bad binomial n: ${n}`)
  assert.ok(p > 0 && p < 1, `binomial p must be in (0, 1): ${p}`)
  const logOdds = Math.log(p / (1 - p))
  const pmf = new Array<number>(n + 1)
  let logProbability = n * Math.log1p(-p)
  for (let k = 0; k <= n; k++) {
    pmf[k] = Math.exp(logProbability)
    logProbability += Math.log((n - k) / (k + 1)) + logOdds
  }
  return pmf
}

export interface QuantileInterval {
  // 1-based order statistics bounding the interval. loOrder 0 means the lower bound is
  // below the smallest sample (minus infinity); hiOrder n+1 means above the largest.
  loOrder: number
  hiOrder: number
  // The coverage actually achieved, at least the one asked for when the sample allows.
  confidence: number
}

// Which order statistics bound a confidence interval for the q-quantile of n samples.
//
// The count of samples below the true quantile is Binomial(n, q), so the quantile lies
// between order statistics X(l) and X(r) with probability P(l <= B < r). Following
// benchstat (go-moremath's QuantileCI), we start at the mode of B and grow [l, r) one step
// at a time towards the more probable neighbour, preferring the left on a tie, until the
// covered probability reaches the confidence level. Unlike benchstat we use exact binomial
// probabilities for every n instead of a normal approximation above n = 30.
export function quantileInterval (n: number, q: number, confidence: number): QuantileInterval {
  assert.ok(Number.isInteger(n) && n >= 1, `interval needs n >= 1: ${n}`)
  assert.ok(confidence > 0 && confidence < 1, `confidence must be in (0, 1): ${confidence}`)
  const pmf = binomialPmf(n, q)
  const at = (k: number): number => (k >= 0 && k <= n ? pmf[k] : 0)
  const mode = Math.max(0, Math.ceil((n + 1) * q) - 1)
  let l = mode
  let r = mode + 1
  let covered = at(mode)
  let leftNext = at(l - 1)
  let rightNext = at(r)
  // Each step moves l down or r up, so the loop runs at most n + 1 times.
  while (covered < confidence && (leftNext > 0 || rightNext > 0)) {
    if (leftNext >= rightNext) {
      covered += leftNext
      l--
      leftNext = at(l - 1)
    } else {
      covered += rightNext
      r++
      rightNext = at(r)
    }
  }
  return { loOrder: l, hiOrder: r, confidence: Math.min(1, covered) }
}

export interface SampleSummary {
  n: number
  median: number
  ciLow: number
  ciHigh: number
  // Coverage of [ciLow, ciHigh]. Below the requested level when the sample was too small
  // for the interval to fit inside it; then the interval is the sample's range.
  ciConfidence: number
  ciReduced: boolean
}

// Median and its confidence interval. For tiny samples (fewer than 6 runs at 95%) the
// exact interval would reach past the sample to infinity, which is true but useless in a
// report; we show the sample range instead and say how much confidence it carries.
export function summarize (values: readonly number[], confidence = 0.95): SampleSummary {
  assert.ok(values.length >= 1 && values.length <= SAMPLE_SIZE_MAX, `bad sample size: ${values.length}`)
  const sorted = sortedCopy(values)
  const n = sorted.length
  const interval = quantileInterval(n, 0.5, confidence)
  const center = quantileSorted(sorted, 0.5)
  if (interval.loOrder >= 1 && interval.hiOrder <= n) {
    return {
      n,
      median: center,
      ciLow: sorted[interval.loOrder - 1],
      ciHigh: sorted[interval.hiOrder - 1],
      ciConfidence: interval.confidence,
      ciReduced: false,
    }
  }
  // The range [X(1), X(n)] covers the median unless every sample falls on one side of it.
  const rangeConfidence = n === 1 ? 0 : 1 - 2 * Math.pow(0.5, n)
  return {
    n,
    median: center,
    ciLow: sorted[0],
    ciHigh: sorted[n - 1],
    ciConfidence: rangeConfidence,
    ciReduced: true,
  }
}

// The fewest runs for which the median's interval at this confidence fits inside the
// sample (6 at 95%, as benchstat says). Searched up to a bound; returns the bound + 1 if
// not found, which only happens for absurd confidence levels.
export function runsNeededForMedianCI (confidence: number): number {
  const searchMax = 1000
  for (let n = 2; n <= searchMax; n++) {
    const interval = quantileInterval(n, 0.5, confidence)
    if (interval.loOrder >= 1 && interval.hiOrder <= n) return n
  }
  return searchMax + 1
}

// Geometric mean of positive numbers, through logarithms so large products cannot
// overflow.
export function geometricMean (values: readonly number[]): number {
  assert.ok(values.length > 0, 'geometric mean of nothing')
  let logSum = 0
  for (const value of values) {
    assert.ok(value > 0 && Number.isFinite(value), `geometric mean needs positive finite values: ${value}`)
    logSum += Math.log(value)
  }
  return Math.exp(logSum / values.length)
}
