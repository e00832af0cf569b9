// report.html of a chaos run: one self-contained page (inline CSS and SVG, no scripts, the
// benchmark report's stylesheet and chart renderer) with the verdict, the anomaly table with
// evidence, the white-box checks with each partition's leader and ISR size over time,
// throughput and send latency over time with the nemesis's faults as shaded bands, the fault
// list and the settings. Rendered from result.json only.

import { ANOMALY_NAMES } from '../../chaos/check/anomaly.ts'
import { formatCase } from '../../chaos/check/format-verdict.ts'
import { pageHead } from '../report/html-style.ts'
import { escapeXml as esc, formatTickNumber } from '../report/svg.ts'
import { renderTimeChart } from '../report/time-chart.ts'
import type { ChartBand } from '../report/time-chart.ts'
import { renderOrderChart } from './report-orders.ts'
import { outcomeLabel, REPORT_CASES_SHOWN } from './report-markdown.ts'
import { whiteboxCharts, whiteboxHtml } from './report-whitebox.ts'
import type { ChaosResult } from './result.ts'

const EXTRA_STYLE = `
.badge.valid { background: #dcfce7; color: #166534; }
.badge.invalid { background: #fee2e2; color: #991b1b; }
.badge.failed { background: #fef3c7; color: #92400e; }
td code { white-space: normal; }
.wb { font-weight: 600; }
.wb.ok { color: #166534; }
.wb.failed { color: #991b1b; }
.wb.incomplete, .wb.skipped { color: #92400e; }
`

function badge (result: ChaosResult): string {
  const kind = result.exitCode === 0 ? 'valid' : result.exitCode === 1 || result.verdict?.valid === false ? 'invalid' : 'failed'
  return `<span class="badge ${kind}">${esc(outcomeLabel(result))}</span>`
}

function anomalyTable (result: ChaosResult): string {
  const verdict = result.verdict
  if (verdict === null) return '<p>No verdict: the history could not be checked.</p>'
  const found = ANOMALY_NAMES.filter(name => verdict.anomalies[name] !== undefined)
  if (found.length === 0) return '<p>No anomalies found.</p>'
  const rows = found.map(name => {
    const cases = verdict.anomalies[name]!
    const evidence = cases.slice(0, REPORT_CASES_SHOWN).map(c => `<div><code>${esc(formatCase(c))}</code></div>`).join('')
    return `<tr><td><strong>${esc(name)}</strong></td><td class="num">${verdict.anomalyCounts[name] ?? cases.length}</td><td>${evidence}</td></tr>`
  })
  return `<table><thead><tr><th>anomaly</th><th class="num">cases</th><th>evidence (first cases; ops are history.jsonl indexes)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function charts (result: ChaosResult): string {
  const bands: ChartBand[] = result.nemesis.bands.map(band => ({ ...band, kind: 'fault' }))
  const times = result.series.map(s => s.startSec)
  const throughput = renderTimeChart({
    title: 'Operations completed per second',
    yLabel: 'ops/s',
    times,
    bands,
    series: [
      { name: 'sends ok', color: '#2563eb', values: result.series.map(s => s.sendsOk), area: true },
      { name: 'polls ok', color: '#059669', values: result.series.map(s => s.pollsOk) },
      { name: 'sends info', color: '#d97706', values: result.series.map(s => s.sendsInfo), dashed: true },
      { name: 'sends fail', color: '#dc2626', values: result.series.map(s => s.sendsFail), dashed: true },
    ],
  })
  const latency = renderTimeChart({
    title: 'Send latency per second (acknowledged sends)',
    yLabel: 'latency (ms)',
    times,
    bands,
    yScale: 'auto',
    formatY: value => `${formatTickNumber(value)} ms`,
    series: [
      { name: 'p50', color: '#2563eb', values: result.series.map(s => s.sendLatencyMsP50) },
      { name: 'p99', color: '#7c3aed', values: result.series.map(s => s.sendLatencyMsP99) },
      { name: 'max', color: '#dc2626', values: result.series.map(s => s.sendLatencyMsMax), dashed: true },
    ],
  })
  const figure = (id: string, title: string, caption: string, svg: string): string =>
    `<figure id="${id}"><figcaption><h3>${esc(title)}</h3><p>${esc(caption)}</p></figcaption>${svg}</figure>`
  return `<section class="charts">${figure('throughput', 'Throughput', 'Completed sends and polls per second; info = outcome unknown. Shaded: faults.', throughput)}` +
    `${figure('latency', 'Send latency', 'Invoke to acknowledgement of ok sends. Shaded: faults.', latency)}</section>`
}

/** The orders plot of each key with anomalies and the unseen count over time. */
function anomalyCharts (result: ChaosResult): string {
  const plots = result.verdict?.plots
  if (plots === undefined) return ''
  const figure = (id: string, title: string, caption: string, svg: string): string =>
    `<figure id="${id}"><figcaption><h3>${esc(title)}</h3><p>${esc(caption)}</p></figcaption>${svg}</figure>`
  const figures = plots.orders.map((plot, i) => figure(`orders-${i}`, `Orders: key ${plot.key}`,
    'Each value observed in the key\'s log at its offset (sends and polls). Values climb one step per offset in a correct log; red values are named by an anomaly.', renderOrderChart(plot)))
  if (plots.unseen.length > 0) {
    const bands: ChartBand[] = result.nemesis.bands.map(band => ({ ...band, kind: 'fault' }))
    const unseen = renderTimeChart({
      title: 'Unseen values over time',
      yLabel: 'values',
      times: plots.unseen.map(([sec]) => sec),
      bands,
      series: [{ name: 'committed, not yet read', color: '#7c3aed', values: plots.unseen.map(([, count]) => count), area: true }],
    })
    figures.push(figure('unseen', 'Unseen', 'Committed values no ok poll had returned yet; it must fall to zero after the final polls. Shaded: faults.', unseen))
  }
  return figures.length === 0 ? '' : `<section class="charts">${figures.join('')}</section>`
}

function faultTable (result: ChaosResult): string {
  const rows = result.nemesis.bands.map(b => `<tr><td>${esc(b.label)}</td><td class="num">${b.startSec.toFixed(1)}</td><td class="num">${b.endSec.toFixed(1)}</td></tr>`)
  const errors = result.nemesis.errors.map(e => `<li>${esc(e)}</li>`).join('')
  const table = rows.length === 0 ? '<p>No faults were injected.</p>'
    : `<table><thead><tr><th>fault</th><th class="num">from (s)</th><th class="num">to (s)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  return table + (errors === '' ? '' : `<ul>${errors}</ul>`)
}

