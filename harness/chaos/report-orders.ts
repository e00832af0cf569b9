// The "orders" plot of report.html: one key's observed log as a scatter of value against
// offset. A correct log climbs from bottom left to top right one step per offset; the
// values named by anomalies are drawn in red so a lost, duplicated or misplaced value shows
// where it sits. Inline SVG like the other charts, no script.

import type { KeyOrderPlot } from '../../chaos/check/plots.ts'
import { escapeXml as esc, formatTickNumber, linearScale, px } from '../report/svg.ts'
import { CHART_HEIGHT, CHART_WIDTH } from '../report/time-chart.ts'

const MARGIN = { left: 64, right: 18, top: 34, bottom: 44 }
const NORMAL = '#2563eb'
const ANOMALOUS = '#dc2626'

export function renderOrderChart (plot: KeyOrderPlot): string {
  const offsets = plot.points.map(([offset]) => offset)
  const values = plot.points.map(([, value]) => value)
  const x = linearScale(Math.min(0, ...offsets), Math.max(1, ...offsets), [MARGIN.left, CHART_WIDTH - MARGIN.right], 8)
  const y = linearScale(Math.min(0, ...values), Math.max(1, ...values), [CHART_HEIGHT - MARGIN.bottom, MARGIN.top])
  const anomalous = new Set(plot.anomalous)
  const radius = plot.points.length > 500 ? 1.6 : 3
  // Anomalous points last, so they are drawn on top.
  const sorted = [...plot.points].sort((a, b) => Number(anomalous.has(a[1])) - Number(anomalous.has(b[1])))
  const dots = sorted.map(([offset, value]) => {
    const bad = anomalous.has(value)
    return `<circle cx="${px(x.at(offset))}" cy="${px(y.at(value))}" r="${bad ? radius + 1.5 : radius}" fill="${bad ? ANOMALOUS : NORMAL}">` +
      `<title>offset ${offset}: value ${value}${bad ? ' (anomaly)' : ''}</title></circle>`
  }).join('')
  const bottom = CHART_HEIGHT - MARGIN.bottom
  const xTicks = x.ticks.map(t => `<line class="grid" x1="${px(x.at(t))}" x2="${px(x.at(t))}" y1="${MARGIN.top}" y2="${bottom}"/>` +
    `<text class="tick" x="${px(x.at(t))}" y="${bottom + 16}" text-anchor="middle">${formatTickNumber(t)}</text>`).join('')
  const yTicks = y.ticks.map(t => `<line class="grid" x1="${MARGIN.left}" x2="${CHART_WIDTH - MARGIN.right}" y1="${px(y.at(t))}" y2="${px(y.at(t))}"/>` +
    `<text class="tick" x="${MARGIN.left - 6}" y="${px(y.at(t) + 4)}" text-anchor="end">${formatTickNumber(t)}</text>`).join('')
  const title = `Key ${plot.key}: value by offset`
  const labels = `<text class="axis-label" x="${(MARGIN.left + CHART_WIDTH - MARGIN.right) / 2}" y="${CHART_HEIGHT - 8}" text-anchor="middle">offset</text>` +
    `<text class="axis-label" transform="translate(14 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">value</text>` +
    `<text class="legend" x="${MARGIN.left}" y="20"><tspan fill="${NORMAL}">● observed</tspan>  <tspan fill="${ANOMALOUS}">● in an anomaly (${plot.anomalous.length})</tspan></text>`
  return `<svg class="chart orders" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(title)}</title>${xTicks}${yTicks}${labels}<g class="plot">${dots}</g></svg>`
}
