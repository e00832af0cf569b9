// Public face of the comparison engine behind `sluice compare <base> <candidate>`:
// reduce each run to a RunSummary, compare the two sets of runs, render Markdown.

export { compareRuns, worseFraction, RUNS_PER_SIDE_MAX, METRICS_MAX } from './compare.ts'
export type { CompareOptions, Comparison, MetricComparison, Verdict } from './compare.ts'
export { comparisonToMarkdown, gateLine, escapeMarkdown } from './markdown.ts'
export type { MarkdownOptions } from './markdown.ts'
export { DEFAULT_METRICS, ALL_METRICS, runSummaryFromResult, metricLabel } from './metrics.ts'
export type { Direction, MetricSpec, RunSummary } from './metrics.ts'
export { CompareError } from './errors.ts'
export type { CompareErrorCode } from './errors.ts'
export { median, quantile, summarize, geometricMean, quantileInterval } from './stats.ts'
export type { SampleSummary } from './stats.ts'
export { mannWhitneyU } from './mann-whitney.ts'
export type { UTestResult } from './mann-whitney.ts'
