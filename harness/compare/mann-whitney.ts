// Two-sided Mann-Whitney U test (Wilcoxon rank-sum), as benchstat uses to decide whether
// two sets of benchmark runs differ.
//
// Small samples get the exact p-value from the permutation distribution of the rank sum,
// conditional on the observed ties (midranks), so ties need no approximation. Larger
// samples use the normal approximation with the tie correction to the variance and a
// continuity correction of 1/2, which is what R's wilcox.test(correct = TRUE) and scipy's
// mannwhitneyu(method = 'asymptotic') report.

import assert from 'node:assert/strict'
import { SAMPLE_SIZE_MAX } from './stats.ts'
import { normalTwoSidedP } from './normal.ts'

// Above this many runs in total the exact distribution gives way to the normal
// approximation. At 50 the counting table is about 3 million additions and the counts
// (at most C(50, 25) ~ 1.3e14) stay exact in a double.
export const EXACT_TOTAL_MAX = 50

export type UTestMethod = 'exact' | 'normal'

export interface UTestOptions {
  method?: 'auto' | UTestMethod
}

export interface UTestResult {
  // U of the first sample: pairs (a, b) with a > b, a tie counting one half.
  u: number
  pValue: number
  method: UTestMethod
  n1: number
  n2: number
  hasTies: boolean
}

interface Ranking {
  // Midranks doubled so they are integers: a tie spanning ranks i..j gets i + j.
  doubledRanks: Int32Array
  // Sum over tie groups of t^3 - t, for the variance correction.
  tieTerm: number
}

// Ranks the pooled values; entries 0..n1-1 of the result belong to the first sample.
function rankPooled (a: readonly number[], b: readonly number[]): Ranking {
  const total = a.length + b.length
  const values = new Float64Array(total)
  values.set(a, 0)
  values.set(b, a.length)
  const order = Array.from({ length: total }, (_, index) => index)
  order.sort((x, y) => (values[x]) - (values[y]))
  const doubledRanks = new Int32Array(total)
  let tieTerm = 0
  let start = 0
  while (start < total) {
    let end = start + 1
    while (end < total && values[order[end]] === values[order[start]]) end++
    // Positions start..end-1 hold ranks start+1..end.
    const doubled = start + 1 + end
    for (let i = start; i < end; i++) doubledRanks[order[i]] = doubled
    const tied = end - start
    tieTerm += tied * tied * tied - tied
    start = end
  }
  return { doubledRanks, tieTerm }
}

// Exact two-sided p: the share of all C(N, k) ways to pick k of the pooled (doubled)
// ranks whose sum lies at least as far from its mean as the observed sum does.
function exactPValue (doubledRanks: Int32Array, chosen: readonly number[]): number {
  const total = doubledRanks.length
  const k = chosen.length
  const sumMax = total * (total + 1)
  const width = sumMax + 1
  // counts[c * width + s]: ways to choose c of the ranks seen so far with doubled sum s.
  const counts = new Float64Array((k + 1) * width)
  counts[0] = 1
  for (let item = 0; item < total; item++) {
    const rank = doubledRanks[item]
    for (let c = Math.min(item + 1, k); c >= 1; c--) {
      const row = c * width
      const previousRow = (c - 1) * width
      for (let s = sumMax; s >= rank; s--) counts[row + s] += counts[previousRow + s - rank]
    }
  }
  let observed = 0
  for (const index of chosen) observed += doubledRanks[index]
  const center = k * (total + 1)
  const distance = Math.abs(observed - center)
  let extreme = 0
  let all = 0
  const row = k * width
  for (let s = 0; s <= sumMax; s++) {
    const ways = counts[row + s]
    all += ways
    if (Math.abs(s - center) >= distance) extreme += ways
  }
  return Math.min(1, extreme / all)
}

function normalPValue (u: number, n1: number, n2: number, tieTerm: number): number {
  const total = n1 + n2
  const variance = (n1 * n2 / 12) * ((total + 1) - tieTerm / (total * (total - 1)))
  // Every value tied: the samples are indistinguishable.
  if (!(variance > 0)) return 1
  const z = Math.max(0, Math.abs(u - n1 * n2 / 2) - 0.5) / Math.sqrt(variance)
  return normalTwoSidedP(z)
}

export function mannWhitneyU (a: readonly number[], b: readonly number[], options: UTestOptions = {}): UTestResult {
  const n1 = a.length
  const n2 = b.length
  assert.ok(n1 >= 1 && n2 >= 1, 'U test needs at least one value on each side')
  assert.ok(n1 + n2 <= SAMPLE_SIZE_MAX, `U test sample too large: ${n1 + n2}`)
  for (const value of a) assert.ok(Number.isFinite(value), `U test value not finite: ${value}`)
  for (const value of b) assert.ok(Number.isFinite(value), `U test value not finite: ${value}`)
  const { doubledRanks, tieTerm } = rankPooled(a, b)
  let doubledRankSum = 0
  for (let i = 0; i < n1; i++) doubledRankSum += doubledRanks[i]
  const u = doubledRankSum / 2 - n1 * (n1 + 1) / 2
  const requested = options.method ?? 'auto'
  const method: UTestMethod = requested === 'auto'
    ? (n1 + n2 <= EXACT_TOTAL_MAX ? 'exact' : 'normal')
    : requested
  assert.ok(method === 'normal' || n1 + n2 <= 2 * EXACT_TOTAL_MAX, 'exact U test asked for too large a sample')
  let pValue: number
  if (method === 'exact') {
    // Count subsets of the smaller sample's size: the two-sided p is the same either way.
    const firstIsSmaller = n1 <= n2
    const chosen = Array.from({ length: Math.min(n1, n2) }, (_, i) => (firstIsSmaller ? i : n1 + i))
    pValue = exactPValue(doubledRanks, chosen)
  } else {
    pValue = normalPValue(u, n1, n2, tieTerm)
  }
  return { u, pValue, method, n1, n2, hasTies: tieTerm > 0 }
}

// The smallest two-sided p the test can give for these sample sizes, reached when the
// samples do not overlap at all: 2 / C(n1 + n2, n1).
export function minimumTwoSidedP (n1: number, n2: number): number {
  let combinations = 1
  const k = Math.min(n1, n2)
  for (let i = 1; i <= k; i++) combinations = combinations * (n1 + n2 - k + i) / i
  return Math.min(1, 2 / combinations)
}

// Runs needed on each side before any difference can be significant at alpha
// (4 at 0.05). Bounded search; returns the bound + 1 for absurdly small alpha.
export function runsNeededForSignificance (alpha: number): number {
  const searchMax = 200
  for (let n = 1; n <= searchMax; n++) {
    if (minimumTwoSidedP(n, n) < alpha) return n
  }
  return searchMax + 1
}
