// Two report sections computed once for report.md and report.html: where a message's time
// went by the reference broker's own RequestMetrics (left out for other targets), and how
// precise the figures are (clock, histograms, core sharing, disturbed figures).

import type { BenchResult } from '../results/result.ts'
import { cpuListSize } from '../results/precision.ts'

export interface ReportSection {
  title: string
  intro: string
  header: string[]
  rows: string[][]
  notes: string[]
  /** Shown as warnings: figures a reader must not take at face value. */
  warnings: string[]
}

function ms (value: number): string {
  if (!Number.isFinite(value)) return '–'
  return value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(3)} ms`
}

export const BREAKDOWN_TITLE = 'Where the time goes (broker RequestMetrics, approximate)'
export const PRECISION_TITLE = 'Measurement precision'

export function brokerBreakdownSection (result: BenchResult): ReportSection | null {
  const b = result.brokerBreakdown
  if (b === null || b === undefined) return null
  const rows: string[][] = []
  const notes = [`Method: ${b.method}.`]
  if (b.endToEnd !== null) {
    for (const row of b.endToEnd.rows) rows.push([row.label, row.onPath ? 'yes' : 'no', row.note, ms(row.meanMs)])
    rows.push(['rest: network, client batching, consumer fetch cadence', 'yes', 'end-to-end mean minus the on-path parts', ms(b.endToEnd.restMs)])
    rows.push(['end-to-end (mean)', '', 'consumer receipt − producer timestamp', ms(b.endToEnd.meanMs)])
  }
  for (const api of b.apis) {
    const m = api.meanMs
    notes.push(`${api.request}: ${Math.round(api.count)} requests; mean request queue ${ms(m.RequestQueueTimeMs)}, local ${ms(m.LocalTimeMs)}, remote ${ms(m.RemoteTimeMs)}, response queue ${ms(m.ResponseQueueTimeMs)}, send ${ms(m.ResponseSendTimeMs)}, total ${ms(m.TotalTimeMs)}.`)
  }
  const warnings = b.endToEnd !== null && b.endToEnd.restMs < 0
    ? ['The broker parts add up to more than the end-to-end mean: per-request and per-message means do not mix exactly here (e.g. few large requests).']
    : []
  return {
    title: BREAKDOWN_TITLE,
    intro: 'A message\'s end-to-end time split into the broker\'s parts, from the broker\'s GET /metrics over the measured phase, and the rest. Means, not percentiles.',
    // The figure last: report tables right-align from a column on.
    header: ['part', 'on a message\'s path', 'from', 'mean'],
    rows,
    notes,
    warnings,
  }
}

export function precisionSection (result: BenchResult): ReportSection | null {
  const p = result.precision
  if (p === null || p === undefined) return null
  const rows: string[][] = [
    ['clock', `${p.clock}; smallest step seen ${p.clockResolutionNs} ns`],
    ['latency histograms', p.histogram],
  ]
  if (p.brokerHistogram !== null) rows.push(['broker histograms', p.brokerHistogram])
  // A pinned run (bench --broker-cpus / --harness-cpus) must not read as a shared one here.
  const pinned = p.affinity.filter(a => cpuListSize(a.cpus) < p.logicalCores)
  const sharing = pinned.length === 0
    ? `shared by ${p.processes} (not pinned)`
    : `split by pinning: ${p.affinity.map(a => `${a.process.replace(/ \(pid \d+\)$/, '')} on CPUs ${a.cpus}`).join(', ')}; ${p.processes}`
  rows.push(['cores', `${p.logicalCores} logical cores ${sharing}`])
  rows.push(['CPU affinity', p.affinity.length === 0 ? 'not known (not Linux, or not processes of this machine)' : p.affinity.map(a => `${a.process}: CPUs ${a.cpus}`).join('; ')])
  if (p.scheduling !== undefined && p.scheduling !== '') rows.push(['load-generator scheduling', p.scheduling])
  if (p.memory !== undefined) rows.push(['memory', p.memory])
  rows.push(['disturbance thresholds', p.thresholds])
  const gc = p.workers.filter(w => w.gcPauses > 0).map(w => `${w.source} ${w.gcPauses} pauses, longest ${w.gcPauseMaxMs.toFixed(1)} ms`)
  rows.push(['GC in workers (measured phase)', gc.length === 0 ? 'none seen' : gc.join('; ')])
  const loops = p.workers.map(w => `${w.source} ${w.eventLoopDelayMaxMs.toFixed(1)} ms`)
  rows.push(['longest event-loop stall per worker', loops.length === 0 ? 'not recorded' : loops.join('; ')])
  return {
    title: PRECISION_TITLE,
    intro: p.disturbed.length === 0 ? 'No figure was flagged as disturbed.' : `${p.disturbed.length} disturbance(s) flagged: the figures below them are less trustworthy.`,
    header: ['', ''],
    rows,
    notes: [],
    warnings: p.disturbed.map(flag => `Disturbed: ${flag}.`),
  }
}
