// The latency-throughput curve's report (harness/bench/curve.ts): a table in Markdown and an
// HTML page with one chart, latency (log scale) against the throughput each step achieved,
// one line per quantile, each point labelled with its share of the max rate. Steps that did
// not hold their rate are drawn hollow and flagged in the table: their latency is the
// latency of a queue that kept growing, not of the rate asked for.

import type { CurveResult, CurveStep, Quantiles } from '../results/curve.ts'
import { COLORS } from './charts.ts'
import { pageHead } from './html-style.ts'
import { escapeXml, formatTickMicros, formatTickNumber, linePath, linearScale, logScale, px } from './svg.ts'

const WIDTH = 720
const HEIGHT = 380
const MARGIN = { left: 70, right: 24, top: 40, bottom: 48 }

interface Line { name: string, color: string, dashed: boolean, value: (step: CurveStep) => number | null }

const LINES: readonly Line[] = [
  { name: 'end-to-end p50', color: COLORS.p50, dashed: false, value: s => s.endToEndLatencyUs.p50 },
  { name: 'end-to-end p99', color: COLORS.p99, dashed: false, value: s => s.endToEndLatencyUs.p99 },
  { name: 'end-to-end p99.9', color: COLORS.p999, dashed: false, value: s => s.endToEndLatencyUs.p999 },
  { name: 'publish p99', color: COLORS.endToEnd, dashed: true, value: s => s.publishLatencyUs.p99 },
]

function ms (valueUs: number | null): string {
  return valueUs === null ? 'n/a' : (valueUs / 1000).toFixed(2)
}

function triple (q: Quantiles): string {
  return `${ms(q.p50)} / ${ms(q.p99)} / ${ms(q.p999)}`
}

function stepLabel (step: CurveStep): string {
  return `${step.percent}%${step.held ? '' : ' (rate not held)'}`
}

export function curveToMarkdown (curve: CurveResult): string {
  const source = curve.maxRateSource === 'search' ? 'found by the max-rate search (the 100% step is that run\'s measured phase)' : 'given with --max-rate'
  const rows = curve.steps.map(s => `| ${stepLabel(s)} | ${Math.round(s.targetRateMsgPerSec)} | ${Math.round(s.publishRateMsgPerSec)} | ${triple(s.endToEndLatencyUs)} | ${triple(s.publishLatencyUs)} | ${ms(s.publishDelayUsP99)} | ${s.runDir} |`)
  return [
    `# Latency-throughput curve: ${curve.workload}`,
    '',
    `Driver ${curve.driver}; max rate ${Math.round(curve.maxRateMsgPerSec)} msg/s, ${source}. ${curve.startTime} to ${curve.endTime}.`,
    'Latencies in ms (p50 / p99 / p99.9). A step "did not hold" when it published less than 95% of its target.',
    '',
    '| step | target msg/s | achieved msg/s | end-to-end ms | publish ms | publish delay p99 ms | run |',
    '|---|--:|--:|--:|--:|--:|---|',
    ...rows,
    '',
  ].join('\n')
}

