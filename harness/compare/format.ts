// Number formatting for comparison reports: three significant digits, and a unit scaled so
// the number stays between 1 and 1000 (1.23 ms rather than 1234 us, 51.2k msg/s rather
// than 51234 msg/s), which is what a reader of a PR comment can take in at a glance.

const SIGNIFICANT_DIGITS = 3

// Time units in seconds; 'us' is accepted as the ASCII spelling of µs.
const TIME_UNITS: ReadonlyArray<{ unit: string, seconds: number }> = [
  { unit: 'ns', seconds: 1e-9 },
  { unit: 'µs', seconds: 1e-6 },
  { unit: 'ms', seconds: 1e-3 },
  { unit: 's', seconds: 1 },
]
const TIME_UNIT_ALIASES: Record<string, string> = { us: 'µs', ns: 'ns', µs: 'µs', ms: 'ms', s: 's' }

const SI_PREFIXES: ReadonlyArray<{ prefix: string, factor: number }> = [
  { prefix: '', factor: 1 },
  { prefix: 'k', factor: 1e3 },
  { prefix: 'M', factor: 1e6 },
  { prefix: 'G', factor: 1e9 },
  { prefix: 'T', factor: 1e12 },
]

export function formatSignificant (value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'NaN'
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  // Integers above the precision are shown whole: 1234 s, not 1.23e+3 s.
  if (magnitude >= 10 ** SIGNIFICANT_DIGITS) return String(Math.round(value))
  if (magnitude < 1e-3) return value.toExponential(SIGNIFICANT_DIGITS - 1)
  return value.toPrecision(SIGNIFICANT_DIGITS)
}

// Whether a value rounds to 1000 or more at three significant digits, so 999.7 goes up to
// the next unit as 1.00 rather than printing 1000 in the smaller one.
function roundsToThousand (value: number): boolean {
  return Math.abs(Number(value.toPrecision(SIGNIFICANT_DIGITS))) >= 1000
}

function formatTime (value: number, unit: string): string {
  const start = TIME_UNITS.findIndex((entry) => entry.unit === unit)
  const seconds = value * (TIME_UNITS[start]?.seconds ?? 1)
  let index = 0
  while (index < TIME_UNITS.length - 1 && roundsToThousand(seconds / TIME_UNITS[index].seconds)) index++
  const entry = TIME_UNITS[index]
  return `${formatSignificant(seconds / entry.seconds)} ${entry.unit}`
}

function formatScaled (value: number, unit: string): string {
  let index = 0
  while (index < SI_PREFIXES.length - 1 && roundsToThousand(value / SI_PREFIXES[index].factor)) index++
  const entry = SI_PREFIXES[index]
  const number = `${formatSignificant(value / entry.factor)}${entry.prefix}`
  return unit === '' ? number : `${number} ${unit}`
}

// A value with its unit. Times are rescaled between ns and s; counts and rates get SI
// prefixes on the number (51.2k msg/s); units that already carry a binary prefix (MiB/s)
// are left alone, since 1.2k MiB/s would mix two prefix systems.
export function formatValue (value: number, unit: string): string {
  if (!Number.isFinite(value)) return `${formatSignificant(value)} ${unit}`.trim()
  const timeUnit = TIME_UNIT_ALIASES[unit]
  if (timeUnit !== undefined) return formatTime(value, timeUnit)
  if (/^[KMGT]i/.test(unit)) return `${formatSignificant(value)} ${unit}`
  return formatScaled(value, unit)
}

// A signed percentage with one decimal: +20.1%, -3.0%.
export function formatPercentChange (fraction: number): string {
  if (!Number.isFinite(fraction)) return Number.isNaN(fraction) ? '?' : fraction > 0 ? '+∞%' : '-∞%'
  const percent = fraction * 100
  const text = Math.abs(percent).toFixed(1)
  if (Number(text) === 0) return '0.0%'
  return `${percent > 0 ? '+' : '-'}${text}%`
}

// The half-width of a confidence interval relative to its center, as benchstat shows it
// ("± 3%"): the larger of the distances to the two bounds.
export function formatIntervalPercent (center: number, low: number, high: number): string {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return '∞'
  if (center === 0) return low === 0 && high === 0 ? '0%' : '?'
  if (Math.sign(low) !== Math.sign(center) || Math.sign(high) !== Math.sign(center)) return '?'
  const spread = Math.max(high / center - 1, 1 - low / center) * 100
  return spread < 10 ? `${spread.toFixed(1)}%` : `${Math.round(spread)}%`
}

export function formatPValue (pValue: number): string {
  if (pValue < 0.001) return 'p<0.001'
  return `p=${pValue.toFixed(3)}`
}
