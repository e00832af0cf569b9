// The report's charts say only what the data supports: a sliver interval left when a run
// stops between ticks is no rate, and band labels never print on top of each other.

import { describe, expect, it } from 'vitest'
import { buildCharts, RATE_INTERVAL_SEC_MIN } from '../../../harness/report/charts.ts'
import { placeBandLabels, renderTimeChart } from '../../../harness/report/time-chart.ts'
import { syntheticResult } from '../results/synthetic.ts'

function hoverTitles (svg: string): string[] {
  return [...svg.matchAll(/<rect class="hover"[^>]*><title>([^<]*)<\/title>/g)].map((match) => match[1])
}

describe('rate chart', () => {
  it('leaves out an interval cut short by the end of the run instead of drawing it as a drop to 0', () => {
    const result = syntheticResult({ seed: 4, warmupSec: 2, measureSec: 5 })
    const last = result.series.at(-1)!
    // What the runner records when the run stops 20 ms after the last tick: an interval
    // with (almost) no time in it and no messages.
    const sliver = { ...last, startSec: last.startSec + last.durationSec, durationSec: 0.02, publishedCount: 0, consumedCount: 0, publishedBytes: 0, consumedBytes: 0 }
    const rates = buildCharts({ ...result, series: [...result.series, sliver] }).find((chart) => chart.id === 'rates')!
    const titles = hoverTitles(rates.svg)
    expect(titles).toHaveLength(result.series.length + 1)
    expect(titles.at(-1)).toMatch(/publish: –\nconsume: –/)
    expect(titles.at(-2)).toMatch(/publish: \d/)
    expect(RATE_INTERVAL_SEC_MIN).toBeLessThan(0.5)
  })

  it('still draws a partial interval long enough to measure, scaled by its real duration', () => {
    const result = syntheticResult({ seed: 4, warmupSec: 2, measureSec: 5 })
    const last = result.series.at(-1)!
    const half = { ...last, startSec: last.startSec + last.durationSec, durationSec: 0.5, publishedCount: 1000, consumedCount: 1000 }
    const rates = buildCharts({ ...result, series: [...result.series, half] }).find((chart) => chart.id === 'rates')!
    expect(hoverTitles(rates.svg).at(-1)).toMatch(/^t = [\d.]+ s\npublish: 2k\n/)
  })
})

describe('band labels', () => {
  it('puts the label of a band that starts inside another label on the next row', () => {
    // A 2 s warm-up on a 120 s axis is a few pixels wide; "max-rate search" starts there.
    const placed = placeBandLabels([{ x: 64, label: 'warm-up' }, { x: 73, label: 'max-rate search' }, { x: 300, label: 'drain' }], 582)
    expect(placed.map((label) => label?.row)).toEqual([0, 1, 0])
    expect(placed.map((label) => label?.text)).toEqual(['warm-up', 'max-rate search', 'drain'])
  })

  it('drops a label that fits on no row; the band keeps its tooltip', () => {
    const starts = [0, 3, 6, 9].map((offset, i) => ({ x: 100 + offset, label: `fault ${i}` }))
    const placed = placeBandLabels(starts, 582)
    expect(placed.slice(0, 3).map((label) => label?.row)).toEqual([0, 1, 2])
    expect(placed[3]).toBeNull()
    const svg = renderTimeChart({
      title: 't', yLabel: 'msg/s', times: [1, 2, 3], series: [{ name: 'publish', color: '#000', values: [1, 2, 3] }],
      xDomain: [0, 120], bands: starts.map((start, i) => ({ startSec: i * 0.1, endSec: 60, label: start.label, kind: 'fault' as const })),
    })
    expect(svg).toContain('<title>fault 3: 0.3–60 s</title>')
    expect(svg).not.toMatch(/<text class="band-label"[^>]*>fault 3</)
  })

  it('never draws two labels whose boxes overlap', () => {
    const bands = [
      { startSec: 0, endSec: 2, label: 'warm-up', kind: 'phase' as const },
      { startSec: 2, endSec: 40, label: 'max-rate search', kind: 'phase' as const },
      { startSec: 3, endSec: 8, label: 'broker-0 paused', kind: 'fault' as const },
    ]
    const svg = renderTimeChart({ title: 't', yLabel: 'msg/s', times: [120], series: [{ name: 'publish', color: '#000', values: [1] }], bands })
    const labels = [...svg.matchAll(/<text class="band-label" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</g)]
      .map((match) => ({ x: Number(match[1]), y: Number(match[2]), width: match[3].length * 5.8 }))
    expect(labels).toHaveLength(3)
    for (const a of labels) {
      for (const b of labels) {
        if (a === b || a.y !== b.y) continue
        expect(a.x + a.width <= b.x || b.x + b.width <= a.x).toBe(true)
      }
    }
    expect(new Set(labels.map((label) => label.y)).size).toBeGreaterThan(1)
  })
})
