// Renders a Comparison as GitHub-flavoured Markdown for a CI job summary or a PR comment:
// a benchstat-like table (median ± CI per side, delta or `~`, p-value and run counts), a
// geometric-mean row, a legend, the notes, and one line saying whether the gate passed.

import type { Comparison, MetricComparison } from './compare.ts'
import { formatIntervalPercent, formatPValue, formatPercentChange, formatValue } from './format.ts'
import { metricLabel } from './metrics.ts'
import type { SampleSummary } from './stats.ts'

export interface MarkdownOptions {
  // Heading above the table; false for none. Defaults to "Sluice compare: base → candidate".
  heading?: string | false
}

// Labels and notes are text from outside (branch names, file paths). Escape what would
// break a table cell or start markup: GFM treats even a pair of single tildes as
// strikethrough, and a stray `<` can open an HTML tag.
export function escapeMarkdown (text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|~<>#]/g, (char) => `\\${char}`)
}

function fractionAsPercent (fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`
}

function sideCell (side: SampleSummary, unit: string): string {
  const interval = side.n === 1 ? '∞' : formatIntervalPercent(side.median, side.ciLow, side.ciHigh)
  return `${formatValue(side.median, unit)} ± ${interval}`
}

function deltaCell (row: MetricComparison): string {
  if (row.verdict === '~') return '~'
  const change = formatPercentChange(row.deltaFraction)
  return row.verdict === 'regressed' ? `**${change}** (worse)` : `${change} (better)`
}

function sizeCell (row: MetricComparison): string {
  const n1 = row.base.n
  const n2 = row.candidate.n
  return `${formatPValue(row.pValue)} (${n1 === n2 ? `n=${n1}` : `n=${n1}+${n2}`})`
}

function metricCell (row: MetricComparison): string {
  const arrow = row.metric.direction === 'higher-is-better' ? '↑' : '↓'
  return `${escapeMarkdown(metricLabel(row.metric))} ${arrow}`
}

function geomeanRow (c: Comparison): string {
  const { deltaFraction, metricCount } = c.geomean
  if (metricCount === 0) return '| **geomean** | | | n/a | |'
  const word = deltaFraction > 0 ? ' (worse)' : deltaFraction < 0 ? ' (better)' : ''
  const metrics = metricCount === 1 ? '1 metric' : `${metricCount} metrics`
  return `| **geomean** (${metrics}) | | | ${formatPercentChange(deltaFraction)}${word} | |`
}

function legend (c: Comparison): string {
  const { alpha, noiseThreshold, confidence } = c.thresholds
  return [
    `Medians ± ${fractionAsPercent(confidence)} confidence interval; ↑ higher is better, ↓ lower is better.`,
    `\`~\` means no significant change: Mann-Whitney U p ≥ ${alpha}, or a change smaller than ${fractionAsPercent(noiseThreshold)}.`,
    'The geomean is the geometric mean of every metric\'s cost ratio (candidate/base for lower-is-better metrics, base/candidate for higher-is-better ones), so + means worse overall.',
  ].join(' ')
}

function regressionList (rows: readonly MetricComparison[]): string {
  return rows.map((row) => `${escapeMarkdown(metricLabel(row.metric))} ${formatPercentChange(row.deltaFraction)}`).join(', ')
}

export function gateLine (c: Comparison): string {
  const { failThreshold } = c.thresholds
  if (c.gateUndecidedReason !== null) return `⚠️ **Gate undecided**: it could not have failed: ${escapeMarkdown(c.gateUndecidedReason)}.`
  if (c.gateFailed) {
    const failing = c.rows.filter((row) => row.gateFailed)
    const noun = failing.length === 1 ? 'regression' : 'regressions'
    return `❌ **Gate failed**: ${failing.length} significant ${noun} beyond ${fractionAsPercent(failThreshold)}: ${regressionList(failing)}.`
  }
  const limit = `no significant regression beyond ${fractionAsPercent(failThreshold)}`
  // Significant regressions can exist here, just none beyond the threshold: name them.
  const extra = c.regressions.length > 0 ? ` (within the threshold: ${regressionList(c.regressions)})` : ''
  return `✅ **Gate passed**: ${limit}${extra}.`
}

export function comparisonToMarkdown (c: Comparison, labels: { base: string, candidate: string }, options: MarkdownOptions = {}): string {
  const base = escapeMarkdown(labels.base)
  const candidate = escapeMarkdown(labels.candidate)
  const lines: string[] = []
  const heading = options.heading === undefined ? `Sluice compare: ${base} → ${candidate}` : options.heading
  if (heading !== false) lines.push(`### ${heading}`, '')
  lines.push(`| metric | ${base} | ${candidate} | delta | p (n) |`)
  lines.push('| :-- | --: | --: | --: | :-- |')
  for (const row of c.rows) {
    lines.push(`| ${metricCell(row)} | ${sideCell(row.base, row.metric.unit)} | ${sideCell(row.candidate, row.metric.unit)} | ${deltaCell(row)} | ${sizeCell(row)} |`)
  }
  lines.push(geomeanRow(c), '', legend(c), '')
  if (c.notes.length > 0) {
    lines.push('**Notes**', '')
    for (const note of c.notes) lines.push(`- ${escapeMarkdown(note)}`)
    lines.push('')
  }
  lines.push(gateLine(c), '')
  return lines.join('\n')
}
