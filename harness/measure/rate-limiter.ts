// A uniform rate limiter that gives every send its *intended* send time.
//
// The n-th send of a schedule started at t0 is intended for t0 + n / rate, whatever
// happened before it. When the producer falls behind (a stalled broker, a full in-flight
// window), the sends that should have gone out meanwhile are due at once, with intended
// times in the past. Measuring latency from the intended time (ack − intended) therefore
// charges the stall to every message it delayed, which is the correction for coordinated
// omission (Gil Tene; wrk2 does the same). Latency from the actual send (ack − sent) is
// what the client library alone would report; a result shows both.
//
// Rate 0 means unlimited: every send is due at once and its intended time is "now", so the
// two latencies coincide.
//
// The limiter never sleeps by itself. A producer loop asks takeDue(now) for the sends that
// are due, sends them, and waits delayUs(now) before asking again; acquire() wraps that for
// producers that send one message at a time.

import { setTimeout as sleep } from 'node:timers/promises'
import { monotonicUs } from './clock.ts'

/** Far above any rate one machine can produce; a larger value is a mistake. */
export const RATE_PER_SEC_MAX = 100_000_000

export class RateLimiterError extends Error {
  readonly code = 'ERR_RATE_LIMITER'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'RateLimiterError'
  }
}

export interface RateLimiterOptions {
  /** Messages per second; 0 = unlimited. */
  ratePerSec: number
  /** The clock, in µs. Defaults to monotonicUs; tests pass a fake one. */
  nowUs?: () => number
  /** When the schedule starts; defaults to now. */
  startUs?: number
}

function checkRate (ratePerSec: number): void {
  if (!(Number.isFinite(ratePerSec) && ratePerSec >= 0 && ratePerSec <= RATE_PER_SEC_MAX)) {
    throw new RateLimiterError(`rate must be between 0 (unlimited) and ${RATE_PER_SEC_MAX} msg/s, got ${ratePerSec}`)
  }
}

export class UniformRateLimiter {
  #nowUs: () => number
  #ratePerSec = 0
  #intervalUs = 0
  #startUs = 0
  // Sends issued since the schedule started; the next one is intended for start + issued·interval.
  #issued = 0

  constructor (options: RateLimiterOptions) {
    this.#nowUs = options.nowUs ?? monotonicUs
    this.setRate(options.ratePerSec, options.startUs)
  }

  get ratePerSec (): number {
    return this.#ratePerSec
  }

  /**
   * Starts a new schedule at `startUs` (default now). Sends owed under the old rate are
   * forgiven: a max-rate search judges each step on its own rate, and a lower rate must
   * not inherit the queue of a higher one.
   */
  setRate (ratePerSec: number, startUs: number = this.#nowUs()): void {
    checkRate(ratePerSec)
    this.#ratePerSec = ratePerSec
    this.#intervalUs = ratePerSec === 0 ? 0 : 1e6 / ratePerSec
    this.#startUs = startUs
    this.#issued = 0
  }

  /** Intended time of the next send, without taking it. */
  peekUs (): number {
    if (this.#intervalUs === 0) return this.#nowUs()
    return this.#startUs + this.#issued * this.#intervalUs
  }

  /**
   * The intended time of the next send if it is due at `nowUs`, taking it; null when it is
   * not due yet. Call repeatedly to drain every due send after a stall.
   */
  takeDue (nowUs: number = this.#nowUs()): number | null {
    if (this.#intervalUs === 0) return nowUs
    const intendedUs = this.#startUs + this.#issued * this.#intervalUs
    if (intendedUs > nowUs) return null
    this.#issued++
    return intendedUs
  }

  /** Takes the next send whether due or not and returns its intended time. */
  take (): number {
    if (this.#intervalUs === 0) return this.#nowUs()
    const intendedUs = this.#startUs + this.#issued * this.#intervalUs
    this.#issued++
    return intendedUs
  }

  /** How long until the next send is due; 0 when it already is. */
  delayUs (nowUs: number = this.#nowUs()): number {
    if (this.#intervalUs === 0) return 0
    return Math.max(0, this.#startUs + this.#issued * this.#intervalUs - nowUs)
  }

  /** How many sends are due at `nowUs` and not yet taken (the producer's lag). */
  dueCount (nowUs: number = this.#nowUs()): number {
    if (this.#intervalUs === 0) return Infinity
    const owed = Math.floor((nowUs - this.#startUs) / this.#intervalUs) + 1 - this.#issued
    return Math.max(0, owed)
  }

  /**
   * Waits until the next send is due and returns its intended time. Timers fire at
   * millisecond granularity, so at high rates sends come in small bursts; each still gets
   * its own intended time, so the bursts do not distort the corrected latency.
   */
  async acquire (signal?: AbortSignal): Promise<number> {
    const intendedUs = this.take()
    const waitUs = intendedUs - this.#nowUs()
    if (waitUs >= 1000) await sleep(Math.floor(waitUs / 1000), undefined, { signal })
    return intendedUs
  }
}