function keyValues (rows: ReadonlyArray<[string, string]>): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`
}

function runFacts (result: ChaosResult): Array<[string, string]> {
  const stats = result.verdict?.stats
  const p = result.settings.producer
  const rows: Array<[string, string]> = [
    ['seed', `${result.seed} (nemesis ${result.nemesisSeed})`],
    ['mode', result.mode],
    ['producer', `acks=${p.acks === -1 ? 'all' : p.acks}, idempotent ${p.idempotent ? 'yes' : 'no'}, retries ${p.retries}`],
    ['broker config', Object.entries(result.settings.brokerConfig).map(([k, v]) => `${k}=${String(v)}`).join(', ') || 'defaults'],
    ['chaos', JSON.stringify(result.settings.chaos)],
  ]
  if (stats !== undefined) {
    rows.push(['ops', `${stats.ops}; sends ok ${stats.sendsOk} / fail ${stats.sendsFail} / info ${stats.sendsInfo}; polls ${stats.polls} (final ${stats.pollsFinal}); commits ${stats.commits}; crashes ${stats.crashes}`])
  }
  if (result.transform !== null) rows.push(['transform', `${result.transform.processors} processors, ${result.transform.commitMode}, ${result.transform.crashes} crashes, drained ${result.transform.drained ? 'yes' : 'no'}`])
  if (result.cluster !== null) rows.push(['cluster', result.cluster.description])
  if (result.toxiproxy !== null) rows.push(['toxiproxy', `${result.toxiproxy.url} (${result.toxiproxy.embedded ? 'embedded' : 'external'})`])
  rows.push(['commit', result.environment.gitCommit ?? 'unknown'], ['Node', result.environment.nodeVersion], ['started', result.startTime], ['ended', result.endTime])
  return rows
}

export function chaosResultToHtml (result: ChaosResult): string {
  const title = `Sluice chaos run: ${result.workload}`
  const failure = result.failure === null ? '' : `<div class="warning"><strong>The run itself failed:</strong> ${esc(result.failure)}</div>`
  const verdict = result.verdict
  const unchecked = (verdict?.unchecked.length ?? 0) > 0 ? `<p class="note">Not checked: ${esc(verdict!.unchecked.join(', '))}</p>` : ''
  const unknown = (verdict?.unknownReasons ?? []).map(reason => `<p class="note">Unknown: ${esc(reason)}</p>`).join('')
  const checkers = (verdict?.checkers ?? []).length > 0 ? `<p class="note">Checkers run: ${esc(verdict!.checkers.join(', '))}</p>` : ''
  return `${pageHead(esc(title), EXTRA_STYLE)}
<main>
<header><h1>${esc(title)} ${badge(result)}</h1><p class="meta">run ${esc(result.runId)} · ${esc(result.startTime)}</p></header>
${failure}
<section><h2>Anomalies</h2>${anomalyTable(result)}${unknown}${unchecked}${checkers}</section>
${anomalyCharts(result)}
<section><h2>White-box checks (the brokers' own state)</h2>${whiteboxHtml(result)}</section>
${whiteboxCharts(result)}
${charts(result)}
<section class="tables"><div><h2>Faults</h2>${faultTable(result)}</div><div><h2>Run</h2>${keyValues(runFacts(result))}</div></section>
<footer>Generated by Sluice from result.json (format ${esc(result.format)} v${result.formatVersion}). Re-check offline with <code>sluice check history.jsonl</code>.</footer>
</main>
</body>
</html>
`
}
