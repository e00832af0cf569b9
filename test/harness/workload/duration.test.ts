import { describe, expect, it } from 'vitest'
import { DurationError, formatDurationSeconds, parseDurationMs, parseDurationSeconds } from '../../../harness/workload/duration.ts'

describe('parseDurationSeconds', () => {
  it.each([
    ['20s', 20], ['1.5m', 90], ['2h', 7200], ['500ms', 0.5], ['1m30s', 90], ['90', 90], ['0.25', 0.25], [' 10s ', 10], ['.5s', 0.5],
  ])('parses %j as %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds)
  })

  it.each(['', 'abc', '-5s', '10x', 's', '10 s', '1.5.2m', '10s5'])('rejects %j with a message that says what is allowed', (text) => {
    expect(() => parseDurationSeconds(text)).toThrow(DurationError)
    expect(() => parseDurationSeconds(text)).toThrow(/duration such as 500ms, 20s/)
  })

  it('rejects durations above a week', () => {
    expect(parseDurationSeconds('168h')).toBe(604800)
    expect(() => parseDurationSeconds('169h')).toThrow(/longer than the limit/)
  })

  it('gives whole milliseconds without float noise', () => {
    expect(parseDurationMs('1.1m')).toBe(66000)
    expect(parseDurationMs('250ms')).toBe(250)
  })
})

describe('formatDurationSeconds', () => {
  it.each([[90, '1m30s'], [0.5, '500ms'], [3600, '1h'], [0, '0ms'], [3661, '1h1m1s'], [15, '15s']])('formats %d as %j', (seconds, text) => {
    expect(formatDurationSeconds(seconds)).toBe(text)
  })

  it('round-trips through parseDurationSeconds', () => {
    for (const seconds of [0.5, 1, 59, 61, 3599, 3601, 90061]) {
      expect(parseDurationSeconds(formatDurationSeconds(seconds))).toBe(seconds)
    }
  })
})
