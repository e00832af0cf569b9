import { describe, expect, it } from 'vitest'
import { nines } from '../../../harness/report/quantile-chart.ts'
import { escapeXml, formatTickMicros, formatTickNumber, linePath, linearScale, logScale, niceStep } from '../../../harness/report/svg.ts'

describe('chart scales', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(100, 5)).toBe(20)
    expect(niceStep(7, 5)).toBe(2)
    expect(niceStep(0.9, 4)).toBe(0.25)
  })

  it('widens a value axis to whole ticks but keeps a time axis exact', () => {
    const y = linearScale(0, 7300, [200, 0])
    expect(y.domain).toEqual([0, 8000])
    expect(y.ticks).toEqual([0, 2000, 4000, 6000, 8000])
    expect(y.at(0)).toBe(200)
    expect(y.at(8000)).toBe(0)
    const x = linearScale(0, 38, [0, 380], 8, false)
    expect(x.domain).toEqual([0, 38])
    expect(x.ticks).toEqual([0, 5, 10, 15, 20, 25, 30, 35])
  })

  it('spans whole decades on a log axis', () => {
    const y = logScale(830, 220_000, [100, 0])
    expect(y.domain).toEqual([100, 1_000_000])
    expect(y.ticks).toEqual([100, 1000, 10_000, 100_000, 1_000_000])
    expect(y.at(1000)).toBeCloseTo(75, 9)
    expect(logScale(1200, 9000, [1, 0]).ticks).toEqual([1000, 2000, 5000, 10_000])
  })

  it('puts percentiles on a nines axis', () => {
    expect(nines(90)).toBeCloseTo(1, 12)
    expect(nines(99.9)).toBeCloseTo(3, 9)
    expect(nines(50)).toBeCloseTo(Math.log10(2), 12)
  })

  it('breaks lines at missing values instead of drawing them as zero', () => {
    const scale = linearScale(0, 10, [0, 10], 5, false)
    expect(linePath([[0, 1], [1, null], [2, 3], [3, 4]], scale, scale)).toBe('M0,1M2,3L3,4')
  })

  it('labels ticks compactly and escapes text', () => {
    expect(formatTickNumber(1500)).toBe('1.5k')
    expect(formatTickNumber(2_000_000)).toBe('2M')
    expect(formatTickMicros(1500)).toBe('1.5 ms')
    expect(formatTickMicros(250)).toBe('250 µs')
    expect(formatTickMicros(2_000_000)).toBe('2 s')
    expect(escapeXml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;')
  })
})
