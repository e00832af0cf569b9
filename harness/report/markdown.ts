// report.md: the run in GitHub-flavoured Markdown, readable in a terminal (`cat`) and as a
// GitHub job summary: what ran, throughput, latency quantiles, errors, the max-rate search
// when there was one, configuration and environment. The numbers are those of the measured
// phase; the per-second series is in result.json and drawn in report.html.

import { formatValue } from '../compare/format.ts'
import { escapeMarkdown } from '../compare/markdown.ts'
import type { BenchResult } from '../results/result.ts'
import {
  backlogFigures, CORRECTED_LATENCY_NOTE, configurationRows, driverSettings, environmentRows, errorRows, formatCount, formatLatency,
  formatMiB, formatRate, latencyRows, NO_CONSUMERS_NOTE, runDescription, statusBadge, throughputRows, unsustainedRateWarning,
} from './model.ts'
import { brokerBreakdownSection, precisionSection, type ReportSection } from './precision-model.ts'

function table (header: string[], align: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ]
}

function keyValueTable (rows: Array<[string, string]>): string[] {
  return table(['', ''], [':--', ':--'], rows.map(([key, value]) => [key, escapeMarkdown(value)]))
}

/**
 * The driver's settings as a bulleted list under the configuration table (a table cell
 * would need HTML line breaks, which read badly in a terminal); notes nest one per line.
 */
function driverSettingsList (result: BenchResult): string[] {
  const settings = driverSettings(result)
  if (settings.length === 0) return []
  const lines = [`Driver settings (${escapeMarkdown(result.driverConfig.name)}):`, '']
  for (const setting of settings) {
    if (setting.items === null) {
      lines.push(`- ${escapeMarkdown(setting.key)}: ${escapeMarkdown(setting.value ?? '')}`)
    } else {
      lines.push(`- ${escapeMarkdown(setting.key)}:`, ...setting.items.map((item) => `  - ${escapeMarkdown(item)}`))
    }
  }
  return [...lines, '']
}

function sectionLines (section: ReportSection | null, h2: string): string[] {
  if (section === null) return []
  const lines = [`${h2} ${section.title}`, '', ...section.warnings.map(w => `> **${escapeMarkdown(w)}**`), ...(section.warnings.length > 0 ? [''] : []), escapeMarkdown(section.intro), '']
  if (section.header.every(h => h === '')) lines.push(...keyValueTable(section.rows.map(([k, v]) => [k ?? '', v ?? ''] as [string, string])))
  else lines.push(...table(section.header, section.header.map((_, i) => i === section.header.length - 1 ? '--:' : ':--'), section.rows.map(row => row.map(cell => escapeMarkdown(cell)))))
  lines.push('', ...section.notes.flatMap(n => [escapeMarkdown(n), '']))
  return lines
}

export interface MarkdownReportOptions {
  /** Heading level of the title (2 = "##"); sections are one level below. Default 2. */
  headingLevel?: number
}

export function resultToMarkdown (result: BenchResult, options: MarkdownReportOptions = {}): string {
  const level = Math.min(Math.max(options.headingLevel ?? 2, 1), 5)
  const h1 = '#'.repeat(level)
  const h2 = '#'.repeat(level + 1)
  const s = result.summary
  const lines: string[] = []
  const badge = statusBadge(result)
  const status = badge.kind === 'complete' ? badge.text : badge.text.toUpperCase()
  lines.push(`${h1} Sluice benchmark: ${escapeMarkdown(result.workload)} (${status})`, '')
  if (result.status === 'partial') {
    lines.push(`> **Partial result**: ${escapeMarkdown(result.statusReason ?? 'no reason recorded')}. The figures cover the ${formatCount(s.intervalCount)} measured seconds recorded before it stopped.`, '')
  }
  const unsustained = unsustainedRateWarning(result)
  if (unsustained !== null) lines.push(`> **Warning: the max-rate answer did not hold.** ${escapeMarkdown(unsustained)}`, '')
  lines.push(escapeMarkdown(runDescription(result)), '')

  lines.push(`${h2} Throughput`, '')
  lines.push(...table(['', 'rate', 'bandwidth', 'messages'], [':--', '--:', '--:', '--:'],
    throughputRows(result).map((row) => [row.label, formatRate(row.msgPerSec), formatMiB(row.miBPerSec), formatCount(row.messages)])))
  const backlog = backlogFigures(result)
  lines.push('', backlog === null ? NO_CONSUMERS_NOTE : `Backlog: at most ${backlog.max} messages, ${backlog.end} at the end.`, '')

  lines.push(`${h2} Latency`, '')
  lines.push(...table(['', 'p50', 'p99', 'p99.9', 'max', 'samples', 'measured as'], [':--', '--:', '--:', '--:', '--:', '--:', ':--'],
    latencyRows(result).map((row) => [
      row.label, formatLatency(row.p50), formatLatency(row.p99), formatLatency(row.p999), formatLatency(row.max), formatCount(row.count), row.definition,
    ])))
  lines.push('', CORRECTED_LATENCY_NOTE, '')
  lines.push(...sectionLines(brokerBreakdownSection(result), h2), ...sectionLines(precisionSection(result), h2))

  lines.push(`${h2} Errors`, '')
  const errors = errorRows(result)
  if (errors.length === 0) {
    lines.push('No publish errors.', '')
  } else {
    lines.push(`${formatCount(s.publishErrors)} publish errors (${formatValue(s.publishErrorRatePerSec, 'errors/s')}):`, '')
    lines.push(...table(['error code', 'count'], [':--', '--:'], errors.map((row) => [`\`${row.code}\``, formatCount(row.count)])), '')
  }

  if (result.maxRateSearch !== null) {
    lines.push(`${h2} Max-rate search`, '', '```text', ...result.maxRateSearch.explanation, '```', '')
  }
  if (result.faultBands.length > 0) {
    lines.push(`${h2} Faults`, '')
    lines.push(...table(['from', 'to', 'fault'], ['--:', '--:', ':--'],
      result.faultBands.map((band) => [`${+band.startSec.toFixed(1)} s`, `${+band.endSec.toFixed(1)} s`, escapeMarkdown(band.label)])), '')
  }
  lines.push(`${h2} Configuration`, '', ...keyValueTable(configurationRows(result)), '', ...driverSettingsList(result))
  lines.push(`${h2} Environment`, '', ...keyValueTable(environmentRows(result)), '')
  return lines.join('\n')
}
