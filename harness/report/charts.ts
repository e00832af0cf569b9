// The report's charts, OMB's set: publish and consume rate, backlog, latency p50/p99/p99.9
// over time (publish, publish from intended send, end-to-end) and the latency quantile
// curve. Every time series shows the whole run, with warm-up, max-rate search and drain
// shaded grey and fault bands shaded red.

import type { IntervalSample, Phase } from '../measure/recorder.ts'
import type { LatencyKind } from '../measure/worker-stats.ts'
import type { BenchResult, FaultBand } from '../results/result.ts'
import { renderQuantileChart } from './quantile-chart.ts'
import { formatTickMicros, formatTickNumber } from './svg.ts'
import { renderTimeChart } from './time-chart.ts'
import type { ChartBand } from './time-chart.ts'

export interface Chart {
  id: string
  title: string
  /** One sentence under the title: what is drawn. */
  caption: string
  svg: string
}

export const COLORS = {
  publish: '#2563eb',
  consume: '#16a34a',
  target: '#94a3b8',
  backlog: '#9333ea',
  p50: '#2563eb',
  p99: '#ea580c',
  p999: '#7c3aed',
  corrected: '#ea580c',
  endToEnd: '#16a34a',
} as const

const PHASE_LABELS: Record<Exclude<Phase, 'measure'>, string> = { warmup: 'warm-up', 'max-rate': 'max-rate search', drain: 'drain' }

/** Contiguous runs of unmeasured phases, as grey bands. */
export function phaseBands (series: readonly IntervalSample[]): ChartBand[] {
  const bands: ChartBand[] = []
  for (const sample of series) {
    if (sample.phase === 'measure') continue
    const label = PHASE_LABELS[sample.phase]
    const last = bands.at(-1)
    const endSec = sample.startSec + sample.durationSec
    if (last !== undefined && last.label === label && Math.abs(last.endSec - sample.startSec) < 1e-6) last.endSec = endSec
    else bands.push({ startSec: sample.startSec, endSec, label, kind: 'phase' })
  }
  return bands
}

export function allBands (result: BenchResult, extra: readonly FaultBand[] = []): ChartBand[] {
  const faults = [...result.faultBands, ...extra].map((band): ChartBand => ({ ...band, kind: 'fault' }))
  return [...phaseBands(result.series), ...faults]
}

/**
 * Rates are counts divided by each interval's real duration, so a partial interval is
 * scaled honestly; but an interval much shorter than the nominal second (the sliver left
 * when a phase or the run ends between ticks) holds a few batches or none, and its rate
 * says more about batching than about throughput: such intervals are left out of the rate
 * chart (the line ends, the tooltip shows –). Their messages still count in every total.
 */
export const RATE_INTERVAL_SEC_MIN = 0.2

function rate (count: number, durationSec: number): number | null {
  return durationSec >= RATE_INTERVAL_SEC_MIN ? count / durationSec : null
}

function latencyChart (result: BenchResult, kind: LatencyKind, id: string, title: string, caption: string, bands: ChartBand[], times: number[]): Chart {
  const pick = (field: 'p50' | 'p99' | 'p999') => result.series.map((sample) => sample[kind]?.[field] ?? null)
  return {
    id,
    title,
    caption,
    svg: renderTimeChart({
      title,
      yLabel: 'latency',
      times,
      bands,
      yScale: 'auto',
      formatY: formatTickMicros,
      series: [
        { name: 'p50', color: COLORS.p50, values: pick('p50') },
        { name: 'p99', color: COLORS.p99, values: pick('p99') },
        { name: 'p99.9', color: COLORS.p999, values: pick('p999') },
      ],
    }),
  }
}

export function buildCharts (result: BenchResult, extraBands: readonly FaultBand[] = []): Chart[] {
  const series = result.series
  // Without consumers there is no consume rate or backlog to draw (not a rate of 0).
  const consumers = result.workloadConfig.subscriptionsPerTopic > 0
  const times = series.map((sample) => sample.startSec + sample.durationSec)
  const bands = allBands(result, extraBands)
  const rates: Chart = {
    id: 'rates',
    title: 'Publish and consume rate',
    caption: `Messages per second in each one-second interval (intervals under ${RATE_INTERVAL_SEC_MIN} s, cut short by a phase or the run ending, are left out); the dashed line is the rate the producers were asked for.`,
    svg: renderTimeChart({
      title: 'Publish and consume rate',
      yLabel: 'msg/s',
      times,
      bands,
      formatY: formatTickNumber,
      series: [
        { name: 'publish', color: COLORS.publish, values: series.map((s) => rate(s.publishedCount, s.durationSec)) },
        ...(consumers ? [{ name: 'consume', color: COLORS.consume, values: series.map((s) => rate(s.consumedCount, s.durationSec)) }] : []),
        { name: 'target', color: COLORS.target, dashed: true, values: series.map((s) => s.targetRatePerSec === null || s.targetRatePerSec === 0 ? null : s.targetRatePerSec) },
      ],
    }),
  }
  const backlog: Chart = {
    id: 'backlog',
    title: 'Backlog',
    caption: consumers
      ? 'Messages produced (once per subscription) and not yet consumed, at the end of each second.'
      : 'No consumers in this run, so no backlog is tracked.',
    svg: renderTimeChart({
      title: 'Backlog',
      yLabel: 'messages',
      times,
      bands,
      formatY: formatTickNumber,
      series: [{ name: 'backlog', color: COLORS.backlog, area: true, values: series.map((s) => consumers ? s.backlogMessages : null) }],
    }),
  }
  const quantiles: Chart = {
    id: 'quantiles',
    title: 'Latency quantiles',
    caption: 'Whole measured phase, from p50 out to the tail the sample count supports; hover a dot for its value.',
    svg: renderQuantileChart('Latency quantiles', [
      { name: 'publish', color: COLORS.publish, points: result.quantileCurves.publishLatencyUs },
      { name: 'publish from intended send', color: COLORS.corrected, dashed: true, points: result.quantileCurves.correctedPublishLatencyUs },
      { name: 'end-to-end', color: COLORS.endToEnd, points: result.quantileCurves.endToEndLatencyUs },
    ]),
  }
  return [
    rates,
    backlog,
    latencyChart(result, 'publishLatencyUs', 'publish-latency', 'Publish latency', 'Ack time − actual send time, per second.', bands, times),
    latencyChart(result, 'correctedPublishLatencyUs', 'corrected-publish-latency', 'Publish latency from intended send', 'Ack time − the send time the rate limiter intended (corrected for coordinated omission), per second.', bands, times),
    latencyChart(result, 'endToEndLatencyUs', 'end-to-end-latency', 'End-to-end latency', 'Consumer receive time − the producer\'s timestamp in the record, per second.', bands, times),
    quantiles,
  ]
}
