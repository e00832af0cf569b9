// Compares repeated runs of a base and a candidate, metric by metric, the way benchstat
// does: medians with confidence intervals, a Mann-Whitney U test for "did it change", and
// on top a practical threshold (as criterion has) so that a real but tiny shift does not
// count. The gate fails only on a significant regression larger than failThreshold.

import { CompareError } from './errors.ts'
import { mannWhitneyU, minimumTwoSidedP, runsNeededForSignificance } from './mann-whitney.ts'
import type { UTestMethod } from './mann-whitney.ts'
import { DEFAULT_METRICS } from './metrics.ts'
import type { MetricSpec, RunSummary } from './metrics.ts'
import { geometricMean, runsNeededForMedianCI, summarize } from './stats.ts'
import type { SampleSummary } from './stats.ts'

export interface CompareOptions {
  // Significance level of the U test. Default 0.05.
  alpha?: number
  // Relative changes smaller than this are noise, whatever the p-value. Default 0.02.
  noiseThreshold?: number
  // A significant regression bigger than this fails the gate. Default 0.05; Infinity
  // turns the gate off.
  failThreshold?: number
  // Coverage of the medians' confidence intervals. Default 0.95.
  confidence?: number
  metrics?: readonly MetricSpec[]
}

export type Verdict = 'improved' | 'regressed' | '~'

export interface MetricComparison {
  metric: MetricSpec
  base: SampleSummary
  candidate: SampleSummary
  // candidate median / base median - 1, whatever the direction.
  deltaFraction: number
  pValue: number
  testMethod: UTestMethod
  // p < alpha and |deltaFraction| >= noiseThreshold.
  significant: boolean
  verdict: Verdict
  gateFailed: boolean
}

export interface Comparison {
  rows: MetricComparison[]
  // Geometric mean over the rows of the cost ratio: candidate/base for lower-is-better
  // metrics, base/candidate for higher-is-better ones (as if every metric were a time).
  // So ratio > 1 (deltaFraction > 0) means the candidate is worse overall, < 1 better.
  geomean: { deltaFraction: number, ratio: number, metricCount: number }
  regressions: MetricComparison[]
  improvements: MetricComparison[]
  gateFailed: boolean
  // Why the gate could not have failed whatever the runs measured (too few runs for any
  // p-value below alpha, the threshold turned off, runs of different workloads), or null
  // when it could. A CI job must not read "passed" into an undecided gate.
  gateUndecidedReason: string | null
  notes: string[]
  thresholds: { alpha: number, noiseThreshold: number, failThreshold: number, confidence: number }
}

// Bounds on the input: far beyond any real use, small enough to be cheap.
export const RUNS_PER_SIDE_MAX = 100_000
export const METRICS_MAX = 1000

interface ResolvedOptions {
  alpha: number
  noiseThreshold: number
  failThreshold: number
  confidence: number
  metrics: readonly MetricSpec[]
}

function resolveOptions (opts: CompareOptions): ResolvedOptions {
  const alpha = opts.alpha ?? 0.05
  const noiseThreshold = opts.noiseThreshold ?? 0.02
  const failThreshold = opts.failThreshold ?? 0.05
  const confidence = opts.confidence ?? 0.95
  const metrics = opts.metrics ?? DEFAULT_METRICS
  const bad = (message: string): never => { throw new CompareError('ERR_COMPARE_OPTIONS', message) }
  if (!(alpha > 0 && alpha < 1)) bad(`alpha must be in (0, 1), got ${alpha}`)
  if (!(noiseThreshold >= 0 && Number.isFinite(noiseThreshold))) bad(`noiseThreshold must be a finite fraction >= 0, got ${noiseThreshold}`)
  if (!(failThreshold >= 0)) bad(`failThreshold must be a fraction >= 0 (or Infinity), got ${failThreshold}`)
  if (!(confidence > 0 && confidence < 1)) bad(`confidence must be in (0, 1), got ${confidence}`)
  if (metrics.length === 0 || metrics.length > METRICS_MAX) bad(`need 1..${METRICS_MAX} metrics, got ${metrics.length}`)
  const names = new Set(metrics.map((metric) => metric.name))
  if (names.size !== metrics.length) bad('metric names must be unique')
  return { alpha, noiseThreshold, failThreshold, confidence, metrics }
}

function checkRuns (runs: readonly RunSummary[], side: string): void {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new CompareError('ERR_COMPARE_INPUT', `no ${side} runs to compare`)
  }
  if (runs.length > RUNS_PER_SIDE_MAX) {
    throw new CompareError('ERR_COMPARE_INPUT', `${runs.length} ${side} runs is more than the ${RUNS_PER_SIDE_MAX} allowed`)
  }
  for (const run of runs) {
    if (typeof run !== 'object' || run === null) throw new CompareError('ERR_COMPARE_INPUT', `a ${side} run summary is not an object`)
  }
}

// Values of one metric across runs; runs without a finite value for it are left out.
function valuesOf (runs: readonly RunSummary[], name: string): number[] {
  const values: number[] = []
  for (const run of runs) {
    const value = run[name]
    if (typeof value === 'number' && Number.isFinite(value)) values.push(value)
  }
  return values
}

function relativeChange (base: number, candidate: number): number {
  if (base === candidate) return 0
  if (base === 0) return candidate > 0 ? Infinity : -Infinity
  return candidate / base - 1
}

// How much worse the candidate is, as a positive fraction; negative when it is better.
export function worseFraction (row: Pick<MetricComparison, 'metric' | 'deltaFraction'>): number {
  return row.metric.direction === 'lower-is-better' ? row.deltaFraction : -row.deltaFraction
}

