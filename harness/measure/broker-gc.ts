// The reference brokers' GC pauses over the measured phase, from the same two /metrics
// scrapes as the broker breakdown (sluice_gc_pause_seconds, broker/server/gc-pauses.ts):
// how many went over the disturbance threshold, and the bucket the longest fell in. A pause
// stops every request the broker holds, so the run's latencies include it; the report flags
// it next to the workers' own pauses. Null without both scrapes (not the reference broker).

import type { Samples } from './broker-breakdown.ts'

const FAMILY = 'sluice_gc_pause_seconds'

export interface BrokerGcPauses {
  thresholdMs: number
  /** Pauses longer than thresholdMs during the measured phase, all brokers together. */
  over: number
  total: number
  /** Bucket bounds the longest pause fell between, in ms; null when there was none. */
  longestMs: { aboveMs: number, atMostMs: number | null } | null
}

function bucketBounds (samples: Samples): number[] {
  const bounds: number[] = []
  for (const key of samples.keys()) {
    const m = /^sluice_gc_pause_seconds_bucket\{le="([^"]+)"\}$/.exec(key)
    if (m !== null && m[1] !== '+Inf') bounds.push(Number(m[1]))
  }
  return bounds.sort((a, b) => a - b)
}

export function brokerGcPauses (before: Samples | null, after: Samples | null, thresholdMs: number): BrokerGcPauses | null {
  if (before === null || after === null) return null
  const delta = (key: string): number | null => {
    const a = after.get(key)
    const b = before.get(key)
    return a === undefined || b === undefined ? null : a - b
  }
  const total = delta(`${FAMILY}_count`)
  const bounds = bucketBounds(after)
  const atThreshold = delta(`${FAMILY}_bucket{le="${thresholdMs / 1000}"}`)
  if (total === null || atThreshold === null) return null
  let longestMs: BrokerGcPauses['longestMs'] = null
  if (total > 0) {
    // The smallest bound whose cumulative count holds every pause bounds the longest.
    const index = bounds.findIndex(le => delta(`${FAMILY}_bucket{le="${le}"}`) === total)
    longestMs = index === -1
      ? { aboveMs: (bounds.at(-1) ?? 0) * 1000, atMostMs: null }
      : { aboveMs: index === 0 ? 0 : bounds[index - 1]! * 1000, atMostMs: bounds[index]! * 1000 }
  }
  return { thresholdMs, over: total - atThreshold, total, longestMs }
}

/** The report's sentence, or null when no pause went over the threshold. */
export function brokerGcFlag (gc: BrokerGcPauses | null): string | null {
  if (gc === null || gc.over === 0 || gc.longestMs === null) return null
  const longest = gc.longestMs.atMostMs === null ? `over ${gc.longestMs.aboveMs} ms` : `${gc.longestMs.aboveMs}-${gc.longestMs.atMostMs} ms`
  return `the broker process(es) had ${gc.over} GC pause(s) over ${gc.thresholdMs} ms in the measured phase (the longest ${longest}; ${gc.total} in all): ` +
    'requests in the broker waited through them, so publish and end-to-end latencies include them'
}
