// A time-series line chart as inline SVG: one or more series over seconds since the start
// of the run, shaded bands for phases (warm-up, drain) and faults, a legend, axis labels,
// and a tooltip per second (an invisible column with a <title>, so hovering works without
// any script).

import { escapeXml, formatTickNumber, linePath, linearScale, logScale, px } from './svg.ts'
import type { Scale } from './svg.ts'

export interface ChartSeries {
  name: string
  color: string
  values: ReadonlyArray<number | null>
  dashed?: boolean
  /** Fill the area under the line (one series per chart at most looks right). */
  area?: boolean
}

export interface ChartBand {
  startSec: number
  endSec: number
  label: string
  kind: 'fault' | 'phase'
}

export interface TimeChartSpec {
  /** Accessible name of the chart. */
  title: string
  /** Unit or quantity on the y axis, e.g. "msg/s" or "latency". */
  yLabel: string
  /** x of each point: seconds since the start of the run. */
  times: readonly number[]
  series: readonly ChartSeries[]
  bands?: readonly ChartBand[]
  formatY?: (value: number) => string
  /** 'auto' picks log when the values span more than two decades. Default linear. */
  yScale?: 'linear' | 'log' | 'auto'
  xDomain?: [number, number]
  /** Label and grid only whole-number y ticks (counts, broker ids). */
  integerTicks?: boolean
}

export const CHART_WIDTH = 600
export const CHART_HEIGHT = 300
const MARGIN = { left: 64, right: 18, top: 34, bottom: 44 }
/** At most this many hover columns; longer runs group seconds per column. */
const HOVER_COLUMNS_MAX = 300
const BAND_FILL = { fault: 'rgba(220, 38, 38, 0.13)', phase: 'rgba(100, 116, 139, 0.11)' }
const BAND_TEXT = { fault: '#991b1b', phase: '#475569' }

function finiteValues (series: readonly ChartSeries[]): number[] {
  return series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)))
}

function chooseYScale (spec: TimeChartSpec, range: [number, number]): Scale {
  const values = finiteValues(spec.series)
  const max = values.length > 0 ? Math.max(...values) : 1
  const positive = values.filter((v) => v > 0)
  const minPositive = positive.length > 0 ? Math.min(...positive) : 1
  const wantLog = spec.yScale === 'log' || (spec.yScale === 'auto' && positive.length > 0 && max / minPositive > 100)
  return wantLog ? logScale(minPositive, max, range) : linearScale(0, max, range)
}

