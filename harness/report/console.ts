// The summary printed to the terminal at the end of a run: a few aligned lines a person
// reads at a glance, the same figures as report.md. Colour only when asked (a TTY), so CI
// logs stay free of escape codes.

import { formatValue } from '../compare/format.ts'
import type { BenchResult } from '../results/result.ts'
import {
  backlogFigures, errorRows, formatLatency, formatMiB, formatRate, formatCount, latencyRows, NO_CONSUMERS_NOTE, runDescription, throughputRows,
  statusBadge, unsustainedRateWarning,
} from './model.ts'

export interface ConsoleSummaryOptions {
  color?: boolean
  /** Files written by the run, listed at the end (result.json, report.html, ...). */
  files?: string[]
}

const ANSI = { bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', yellow: '\u001b[33m', green: '\u001b[32m', reset: '\u001b[0m' }

function columns (rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)))
  return rows.map((row) => row.map((cell, column) => {
    const pad = ' '.repeat(widths[column] - [...cell].length)
    return rightAligned.has(column) ? pad + cell : cell + pad
  }).join('   ').trimEnd())
}

export function formatConsoleSummary (result: BenchResult, options: ConsoleSummaryOptions = {}): string {
  const paint = (code: keyof typeof ANSI, text: string): string => options.color === true ? `${ANSI[code]}${text}${ANSI.reset}` : text
  const s = result.summary
  const out: string[] = []
  const badge = statusBadge(result)
  const status = badge.kind === 'complete' ? paint('green', badge.text) : paint('yellow', badge.text.toUpperCase())
  out.push(`${paint('bold', `Sluice benchmark ${result.workload}`)} (${status})`)
  out.push(paint('dim', runDescription(result)))
  if (result.status === 'partial') out.push(paint('yellow', `partial: ${result.statusReason ?? 'no reason recorded'}`))
  const unsustained = unsustainedRateWarning(result)
  if (unsustained !== null) out.push(paint('red', `WARNING: ${unsustained}`))
  out.push('')
  const throughput = [['throughput', 'rate', 'bandwidth', 'messages']]
  for (const row of throughputRows(result)) throughput.push([row.label, formatRate(row.msgPerSec), formatMiB(row.miBPerSec), formatCount(row.messages)])
  const [throughputHeader, ...throughputBody] = columns(throughput, new Set([1, 2, 3]))
  out.push(`  ${paint('bold', throughputHeader)}`, ...throughputBody.map((line) => `  ${line}`))
  const backlog = backlogFigures(result)
  out.push(backlog === null ? `  ${NO_CONSUMERS_NOTE}` : `  backlog: max ${backlog.max}, end ${backlog.end} messages`, '')
  const latency = [['latency', 'p50', 'p99', 'p99.9', 'max']]
  for (const row of latencyRows(result)) latency.push([row.label, formatLatency(row.p50), formatLatency(row.p99), formatLatency(row.p999), formatLatency(row.max)])
  const [latencyHeader, ...latencyBody] = columns(latency, new Set([1, 2, 3, 4]))
  out.push(`  ${paint('bold', latencyHeader)}`, ...latencyBody.map((line) => `  ${line}`), '')
  const errors = errorRows(result)
  if (errors.length === 0) {
    out.push('  errors: none')
  } else {
    const list = errors.map((row) => `${row.code} ${formatCount(row.count)}`).join(', ')
    out.push(paint('red', `  errors: ${formatCount(s.publishErrors)} (${formatValue(s.publishErrorRatePerSec, 'errors/s')}): ${list}`))
  }
  if (result.maxRateSearch !== null) out.push(`  max-rate: ${result.maxRateSearch.explanation.at(-1) ?? ''}`)
  const e2e = result.brokerBreakdown?.endToEnd ?? null
  if (e2e !== null) {
    const parts = e2e.rows.filter((row) => row.onPath).map((row) => `${row.label.replace(/^broker: /, '')} ${row.meanMs.toFixed(2)}`)
    out.push(`  end-to-end mean ${e2e.meanMs.toFixed(2)} ms, approx. by the broker's RequestMetrics: ${parts.join(', ')}, rest ${e2e.restMs.toFixed(2)} ms`)
  }
  for (const flag of result.precision?.disturbed ?? []) out.push(paint('yellow', `  disturbed: ${flag}`))
  for (const file of options.files ?? []) out.push(paint('dim', `  wrote ${file}`))
  return out.join('\n') + '\n'
}
