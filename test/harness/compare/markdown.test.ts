import { describe, expect, it } from 'vitest'
import { compareRuns } from '../../../harness/compare/compare.ts'
import type { RunSummary } from '../../../harness/compare/metrics.ts'
import { comparisonToMarkdown, escapeMarkdown } from '../../../harness/compare/markdown.ts'
import { formatIntervalPercent, formatPValue, formatPercentChange, formatValue } from '../../../harness/compare/format.ts'
import { seededNormal } from './seeded-random.ts'

function runs (normal: () => number, n: number, centers: RunSummary, relativeSd: number): RunSummary[] {
  return Array.from({ length: n }, () => Object.fromEntries(
    Object.entries(centers).map(([name, center]) => [name, center * (1 + relativeSd * normal())]),
  ))
}

describe('number formatting', () => {
  it('scales times between ns and s with three significant digits', () => {
    expect(formatValue(850, 'us')).toBe('850 µs')
    expect(formatValue(1234, 'us')).toBe('1.23 ms')
    expect(formatValue(999.7, 'us')).toBe('1.00 ms')
    expect(formatValue(0.5, 'us')).toBe('500 ns')
    expect(formatValue(2_500_000, 'us')).toBe('2.50 s')
    expect(formatValue(12, 'ms')).toBe('12.0 ms')
  })

  it('puts SI prefixes on rates but leaves binary-prefixed units alone', () => {
    expect(formatValue(51_234, 'msg/s')).toBe('51.2k msg/s')
    expect(formatValue(1_500_000, 'msg/s')).toBe('1.50M msg/s')
    expect(formatValue(950, 'msg/s')).toBe('950 msg/s')
    expect(formatValue(78.31, 'MiB/s')).toBe('78.3 MiB/s')
    expect(formatValue(1234.5, 'MiB/s')).toBe('1235 MiB/s')
  })

  it('formats changes, intervals and p-values', () => {
    expect(formatPercentChange(0.2)).toBe('+20.0%')
    expect(formatPercentChange(-0.16667)).toBe('-16.7%')
    expect(formatPercentChange(0.00001)).toBe('0.0%')
    expect(formatIntervalPercent(100, 97, 104)).toBe('4.0%')
    expect(formatIntervalPercent(100, 80, 125)).toBe('25%')
    expect(formatPValue(0.0079365)).toBe('p=0.008')
    expect(formatPValue(0.00001)).toBe('p<0.001')
  })
})

describe('comparisonToMarkdown', () => {
  const normal = seededNormal(99)
  const base = runs(normal, 6, { publishRateMsgPerSec: 50_000, correctedPublishLatencyUsP99: 2_500, endToEndLatencyUsP50: 1_200 }, 0.01)
  const candidate = runs(normal, 6, { publishRateMsgPerSec: 40_000, correctedPublishLatencyUsP99: 2_500, endToEndLatencyUsP50: 1_200 }, 0.01)
  const comparison = compareRuns(base, candidate, { failThreshold: 0.05 })
  const markdown = comparisonToMarkdown(comparison, { base: 'main', candidate: 'feature|x' })
  const lines = markdown.split('\n')

  it('renders one table row per compared metric with medians, delta and p-value', () => {
    const header = lines.find((line) => line.startsWith('| metric |'))
    expect(header).toBe('| metric | main | feature\\|x | delta | p (n) |')
    const rateRow = lines.find((line) => line.startsWith('| publish rate ↑ |'))
    expect(rateRow).toMatch(/^\| publish rate ↑ \| (49|50)\.\dk msg\/s ± [\d.]+% \| (39|40)\.\dk msg\/s ± [\d.]+% \| \*\*-20\.\d%\*\* \(worse\) \| p=0\.002 \(n=6\) \|$/)
    const latencyRow = lines.find((line) => line.startsWith('| publish latency p99 from intended send ↓ |'))
    expect(latencyRow).toMatch(/\| ~ \| p=[01]\.\d{3} \(n=6\) \|$/)
    expect(lines.find((line) => line.startsWith('| end-to-end latency p50 ↓ |'))).toContain('| ~ |')
  })

  it('keeps every table line at five cells so GitHub renders the table', () => {
    const tableLines = lines.filter((line) => line.startsWith('|'))
    expect(tableLines).toHaveLength(2 + comparison.rows.length + 1)
    for (const line of tableLines) expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(7)
  })

  it('adds a geomean row, the notes and a one-line gate verdict', () => {
    expect(lines.find((line) => line.startsWith('| **geomean** (3 metrics) |'))).toMatch(/\+\d+\.\d% \(worse\)/)
    expect(markdown).toContain('**Notes**')
    expect(markdown).toContain('- consumeRateMsgPerSec: missing from the base and candidate runs; not compared.')
    const gate = lines.filter((line) => line.includes('**Gate'))
    expect(gate).toHaveLength(1)
    expect(gate[0]).toMatch(/^❌ \*\*Gate failed\*\*: 1 significant regression beyond 5%: publish rate -20\.\d%\.$/)
  })

  it('says the gate passed when nothing regressed beyond the threshold', () => {
    const same = compareRuns(base, base, { failThreshold: 0.05 })
    const text = comparisonToMarkdown(same, { base: 'a', candidate: 'b' }, { heading: false })
    expect(text.startsWith('| metric |')).toBe(true)
    expect(text).toContain('✅ **Gate passed**: no significant regression beyond 5%.')
    expect(text).not.toContain('Gate failed')
  })

  it('escapes labels that would break the table or open HTML', () => {
    expect(escapeMarkdown('a|b<script>\nc~d')).toBe('a\\|b\\<script\\> c\\~d')
  })
})