function axes (x: Scale, y: Scale, spec: TimeChartSpec, format: (v: number) => string): string {
  const left = MARGIN.left
  const right = CHART_WIDTH - MARGIN.right
  const top = MARGIN.top
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const parts: string[] = []
  for (const tick of y.ticks.filter((t) => spec.integerTicks !== true || Number.isInteger(t))) {
    const ty = px(y.at(tick))
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${ty}" y2="${ty}"/>`)
    parts.push(`<text class="tick" x="${left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(format(tick))}</text>`)
  }
  for (const tick of x.ticks) {
    const tx = px(x.at(tick))
    parts.push(`<line class="tick-mark" x1="${tx}" x2="${tx}" y1="${bottom}" y2="${bottom + 4}"/>`)
    parts.push(`<text class="tick" x="${tx}" y="${bottom + 16}" text-anchor="middle">${escapeXml(formatTickNumber(tick))}</text>`)
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`)
  parts.push(`<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`)
  parts.push(`<text class="axis-label" x="${(left + right) / 2}" y="${CHART_HEIGHT - 8}" text-anchor="middle">time since start (s)</text>`)
  const midY = (top + bottom) / 2
  const scaleNote = y.kind === 'log' ? ' (log scale)' : ''
  parts.push(`<text class="axis-label" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel + scaleNote)}</text>`)
  return parts.join('')
}

/** Approximate width of a character of the 10px band label font. */
const LABEL_CHAR_PX = 5.8
/** Legend text is 11.5px; a character is at most this wide on average. */
const LEGEND_CHAR_PX = 7

function fitLabel (label: string, roomPx: number): string {
  const chars = Math.floor(roomPx / LABEL_CHAR_PX)
  if (chars >= label.length) return label
  return chars >= 4 ? `${label.slice(0, chars - 1)}…` : ''
}

/** Rows of band labels, each this far below the last; a label that fits in none is left out. */
const BAND_LABEL_ROWS = 3
const BAND_LABEL_ROW_PX = 12
/** Space kept between two labels on one row. */
const BAND_LABEL_GAP_PX = 6

interface PlacedLabel {
  text: string
  row: number
}

/**
 * Places band labels left to right: each starts at its band's left edge, on the first row
 * where it does not run into the label before it. A narrow band's label may run on past
 * its band (the plot has room), so two bands close together would otherwise print their
 * labels on top of each other ("warm-up" over "max-rate search"); a label that fits on no
 * row is dropped, and its band's <title> still names it on hover.
 */
export function placeBandLabels (starts: ReadonlyArray<{ x: number, label: string }>, rightPx: number): Array<PlacedLabel | null> {
  const rowEnds = new Array<number>(BAND_LABEL_ROWS).fill(-Infinity)
  const order = starts.map((_, index) => index).sort((a, b) => starts[a].x - starts[b].x)
  const placed: Array<PlacedLabel | null> = starts.map(() => null)
  for (const index of order) {
    const left = starts[index].x + 4
    for (let row = 0; row < BAND_LABEL_ROWS; row++) {
      if (left < rowEnds[row] + BAND_LABEL_GAP_PX) continue
      const text = fitLabel(starts[index].label, rightPx - left - 4)
      if (text === '') break
      placed[index] = { text, row }
      rowEnds[row] = left + text.length * LABEL_CHAR_PX
      break
    }
  }
  return placed
}

function bands (x: Scale, spec: TimeChartSpec): string {
  const top = MARGIN.top
  const height = CHART_HEIGHT - MARGIN.bottom - MARGIN.top
  const [d0, d1] = x.domain
  const visible = (spec.bands ?? []).flatMap((band) => {
    const start = Math.max(d0, band.startSec)
    const end = Math.min(d1, band.endSec)
    return end > start ? [{ band, x: x.at(start), width: x.at(end) - x.at(start), label: band.label }] : []
  })
  const labels = placeBandLabels(visible, CHART_WIDTH - MARGIN.right)
  return visible.map(({ band, x: bx, width }, index) => {
    const placed = labels[index]
    const label = placed === null
      ? ''
      : `<text class="band-label" x="${px(bx + 4)}" y="${top + 12 + placed.row * BAND_LABEL_ROW_PX}" fill="${BAND_TEXT[band.kind]}">${escapeXml(placed.text)}</text>`
    const title = `${band.label}: ${+band.startSec.toFixed(1)}–${+band.endSec.toFixed(1)} s`
    return `<g class="band"><title>${escapeXml(title)}</title><rect x="${px(bx)}" y="${top}" width="${px(width)}" height="${height}" fill="${BAND_FILL[band.kind]}"/>${label}</g>`
  }).join('')
}

function legend (spec: TimeChartSpec): string {
  let cursor = MARGIN.left
  return spec.series.map((series) => {
    const dash = series.dashed === true ? ' stroke-dasharray="5 3"' : ''
    const item = `<g class="legend-item"><line x1="${cursor}" x2="${cursor + 18}" y1="14" y2="14" stroke="${series.color}" stroke-width="2.5"${dash}/>` +
      `<text class="legend" x="${cursor + 23}" y="14" dominant-baseline="middle">${escapeXml(series.name)}</text></g>`
    cursor += 36 + series.name.length * LEGEND_CHAR_PX
    return item
  }).join('')
}

function hoverColumns (x: Scale, spec: TimeChartSpec, format: (v: number) => string): string {
  const n = spec.times.length
  if (n === 0) return ''
  const group = Math.ceil(n / HOVER_COLUMNS_MAX)
  const top = MARGIN.top
  const height = CHART_HEIGHT - MARGIN.bottom - MARGIN.top
  const columns: string[] = []
  for (let first = 0; first < n; first += group) {
    const last = Math.min(n, first + group) - 1
    const left = first === 0 ? MARGIN.left : (x.at(spec.times[first - 1]) + x.at(spec.times[first])) / 2
    const right = last === n - 1 ? CHART_WIDTH - MARGIN.right : (x.at(spec.times[last]) + x.at(spec.times[last + 1])) / 2
    const when = group === 1 ? `t = ${+spec.times[first].toFixed(1)} s` : `t = ${+spec.times[first].toFixed(1)}–${+spec.times[last].toFixed(1)} s`
    const lines = spec.series.map((series) => {
      const values = series.values.slice(first, last + 1).filter((v): v is number => v !== null && Number.isFinite(v))
      if (values.length === 0) return `${series.name}: –`
      if (group === 1) return `${series.name}: ${format(values[0])}`
      return `${series.name}: max ${format(Math.max(...values))}`
    })
    columns.push(`<rect class="hover" x="${px(left)}" y="${top}" width="${px(Math.max(0.5, right - left))}" height="${height}"><title>${escapeXml([when, ...lines].join('\n'))}</title></rect>`)
  }
  return `<g class="hover-columns">${columns.join('')}</g>`
}

export function renderTimeChart (spec: TimeChartSpec): string {
  const format = spec.formatY ?? formatTickNumber
  const lastTime = spec.times.length > 0 ? spec.times[spec.times.length - 1] : 1
  const [x0, x1] = spec.xDomain ?? [0, Math.max(lastTime, ...(spec.bands ?? []).map((band) => band.endSec))]
  const x = linearScale(x0, x1, [MARGIN.left, CHART_WIDTH - MARGIN.right], 8, false)
  const y = chooseYScale(spec, [CHART_HEIGHT - MARGIN.bottom, MARGIN.top])
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const lines = spec.series.map((series) => {
    const points = spec.times.map((t, i) => [t, series.values[i] ?? null] as const)
    const path = linePath(points, x, y)
    if (path === '') return ''
    const dash = series.dashed === true ? ' stroke-dasharray="5 3"' : ''
    const area = series.area === true
      ? `<path d="${path}L${px(x.at(points.at(-1)![0]))},${bottom}L${px(x.at(points[0][0]))},${bottom}Z" fill="${series.color}" fill-opacity="0.12" stroke="none"/>`
      : ''
    return `${area}<path class="series" d="${path}" stroke="${series.color}"${dash}/>`
  }).join('')
  const empty = finiteValues(spec.series).length === 0
    ? `<text class="empty" x="${(MARGIN.left + CHART_WIDTH - MARGIN.right) / 2}" y="${(MARGIN.top + bottom) / 2}" text-anchor="middle">no samples</text>`
    : ''
  return `<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${escapeXml(spec.title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeXml(spec.title)}</title>${bands(x, spec)}${axes(x, y, spec, format)}` +
    `<g class="plot">${lines}</g>${empty}${legend(spec)}${hoverColumns(x, spec, format)}</svg>`
}
