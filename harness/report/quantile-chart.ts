// The latency quantile curve, HdrHistogram-style: x is the number of "nines" of the
// percentile on a log axis (p50, p90, p99, p99.9, ... p99.999), y the latency on a log
// axis. Tails that the sample count cannot resolve are simply not drawn.

import type { QuantilePoint } from '../measure/histogram.ts'
import { escapeXml, formatTickMicros, linePath, linearScale, logScale, px } from './svg.ts'
import type { Scale } from './svg.ts'
import { CHART_HEIGHT, CHART_WIDTH } from './time-chart.ts'

export interface QuantileCurve {
  name: string
  color: string
  points: readonly QuantilePoint[]
  dashed?: boolean
}

const MARGIN = { left: 64, right: 22, top: 34, bottom: 44 }
const PERCENTILE_FROM = 50
const NINES_MAX = 5
/** Percentiles marked with a dot and a tooltip. */
const MARKED = [50, 75, 90, 95, 99, 99.9, 99.99, 99.999]
const X_TICKS: ReadonlyArray<[number, string]> = [[50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p99.9'], [99.99, 'p99.99'], [99.999, 'p99.999']]

/** -log10(1 - p/100): 1 for p90, 2 for p99, 3 for p99.9. */
export function nines (percentile: number): number {
  return -Math.log10(1 - percentile / 100)
}

function visiblePoints (curve: QuantileCurve): QuantilePoint[] {
  return curve.points.filter((point) => point.percentile >= PERCENTILE_FROM && point.percentile < 100 && nines(point.percentile) <= NINES_MAX + 1e-9)
}

function xAxis (x: Scale, right: number): string {
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const parts: string[] = []
  for (const [percentile, label] of X_TICKS) {
    const value = nines(percentile)
    if (value > x.domain[1] + 1e-9) continue
    const tx = px(x.at(value))
    parts.push(`<line class="grid" x1="${tx}" x2="${tx}" y1="${MARGIN.top}" y2="${bottom}"/>`)
    parts.push(`<text class="tick" x="${tx}" y="${bottom + 16}" text-anchor="middle">${label}</text>`)
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`)
  parts.push(`<text class="axis-label" x="${(MARGIN.left + right) / 2}" y="${CHART_HEIGHT - 8}" text-anchor="middle">percentile (log scale of nines)</text>`)
  return parts.join('')
}

function yAxis (y: Scale, right: number): string {
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const parts = y.ticks.map((tick) => {
    const ty = px(y.at(tick))
    return `<line class="grid" x1="${MARGIN.left}" x2="${right}" y1="${ty}" y2="${ty}"/>` +
      `<text class="tick" x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTickMicros(tick))}</text>`
  })
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/>`)
  parts.push(`<text class="axis-label" transform="translate(14 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text>`)
  return parts.join('')
}

export function renderQuantileChart (title: string, curves: readonly QuantileCurve[]): string {
  const right = CHART_WIDTH - MARGIN.right
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const visible = curves.map((curve) => ({ curve, points: visiblePoints(curve) })).filter((entry) => entry.points.length > 0)
  const values = visible.flatMap((entry) => entry.points.map((point) => Math.max(1, point.valueUs)))
  const maxNines = Math.max(2, ...visible.map((entry) => nines(entry.points[entry.points.length - 1].percentile)))
  const x = linearScale(nines(PERCENTILE_FROM), Math.min(NINES_MAX, Math.ceil(maxNines - 1e-9)), [MARGIN.left, right], 5, false)
  const y = logScale(values.length > 0 ? Math.min(...values) : 1, values.length > 0 ? Math.max(...values) : 1000, [bottom, MARGIN.top])
  let legendX = MARGIN.left
  const body = visible.map(({ curve, points }) => {
    const path = linePath(points.map((point) => [nines(point.percentile), Math.max(1, point.valueUs)] as const), x, y)
    const dash = curve.dashed === true ? ' stroke-dasharray="5 3"' : ''
    const dots = points.filter((point) => MARKED.includes(point.percentile)).map((point) =>
      `<circle cx="${px(x.at(nines(point.percentile)))}" cy="${px(y.at(Math.max(1, point.valueUs)))}" r="3.2" fill="${curve.color}">` +
      `<title>${escapeXml(`${curve.name}: p${point.percentile} = ${formatTickMicros(point.valueUs)}`)}</title></circle>`).join('')
    const legend = `<g class="legend-item"><line x1="${legendX}" x2="${legendX + 18}" y1="14" y2="14" stroke="${curve.color}" stroke-width="2.5"${dash}/>` +
      `<text class="legend" x="${legendX + 23}" y="14" dominant-baseline="middle">${escapeXml(curve.name)}</text></g>`
    legendX += 36 + curve.name.length * 7
    return `<path class="series" d="${path}" stroke="${curve.color}"${dash}/>${dots}${legend}`
  }).join('')
  const empty = visible.length === 0
    ? `<text class="empty" x="${(MARGIN.left + right) / 2}" y="${(MARGIN.top + bottom) / 2}" text-anchor="middle">no samples</text>`
    : ''
  return `<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeXml(title)}</title>${yAxis(y, right)}${xAxis(x, right)}<g class="plot">${body}</g>${empty}</svg>`
}
