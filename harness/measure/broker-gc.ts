// The reference brokers' GC pauses over the measured phase, from the same two /metrics
// scrapes as the broker breakdown (sluice_gc_pause_seconds, broker/server/gc-pauses.ts):
// how many went over the disturbance threshold, and the bucket the longest fell in. A pause
// stops every request the broker holds, so the run's latencies include it; the report flags
// it next to the workers' own pauses. Null without both scrapes (not the reference broker).

import { GC_PAUSE_BUCKETS_SECONDS, GC_PAUSE_FAMILY } from '../../broker/server/gc-pauses.ts'
import { sampleDelta, type Samples } from './broker-breakdown.ts'

export interface BrokerGcPauses {
  thresholdMs: number
  /** Pauses longer than thresholdMs during the measured phase, all brokers together. */
  over: number
  total: number
  /** Bucket bounds the longest pause fell between, in ms; null when there was none. */
  longestMs: { aboveMs: number, atMostMs: number | null } | null
}

export function brokerGcPauses (before: Samples | null, after: Samples | null, thresholdMs: number): BrokerGcPauses | null {
  // Both scrapes must carry the family: counting from a missing one would count from 0.
  if (before?.has(`${GC_PAUSE_FAMILY}_count`) !== true || after === null) return null
  const inBucket = (le: number): number | null => sampleDelta(before, after, `${GC_PAUSE_FAMILY}_bucket{le="${le}"}`)
  const total = sampleDelta(before, after, `${GC_PAUSE_FAMILY}_count`)
  const atThreshold = inBucket(thresholdMs / 1000)
  if (total === null || atThreshold === null) return null
  let longestMs: BrokerGcPauses['longestMs'] = null
  if (total > 0) {
    // The smallest bound whose cumulative count holds every pause bounds the longest.
    const bounds = GC_PAUSE_BUCKETS_SECONDS
    const index = bounds.findIndex(le => inBucket(le) === total)
    longestMs = index === -1
      ? { aboveMs: bounds.at(-1)! * 1000, atMostMs: null }
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
