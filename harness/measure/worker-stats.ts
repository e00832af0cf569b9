// What one worker (a thread driving producers and consumers) counts and records, handed to
// the parent as one StatsSnapshot per interval.
//
// A snapshot holds deltas since the previous one: counts and encoded histograms. It is
// plain data (strings, numbers, a small record), so it crosses postMessage unchanged and
// the parent's RunRecorder can merge snapshots from any number of workers.

import type { WorkerPauses } from './disturbance.ts'
import { IntervalHistogram } from './histogram.ts'

/** The four latencies a run measures, all in µs. */
export const LATENCY_KINDS = ['publishLatencyUs', 'correctedPublishLatencyUs', 'publishDelayUs', 'endToEndLatencyUs'] as const
export type LatencyKind = typeof LATENCY_KINDS[number]

/**
 * - publishLatencyUs: ack time − actual send time (what the client library sees);
 * - correctedPublishLatencyUs: ack time − intended send time from the rate limiter
 *   (corrected for coordinated omission);
 * - publishDelayUs: actual send − intended send time (how far the producer lagged its
 *   schedule; OMB's "publish delay");
 * - endToEndLatencyUs: consumer receive time − the producer's timestamp header.
 */
export type EncodedLatencies = Record<LatencyKind, string | null>

export interface StatsSnapshot extends EncodedLatencies {
  /** Which worker sent it, for messages. */
  source: string
  publishedCount: number
  publishedBytes: number
  publishErrorCount: number
  /** Publish errors by error code (a Kafka error name or a DriverError code). */
  errorsByCode: Record<string, number>
  consumedCount: number
  consumedBytes: number
  /** GC and event-loop pauses the worker saw (measure/disturbance.ts); absent from older workers. */
  pauses?: WorkerPauses
}

/** Distinct error codes tracked per worker; further codes are counted under OTHER. */
export const ERROR_CODES_MAX = 64
export const OTHER_ERROR_CODE = 'OTHER'

export class WorkerStats {
  readonly source: string
  #publishedCount = 0
  #publishedBytes = 0
  #publishErrorCount = 0
  #errors = new Map<string, number>()
  #consumedCount = 0
  #consumedBytes = 0
  #publishLatency = new IntervalHistogram()
  #correctedPublishLatency = new IntervalHistogram()
  #publishDelay = new IntervalHistogram()
  #endToEndLatency = new IntervalHistogram()

  constructor (source: string) {
    this.source = source
  }

  /**
   * One acknowledged send. All three times come from the same clock (monotonicUs);
   * intendedUs is what the rate limiter handed out for this send.
   */
  recordPublishAck (sizeBytes: number, intendedUs: number, sentUs: number, ackUs: number): void {
    this.#publishedCount++
    this.#publishedBytes += sizeBytes
    this.#publishLatency.record(ackUs - sentUs)
    this.#correctedPublishLatency.record(ackUs - intendedUs)
    this.#publishDelay.record(sentUs - intendedUs)
  }

  recordPublishError (code: string): void {
    this.#publishErrorCount++
    const key = this.#errors.has(code) || this.#errors.size < ERROR_CODES_MAX ? code : OTHER_ERROR_CODE
    this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1)
  }

  /**
   * One consumed record. `producerTimestampUs` is the decoded sluice-ts-us header, or null
   * when the record has none (then only the counts move).
   */
  recordConsume (sizeBytes: number, producerTimestampUs: number | null, receiveUs: number): void {
    this.#consumedCount++
    this.#consumedBytes += sizeBytes
    if (producerTimestampUs !== null) this.#endToEndLatency.record(receiveUs - producerTimestampUs)
  }

  /** Everything since the previous snapshot; the counters start again from zero. */
  takeSnapshot (): StatsSnapshot {
    const snapshot: StatsSnapshot = {
      source: this.source,
      publishedCount: this.#publishedCount,
      publishedBytes: this.#publishedBytes,
      publishErrorCount: this.#publishErrorCount,
      errorsByCode: Object.fromEntries(this.#errors),
      consumedCount: this.#consumedCount,
      consumedBytes: this.#consumedBytes,
      publishLatencyUs: this.#publishLatency.takeEncoded(),
      correctedPublishLatencyUs: this.#correctedPublishLatency.takeEncoded(),
      publishDelayUs: this.#publishDelay.takeEncoded(),
      endToEndLatencyUs: this.#endToEndLatency.takeEncoded(),
    }
    this.#publishedCount = 0
    this.#publishedBytes = 0
    this.#publishErrorCount = 0
    this.#errors.clear()
    this.#consumedCount = 0
    this.#consumedBytes = 0
    return snapshot
  }
}