export function renderCurveChart (curve: CurveResult): string {
  const right = WIDTH - MARGIN.right
  const bottom = HEIGHT - MARGIN.bottom
  const steps = [...curve.steps].sort((a, b) => a.publishRateMsgPerSec - b.publishRateMsgPerSec)
  const values = steps.flatMap(s => LINES.map(l => l.value(s))).filter((v): v is number => v !== null && v > 0)
  const x = linearScale(0, Math.max(1, ...steps.map(s => s.publishRateMsgPerSec)), [MARGIN.left, right])
  const y = logScale(values.length > 0 ? Math.min(...values) : 100, values.length > 0 ? Math.max(...values) : 1e5, [bottom, MARGIN.top])
  const axes = [
    ...y.ticks.map(t => `<line class="grid" x1="${MARGIN.left}" x2="${right}" y1="${px(y.at(t))}" y2="${px(y.at(t))}"/><text class="tick" x="${MARGIN.left - 6}" y="${px(y.at(t))}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTickMicros(t))}</text>`),
    ...x.ticks.map(t => `<line class="grid" x1="${px(x.at(t))}" x2="${px(x.at(t))}" y1="${MARGIN.top}" y2="${bottom}"/><text class="tick" x="${px(x.at(t))}" y="${bottom + 16}" text-anchor="middle">${formatTickNumber(t)}</text>`),
    `<line class="axis" x1="${MARGIN.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/><line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/>`,
    `<text class="axis-label" x="${(MARGIN.left + right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">achieved throughput (msg/s)</text>`,
    `<text class="axis-label" transform="translate(14 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text>`,
  ].join('')
  let legendX = MARGIN.left
  const body = LINES.map(line => {
    const dash = line.dashed ? ' stroke-dasharray="5 3"' : ''
    const path = linePath(steps.map(s => [s.publishRateMsgPerSec, line.value(s)] as const), x, y)
    const dots = steps.filter(s => line.value(s) !== null).map(s => {
      const fill = s.held ? line.color : 'white'
      return `<circle cx="${px(x.at(s.publishRateMsgPerSec))}" cy="${px(y.at(line.value(s)!))}" r="3.6" fill="${fill}" stroke="${line.color}" stroke-width="1.5">` +
        `<title>${escapeXml(`${line.name} at ${stepLabel(s)}, ${Math.round(s.publishRateMsgPerSec)} msg/s: ${formatTickMicros(line.value(s)!)}`)}</title></circle>`
    }).join('')
    const legend = `<g class="legend-item"><line x1="${legendX}" x2="${legendX + 18}" y1="16" y2="16" stroke="${line.color}" stroke-width="2.5"${dash}/>` +
      `<text class="legend" x="${legendX + 23}" y="16" dominant-baseline="middle">${escapeXml(line.name)}</text></g>`
    legendX += 40 + line.name.length * 6.6
    return `<path class="series" d="${path}" stroke="${line.color}"${dash}/>${dots}${legend}`
  }).join('')
  const top = LINES[LINES.length - 2]!
  const labels = steps.map(s => {
    const v = top.value(s)
    return v === null ? '' : `<text class="tick" x="${px(x.at(s.publishRateMsgPerSec))}" y="${px(y.at(v) - 9)}" text-anchor="middle">${escapeXml(`${s.percent}%`)}</text>`
  }).join('')
  const title = `Latency against throughput: ${curve.workload}`
  return `<svg class="chart" id="latency-throughput-curve" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeXml(title)}</title>${axes}<g class="plot">${body}${labels}</g></svg>`
}

export function curveToHtml (curve: CurveResult): string {
  const title = `Sluice latency-throughput curve: ${curve.workload}`
  const rows = curve.steps.map(s => `<tr${s.held ? '' : ' class="warning"'}><td>${escapeXml(stepLabel(s))}</td><td class="num">${Math.round(s.targetRateMsgPerSec)}</td><td class="num">${Math.round(s.publishRateMsgPerSec)}</td>` +
    `<td class="num">${triple(s.endToEndLatencyUs)}</td><td class="num">${triple(s.publishLatencyUs)}</td><td class="num">${ms(s.publishDelayUsP99)}</td><td><a href="${escapeXml(encodeURI(s.runDir))}/report.html">${escapeXml(s.runDir)}</a></td></tr>`).join('')
  return `${pageHead(escapeXml(title))}
<main>
<header><h1>${escapeXml(title)}</h1><p class="subtitle">driver ${escapeXml(curve.driver)} · max rate ${Math.round(curve.maxRateMsgPerSec)} msg/s (${curve.maxRateSource === 'search' ? 'max-rate search' : '--max-rate'}) · ${escapeXml(curve.startTime)}</p></header>
<section class="charts" style="grid-template-columns: 1fr"><figure>${renderCurveChart(curve)}<figcaption>Hollow points: the step published less than 95% of its target rate.</figcaption></figure></section>
<section><h2>Steps</h2><table><thead><tr><th>step</th><th>target msg/s</th><th>achieved msg/s</th><th>end-to-end p50 / p99 / p99.9 ms</th><th>publish p50 / p99 / p99.9 ms</th><th>publish delay p99 ms</th><th>run</th></tr></thead><tbody>${rows}</tbody></table></section>
<footer>Generated by Sluice from curve.json (format ${escapeXml(curve.format)}). Each step's own report.html is in its run directory.</footer>
</main>
</body>
</html>
`
}
