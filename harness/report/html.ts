// report.html: one self-contained page per run. No scripts, no fonts, no stylesheets or
// images from anywhere: the CSS is inline and the charts are inline SVG, so the file opens
// offline, in a CI artifact viewer, or years later, and shows the same thing.

import type { BenchResult, FaultBand } from '../results/result.ts'
import { buildCharts } from './charts.ts'
import { pageHead } from './html-style.ts'
import {
  backlogFigures, CORRECTED_LATENCY_NOTE, configurationRows, driverSettings, environmentRows, errorRows, formatCount, formatLatency,
  formatMiB, formatRate, hasConsumers, latencyRows, NO_CONSUMERS_NOTE, runDescription, statusBadge, throughputRows, unsustainedRateWarning,
} from './model.ts'
import { brokerBreakdownSection, precisionSection, type ReportSection } from './precision-model.ts'
import { escapeXml as esc } from './svg.ts'

export interface HtmlReportOptions {
  /** Extra shaded time ranges (chaos runs), on top of the result's own faultBands. */
  bands?: readonly FaultBand[]
}

function table (header: readonly string[], rows: readonly string[][], numericFrom = 1): string {
  const cell = (tag: 'td' | 'th', value: string, index: number): string =>
    `<${tag}${index >= numericFrom ? ' class="num"' : ''}>${value}</${tag}>`
  return `<table><thead><tr>${header.map((h, i) => cell('th', esc(h), i)).join('')}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map((value, i) => cell('td', value, i)).join('')}</tr>`).join('')}</tbody></table>`
}

/** A key-value table; `htmlValues` holds cells already rendered as HTML, by key. */
function keyValues (rows: ReadonlyArray<[string, string]>, htmlValues: ReadonlyMap<string, string> = new Map()): string {
  const cell = (key: string, value: string): string => htmlValues.get(key) ?? esc(value)
  return `<table class="kv"><tbody>${rows.map(([key, value]) => `<tr><th>${esc(key)}</th><td>${cell(key, value)}</td></tr>`).join('')}</tbody></table>`
}

/** The driver's name, then its settings one per line, notes as a bulleted list. */
function driverCell (result: BenchResult): string {
  const lines = driverSettings(result).map((setting) => setting.items === null
    ? `<li><span class="setting">${esc(setting.key)}:</span> ${esc(setting.value ?? '')}</li>`
    : `<li><span class="setting">${esc(setting.key)}:</span><ul class="notes">${setting.items.map((item) => `<li>${esc(item)}</li>`).join('')}</ul></li>`)
  const list = lines.length === 0 ? '' : `<ul class="settings">${lines.join('')}</ul>`
  return `${esc(result.driverConfig.name)}${list}`
}

function card (label: string, value: string, note: string): string {
  return `<div class="card"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-note">${esc(note)}</div></div>`
}

function cards (result: BenchResult): string {
  const s = result.summary
  const consumers = hasConsumers(result)
  const backlog = backlogFigures(result)
  return `<section class="cards">${[
    card('publish rate', formatRate(s.publishRateMsgPerSec), formatMiB(s.publishRateMiBPerSec)),
    card('consume rate', formatRate(s.consumeRateMsgPerSec), consumers ? formatMiB(s.consumeRateMiBPerSec) : 'no consumers'),
    card('publish p99', formatLatency(s.correctedPublishLatencyUsP99), `from intended send; ${formatLatency(s.publishLatencyUsP99)} from actual send`),
    card('end-to-end p99', formatLatency(s.endToEndLatencyUsP99), consumers ? `p50 ${formatLatency(s.endToEndLatencyUsP50)}` : 'no consumers'),
    card('errors', formatCount(s.publishErrors), backlog === null ? 'no backlog tracked' : `backlog max ${backlog.max}`),
  ].join('')}</section>`
}

