// SVG building blocks for the report's charts: escaping, linear and log scales with
// readable ticks, compact tick labels. Charts are drawn as plain SVG strings so the report
// needs no chart library and no script, and opens anywhere, offline.

export function escapeXml (text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char)
}

/** Rounds coordinates to 0.1 px: enough for any screen, and keeps the file small. */
export function px (value: number): string {
  return String(Math.round(value * 10) / 10)
}

export interface Scale {
  /** Data value to pixel. */
  at (value: number): number
  ticks: number[]
  kind: 'linear' | 'log'
  domain: [number, number]
}

/** 1, 2 or 5 times a power of ten, the smallest such step giving at most ~`count` ticks. */
export function niceStep (span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * power >= raw) return factor * power
  }
  return 10 * power
}

/**
 * A linear scale over [min, max]. With `nice` (the default) the domain widens to whole
 * ticks, which suits a value axis; without, the domain stays exact and ticks fall inside
 * it, which suits a time axis that should end where the run ended. A flat range gets room.
 */
export function linearScale (min: number, max: number, range: [number, number], tickCount = 5, nice = true): Scale {
  let low = Number.isFinite(min) ? min : 0
  let high = Number.isFinite(max) ? max : 1
  if (high <= low) high = low === 0 ? 1 : low + Math.abs(low) * 0.5
  const step = niceStep(high - low, tickCount)
  if (nice) {
    low = Math.floor(low / step) * step
    high = Math.ceil(high / step) * step
  }
  const ticks: number[] = []
  for (let tick = Math.ceil(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)))
  const [r0, r1] = range
  return { kind: 'linear', domain: [low, high], ticks, at: (value) => r0 + (value - low) / (high - low) * (r1 - r0) }
}

/**
 * A log10 scale over whole decades containing [min, max] (min clamped to > 0). Ticks are
 * the decades, plus 2 and 5 times them when the range spans two decades or fewer.
 */
export function logScale (min: number, max: number, range: [number, number]): Scale {
  const floor = 1e-9
  const lowDecade = Math.floor(Math.log10(Math.max(min, floor)))
  let highDecade = Math.ceil(Math.log10(Math.max(max, min, floor)))
  if (highDecade <= lowDecade) highDecade = lowDecade + 1
  const ticks: number[] = []
  const dense = highDecade - lowDecade <= 2
  for (let decade = lowDecade; decade <= highDecade; decade++) {
    for (const factor of dense ? [1, 2, 5] : [1]) {
      const tick = Number((factor * 10 ** decade).toPrecision(12))
      if (tick <= 10 ** highDecade) ticks.push(tick)
    }
  }
  const [r0, r1] = range
  const l0 = lowDecade
  const l1 = highDecade
  return {
    kind: 'log',
    domain: [10 ** l0, 10 ** l1],
    ticks,
    at: (value) => r0 + (Math.log10(Math.max(value, floor)) - l0) / (l1 - l0) * (r1 - r0),
  }
}

/** Compact numbers for ticks: 1.5k, 20M, 0.25. */
export function formatTickNumber (value: number): string {
  const magnitude = Math.abs(value)
  const units: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]
  for (const [factor, suffix] of units) {
    if (magnitude >= factor) return `${+(value / factor).toPrecision(3)}${suffix}`
  }
  return String(+value.toPrecision(3))
}

/** A time in µs as a tick label in a unit that suits it: 500µs, 2ms, 1.5s. */
export function formatTickMicros (valueUs: number): string {
  if (valueUs >= 1e6) return `${+(valueUs / 1e6).toPrecision(3)} s`
  if (valueUs >= 1e3) return `${+(valueUs / 1e3).toPrecision(3)} ms`
  return `${+valueUs.toPrecision(3)} µs`
}

/** A path through the points; a null value breaks the line rather than dropping to 0. */
export function linePath (points: ReadonlyArray<readonly [number, number | null]>, x: Scale, y: Scale): string {
  let path = ''
  let drawing = false
  for (const [xValue, yValue] of points) {
    if (yValue === null || !Number.isFinite(yValue)) {
      drawing = false
      continue
    }
    path += `${drawing ? 'L' : 'M'}${px(x.at(xValue))},${px(y.at(yValue))}`
    drawing = true
  }
  return path
}
