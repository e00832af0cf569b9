// The broker process's garbage-collection pauses, seen through perf_hooks, as a Prometheus
// histogram in GET /metrics (sluice_gc_pause_seconds). A collection stops every request the
// broker is handling, so a benchmark that scrapes this before and after its measured phase
// can say how many pauses over a threshold its latencies went through (issue #13 found
// mark-compacts of 3-15 ms every 0.5-2 s this way, by hand).
//
// One observer per process, shared by every broker in it (tests run several), started on
// first use: pauses belong to the process, not to one broker.

import { PerformanceObserver } from 'node:perf_hooks'

export const GC_PAUSE_FAMILY = 'sluice_gc_pause_seconds'

/** Upper bounds in seconds; the last bucket is +Inf. */
export const GC_PAUSE_BUCKETS_SECONDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]

export class GcPauses {
  readonly buckets = new Array<number>(GC_PAUSE_BUCKETS_SECONDS.length).fill(0)
  count = 0
  sumSeconds = 0

  record (durationMs: number): void {
    const seconds = durationMs / 1000
    this.count++
    this.sumSeconds += seconds
    for (let i = 0; i < GC_PAUSE_BUCKETS_SECONDS.length; i++) {
      if (seconds <= GC_PAUSE_BUCKETS_SECONDS[i]!) {
        this.buckets[i]!++
        break
      }
    }
  }

  /** Prometheus text lines, cumulative buckets. */
  render (): string[] {
    const name = GC_PAUSE_FAMILY
    const lines = [`# HELP ${name} Garbage-collection pauses of the broker process (perf_hooks), by duration.`, `# TYPE ${name} histogram`]
    let cumulative = 0
    GC_PAUSE_BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += this.buckets[i]!
      lines.push(`${name}_bucket{le="${le}"} ${cumulative}`)
    })
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sumSeconds}`, `${name}_count ${this.count}`)
    return lines
  }
}

let shared: GcPauses | null = null

/** This process's pauses; the first call starts the observer. */
export function processGcPauses (): GcPauses {
  if (shared !== null) return shared
  const pauses = new GcPauses()
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) pauses.record(entry.duration)
  }).observe({ entryTypes: ['gc'] })
  shared = pauses
  return pauses
}
