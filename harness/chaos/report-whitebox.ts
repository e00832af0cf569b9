// The white-box part of a chaos run's reports (result.json's `whitebox`): a table of the
// checks with their status and why (skipped and incomplete ones included, so nothing is left
// out silently), the HW drops tolerated across restarts, and in report.html each partition's
// leader and ISR size over time under the nemesis's fault bands, drawn with the same time
// chart as throughput and latency.

import { escapeXml as esc } from '../report/svg.ts'
import { renderTimeChart } from '../report/time-chart.ts'
import type { ChartBand, ChartSeries } from '../report/time-chart.ts'
import type { ChaosResult } from './result.ts'
import type { WhiteboxPartitionSeries, WhiteboxResult } from './whitebox-judge.ts'

/** Partitions drawn per chart (a chart with more lines is unreadable). */
const PARTITIONS_CHARTED_MAX = 8
/** Samples per drawn line: a fine grid so a change reads as a step. */
const GRID_POINTS = 400
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563']
/** Lines of partitions with the same value are drawn this far apart so none hides another. */
const LINE_SPREAD = 0.05
const TOLERATED_SHOWN = 10

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

const NOT_RECORDED = 'This result has no white-box section (written before the checks existed).'

export function whiteboxMarkdown (result: ChaosResult): string[] {
  const whitebox = result.whitebox
  if (whitebox === undefined) return [NOT_RECORDED, '']
  const lines = ['| check | status | detail |', '|---|---|---|']
  for (const check of whitebox.checks) lines.push(`| ${check.name} | ${check.status.toUpperCase()} | ${cell(check.detail)} |`)
  lines.push('')
  if (whitebox.tolerated.length > 0) {
    lines.push(`HW drops across a broker restart (tolerated: a restarted broker resumes from its checkpointed HW): ${whitebox.tolerated.length}`, '')
    for (const t of whitebox.tolerated.slice(0, TOLERATED_SHOWN)) lines.push(`- ${cell(t)}`)
    lines.push('')
  }
  return lines
}

export function whiteboxHtml (result: ChaosResult): string {
  const whitebox = result.whitebox
  if (whitebox === undefined) return `<p>${esc(NOT_RECORDED)}</p>`
  const rows = whitebox.checks.map(c => `<tr><td><strong>${esc(c.name)}</strong></td><td><span class="wb ${c.status}">${esc(c.status)}</span></td><td>${esc(c.detail)}</td></tr>`)
  const tolerated = whitebox.tolerated.length === 0 ? ''
    : `<details><summary>${whitebox.tolerated.length} HW drop(s) across a broker restart (tolerated: a restarted broker resumes from its checkpointed HW)</summary><ul>${whitebox.tolerated.slice(0, TOLERATED_SHOWN).map(t => `<li>${esc(t)}</li>`).join('')}</ul></details>`
  return `<table><thead><tr><th>check</th><th>status</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>${tolerated}`
}

/** Value of a step series at each grid time: the last point at or before it (null before the first). */
export function stepValues (points: ReadonlyArray<readonly [number, number]>, times: readonly number[]): Array<number | null> {
  let at = -1
  return times.map(t => {
    while (at + 1 < points.length && points[at + 1]![0] <= t) at++
    return at < 0 ? null : points[at]![1]
  })
}

function gridTimes (whitebox: WhiteboxResult, endSec: number): number[] {
  const first = Math.min(...whitebox.partitions.map(p => p.points[0]?.[0] ?? endSec))
  const step = Math.max(0.05, (endSec - first) / GRID_POINTS)
  const times: number[] = []
  for (let t = first; t <= endSec + 1e-9; t += step) times.push(Math.round(t * 1000) / 1000)
  return times
}

function seriesOf (charted: readonly WhiteboxPartitionSeries[], times: readonly number[], pick: (point: [number, number, number, number]) => number | null): ChartSeries[] {
  return charted.map((p, i) => ({
    name: `${p.topic}-${p.partition}`,
    color: COLORS[i % COLORS.length]!,
    values: stepValues(p.points.map(point => [point[0], pick(point) ?? Number.NaN] as const), times)
      .map(v => v === null || Number.isNaN(v) ? null : v + i * LINE_SPREAD),
    dashed: i >= COLORS.length,
  }))
}

/** The leader and ISR-size charts, or '' when nothing was sampled. */
export function whiteboxCharts (result: ChaosResult): string {
  const whitebox = result.whitebox
  if (whitebox === undefined || whitebox.partitions.every(p => p.points.length === 0)) return ''
  const bands: ChartBand[] = result.nemesis.bands.map(band => ({ ...band, kind: 'fault' }))
  const lastPoint = Math.max(...whitebox.partitions.flatMap(p => p.points.map(point => point[0])))
  const endSec = Math.max(lastPoint, result.series.length, ...result.nemesis.bands.map(b => b.endSec))
  const times = gridTimes(whitebox, endSec)
  const charted = whitebox.partitions.slice(0, PARTITIONS_CHARTED_MAX)
  const more = whitebox.partitions.length > charted.length ? ` The first ${charted.length} of ${whitebox.partitions.length} partitions are drawn.` : ''
  const leader = renderTimeChart({
    title: 'Leader of each partition over time',
    yLabel: 'leader (broker id)',
    times,
    bands,
    integerTicks: true,
    formatY: value => `broker ${Math.round(value)}`,
    series: seriesOf(charted, times, ([, leaderId]) => leaderId < 0 ? null : leaderId),
  })
  const isr = renderTimeChart({
    title: 'ISR size of each partition over time',
    yLabel: 'ISR size (replicas)',
    times,
    bands,
    integerTicks: true,
    formatY: value => `${Math.round(value)}`,
    series: seriesOf(charted, times, ([, , , isrSize]) => isrSize),
  })
  const figure = (id: string, title: string, caption: string, svg: string): string =>
    `<figure id="${id}"><figcaption><h3>${esc(title)}</h3><p>${esc(caption)}</p></figcaption>${svg}</figure>`
  const sampled = `Sampled from the brokers' /admin/replicas every ${whitebox.sampler?.intervalMs ?? '?'} ms (the view with the newest leader epoch wins; in a tie the leader's own, else that of the broker answering longest, so an ISR change the controller quorum has not committed yet may show late); lines of different partitions are drawn slightly apart so none hides another. Shaded: faults.${more}`
  return `<section class="charts">${figure('leaders', 'Partition leaders', `A gap: no broker knew a leader (offline partition). ${sampled}`, leader)}` +
    `${figure('isr', 'ISR size', `How many replicas the ISR held. ${sampled}`, isr)}</section>`
}