function summaryTables (result: BenchResult): string {
  const throughput = table(['', 'rate', 'bandwidth', 'messages'],
    throughputRows(result).map((row) => [esc(row.label), esc(formatRate(row.msgPerSec)), esc(formatMiB(row.miBPerSec)), esc(formatCount(row.messages))]))
  const latency = table(['', 'p50', 'p99', 'p99.9', 'max', 'samples'],
    latencyRows(result).map((row) => [
      `${esc(row.label)}<div class="definition">${esc(row.definition)}</div>`,
      ...[row.p50, row.p99, row.p999, row.max].map((value) => esc(formatLatency(value))),
      esc(formatCount(row.count)),
    ]))
  const errors = errorRows(result)
  const errorBlock = errors.length === 0
    ? '<p>No publish errors.</p>'
    : table(['error code', 'count'], errors.map((row) => [`<code>${esc(row.code)}</code>`, esc(formatCount(row.count))]))
  const noConsumers = hasConsumers(result) ? '' : `<p class="note">${esc(NO_CONSUMERS_NOTE)}</p>`
  return `<section class="tables"><div><h2>Throughput</h2>${throughput}${noConsumers}<h2>Errors</h2>${errorBlock}</div>` +
    `<div><h2>Latency</h2>${latency}<p class="note">${esc(CORRECTED_LATENCY_NOTE)}</p></div></section>`
}

/** A section of precision-model.ts: warnings first, then the table and its notes. */
function modelSection (section: ReportSection | null, id: string): string {
  if (section === null) return ''
  const warnings = section.warnings.map(w => `<div class="warning">${esc(w)}</div>`).join('')
  const body = section.header.every(h => h === '')
    ? keyValues(section.rows.map(([k, v]) => [k ?? '', v ?? ''] as [string, string]))
    : table(section.header, section.rows.map(row => row.map(cell => esc(cell))), section.header.length - 1)
  const notes = section.notes.map(n => `<p class="note">${esc(n)}</p>`).join('')
  return `<section id="${id}"><h2>${esc(section.title)}</h2>${warnings}<p>${esc(section.intro)}</p>${body}${notes}</section>`
}

function chartsSection (result: BenchResult, options: HtmlReportOptions): string {
  const figures = buildCharts(result, options.bands ?? []).map((chart) =>
    `<figure id="${esc(chart.id)}"><figcaption><h3>${esc(chart.title)}</h3><p>${esc(chart.caption)}</p></figcaption>${chart.svg}</figure>`)
  return `<section class="charts">${figures.join('')}</section>`
}

export function resultToHtml (result: BenchResult, options: HtmlReportOptions = {}): string {
  const partial = result.status === 'partial'
  const status = statusBadge(result)
  const badge = `<span class="badge ${status.kind}">${esc(status.text)}</span>`
  const warning = partial
    ? `<div class="warning"><strong>Partial result:</strong> ${esc(result.statusReason ?? 'no reason recorded')}. The figures cover the ${formatCount(result.summary.intervalCount)} measured seconds recorded before the run stopped.</div>`
    : ''
  const unsustained = unsustainedRateWarning(result)
  const unsustainedBlock = unsustained === null ? '' : `<div class="warning"><strong>The max-rate answer did not hold.</strong> ${esc(unsustained)}</div>`
  const search = result.maxRateSearch === null
    ? ''
    : `<section><h2>Max-rate search</h2><pre>${esc(result.maxRateSearch.explanation.join('\n'))}</pre></section>`
  const title = `Sluice benchmark: ${result.workload}`
  return `${pageHead(esc(title))}
<main>
<header><h1>${esc(title)} ${badge}</h1><p class="subtitle">${esc(runDescription(result))}</p><p class="meta">run ${esc(result.runId)} · ${esc(result.startTime)}</p></header>
${warning}
${unsustainedBlock}
${cards(result)}
${summaryTables(result)}
${modelSection(brokerBreakdownSection(result), 'broker-breakdown')}
${modelSection(precisionSection(result), 'precision')}
${chartsSection(result, options)}
${search}
<section class="tables"><div><h2>Configuration</h2>${keyValues(configurationRows(result), new Map([['driver', driverCell(result)]]))}</div><div><h2>Environment</h2>${keyValues(environmentRows(result))}</div></section>
<footer>Generated by Sluice from result.json (format ${esc(result.format)} v${result.formatVersion}). Hover over a chart for per-second values.</footer>
</main>
</body>
</html>
`
}
