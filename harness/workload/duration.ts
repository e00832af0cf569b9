// Human durations for workload files and CLI flags: `20s`, `1.5m`, `2h`, `500ms`, `1m30s`.
// A bare number is seconds, so `--duration 90` means what a reader expects. Durations are
// bounded (a week) because a typo like `20h` for `20s` should fail loudly, not run all day.

export const DURATION_SECONDS_MAX = 7 * 24 * 3600
const DURATION_TEXT_LENGTH_MAX = 64

export class DurationError extends Error {
  readonly code = 'ERR_DURATION'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'DurationError'
  }
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 }
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y
const BARE_NUMBER = /^(\d+(?:\.\d+)?|\.\d+)$/

const ALLOWED = 'a duration such as 500ms, 20s, 1.5m, 2h or 1m30s (a bare number is seconds)'

/** Parses a duration and returns seconds, rounded to the millisecond. */
export function parseDurationSeconds (text: string): number {
  const trimmed = text.trim()
  if (trimmed.length === 0 || trimmed.length > DURATION_TEXT_LENGTH_MAX) {
    throw new DurationError(`expected ${ALLOWED} (got ${JSON.stringify(text)})`)
  }
  let seconds = 0
  if (BARE_NUMBER.test(trimmed)) {
    seconds = Number(trimmed)
  } else {
    PART.lastIndex = 0
    let parts = 0
    while (PART.lastIndex < trimmed.length) {
      const start = PART.lastIndex
      const match = PART.exec(trimmed)
      if (match === null || match.index !== start) {
        throw new DurationError(`expected ${ALLOWED} (got ${JSON.stringify(text)})`)
      }
      seconds += Number(match[1]) * UNIT_SECONDS[match[2]!]!
      parts++
    }
    if (parts === 0) throw new DurationError(`expected ${ALLOWED} (got ${JSON.stringify(text)})`)
  }
  if (!Number.isFinite(seconds) || seconds > DURATION_SECONDS_MAX) {
    throw new DurationError(`duration ${JSON.stringify(text)} is longer than the limit of ${DURATION_SECONDS_MAX} seconds (7 days)`)
  }
  return Math.round(seconds * 1000) / 1000
}

/** Parses a duration and returns whole milliseconds. */
export function parseDurationMs (text: string): number {
  return Math.round(parseDurationSeconds(text) * 1000)
}

/** Formats seconds compactly for logs and reports: 90 -> "1m30s", 0.5 -> "500ms". */
export function formatDurationSeconds (seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`
  let rest = Math.round(seconds * 1000) / 1000
  const hours = Math.floor(rest / 3600)
  rest -= hours * 3600
  const minutes = Math.floor(rest / 60)
  rest = Math.round((rest - minutes * 60) * 1000) / 1000
  let text = ''
  if (hours > 0) text += `${hours}h`
  if (minutes > 0) text += `${minutes}m`
  if (rest > 0 || text === '') text += `${rest}s`
  return text
}