function compareMetric (metric: MetricSpec, baseValues: number[], candidateValues: number[], options: ResolvedOptions): MetricComparison {
  const base = summarize(baseValues, options.confidence)
  const candidate = summarize(candidateValues, options.confidence)
  const deltaFraction = relativeChange(base.median, candidate.median)
  const test = mannWhitneyU(baseValues, candidateValues)
  const significant = test.pValue < options.alpha && Math.abs(deltaFraction) >= options.noiseThreshold
  const worse = worseFraction({ metric, deltaFraction })
  const verdict: Verdict = !significant ? '~' : worse > 0 ? 'regressed' : 'improved'
  const gateFailed = verdict === 'regressed' && worse > options.failThreshold
  return { metric, base, candidate, deltaFraction, pValue: test.pValue, testMethod: test.method, significant, verdict, gateFailed }
}

function sizeLabel (n1: number, n2: number): string {
  return n1 === n2 ? `n=${n1}` : `n=${n1}+${n2}`
}

// Notes about sample sizes, one per distinct size so a table of six metrics with five
// runs each does not repeat the same warning six times.
function sampleSizeNotes (rows: readonly MetricComparison[], options: ResolvedOptions): string[] {
  const notes = new Set<string>()
  const runsForSignificance = runsNeededForSignificance(options.alpha)
  const runsForInterval = runsNeededForMedianCI(options.confidence)
  const percent = (fraction: number): string => `${+(fraction * 100).toFixed(1)}%`
  for (const row of rows) {
    const n1 = row.base.n
    const n2 = row.candidate.n
    if (minimumTwoSidedP(n1, n2) >= options.alpha) {
      notes.add(`${sizeLabel(n1, n2)}: too few runs for significance at alpha=${options.alpha}; every difference shows as ~ (need at least ${runsForSignificance} runs of each).`)
    }
    for (const side of [row.base, row.candidate]) {
      if (!side.ciReduced) continue
      notes.add(side.n === 1
        ? 'n=1: a single run has no confidence interval (shown as ± ∞).'
        : `n=${side.n}: fewer than ${runsForInterval} runs, so the ± shown is the sample range, which covers the median with ${percent(side.ciConfidence)} confidence rather than ${percent(options.confidence)}.`)
    }
  }
  return [...notes]
}

function geomeanOf (rows: readonly MetricComparison[], notes: string[]): Comparison['geomean'] {
  const ratios: number[] = []
  const excluded: string[] = []
  for (const row of rows) {
    const base = row.base.median
    const candidate = row.candidate.median
    if (!(base > 0 && candidate > 0)) {
      excluded.push(row.metric.name)
      continue
    }
    ratios.push(row.metric.direction === 'lower-is-better' ? candidate / base : base / candidate)
  }
  if (excluded.length > 0) notes.push(`geomean leaves out ${excluded.join(', ')}: a median is not positive.`)
  if (ratios.length === 0) return { deltaFraction: 0, ratio: 1, metricCount: 0 }
  const ratio = geometricMean(ratios)
  return { deltaFraction: ratio - 1, ratio, metricCount: ratios.length }
}

function undecidedReason (rows: readonly MetricComparison[], options: ResolvedOptions): string | null {
  if (!Number.isFinite(options.failThreshold)) return 'the fail threshold is off'
  if (rows.some((row) => minimumTwoSidedP(row.base.n, row.candidate.n) < options.alpha)) return null
  const n1 = Math.min(...rows.map((row) => row.base.n))
  const n2 = Math.min(...rows.map((row) => row.candidate.n))
  const needed = runsNeededForSignificance(options.alpha)
  return `with ${n1} base and ${n2} candidate runs no difference can be significant at alpha ${options.alpha} ` +
    `(the smallest p the test can give is ${+minimumTwoSidedP(n1, n2).toFixed(3)}): run at least ${needed} of each`
}

export function compareRuns (base: RunSummary[], candidate: RunSummary[], opts: CompareOptions = {}): Comparison {
  const options = resolveOptions(opts)
  checkRuns(base, 'base')
  checkRuns(candidate, 'candidate')
  const rows: MetricComparison[] = []
  const notes: string[] = []
  for (const metric of options.metrics) {
    const baseValues = valuesOf(base, metric.name)
    const candidateValues = valuesOf(candidate, metric.name)
    const missing = [baseValues.length === 0 ? 'base' : '', candidateValues.length === 0 ? 'candidate' : ''].filter(Boolean)
    if (missing.length > 0) {
      notes.push(`${metric.name}: missing from the ${missing.join(' and ')} runs; not compared.`)
      continue
    }
    if (baseValues.length < base.length || candidateValues.length < candidate.length) {
      notes.push(`${metric.name}: present in ${baseValues.length} of ${base.length} base and ${candidateValues.length} of ${candidate.length} candidate runs.`)
    }
    rows.push(compareMetric(metric, baseValues, candidateValues, options))
  }
  if (rows.length === 0) {
    throw new CompareError('ERR_COMPARE_NO_METRICS', `none of the metrics (${options.metrics.map((m) => m.name).join(', ')}) is present on both sides`)
  }
  notes.unshift(...sampleSizeNotes(rows, options))
  const geomean = geomeanOf(rows, notes)
  const regressions = rows.filter((row) => row.verdict === 'regressed')
  const improvements = rows.filter((row) => row.verdict === 'improved')
  return {
    rows,
    geomean,
    regressions,
    improvements,
    gateFailed: rows.some((row) => row.gateFailed),
    gateUndecidedReason: undecidedReason(rows, options),
    notes,
    thresholds: {
      alpha: options.alpha,
      noiseThreshold: options.noiseThreshold,
      failThreshold: options.failThreshold,
      confidence: options.confidence,
    },
  }
}
