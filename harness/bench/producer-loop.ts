// One producer's send loop, inside a worker thread: it takes intended send times from a
// UniformRateLimiter, sends every record that is due, and records each acknowledgement
// against both the intended and the actual send time (see measure/worker-stats.ts).
//
// - Every record carries the header sluice-ts-us = encodeTimestampHeader(monotonicUs())
//   taken just before send(); every driver keeps a header the caller set instead of
//   stamping its own, and consumers decode it with decodeTimestampHeader, so both ends
//   use measure/clock.ts (one monotonic clock for all threads and processes).
// - At most outstandingMax sends may wait for their acks. At the bound the loop waits for
//   room while the limiter's schedule runs on, so the time a record waited for room is
//   charged to it (the coordinated-omission correction), as a blocked Java producer is.
// - Timers have millisecond granularity, so at high rates records go out in small bursts;
//   a burst is capped at BURST_MAX sends before the loop yields, so the worker still
//   answers the parent's ticks on time.
// - The loop never busy-waits. With nothing due it sleeps until the next intended time:
//   a timer for whole milliseconds, then a precise wait (Atomics.wait on the worker thread,
//   a futex sleep, tens of µs accurate) for the last sub-millisecond part, after letting the
//   event loop run once so acks are handled first. A timer alone wakes at most once per
//   millisecond, so at 5,000 msg/s every record waited up to a millisecond past its
//   intended time; the precise wait keeps the schedule error (publish delay) small. The
//   futex sleep itself wakes ~50-60 µs late (timer slack), so it aims SPIN_US_DEFAULT early
//   and polls the clock for the rest: a bounded spin, never longer than that per send.
//   `npm run bench:micro -- schedule` compares the two.
// - At high rates (gaps under SPIN_GAP_US_MIN) the loop neither spins nor wakes once per
//   record: it sleeps at least HIGH_RATE_SLEEP_US and sends whatever fell due meanwhile.
//   Waking per record at 90,000 msg/s (11 µs gaps) kept the thread busy with event-loop
//   turns and clock polls (performance.now alone was a quarter of its profile), a core
//   taken from the broker and the consumer on a 2-core machine; a record there goes out at
//   most ~0.15 ms late, well inside any linger.
// - A producer with sendTimed() (the native driver) gets each record without a promise, a
//   header object or a header Buffer: it stamps the send time itself and reports acks to
//   this loop's one listener, so the send path allocates nothing per record and the
//   worker's collector stays quiet. Other drivers go through send() and a promise.

import { setImmediate as yieldTurn } from 'node:timers/promises'
import { errorName } from '../../broker/protocol/errors.ts'
import { DriverError, type BenchmarkProducer, type RecordHeaders, type SendListener } from '../drivers/driver.ts'
import { encodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../measure/clock.ts'
import { UniformRateLimiter } from '../measure/rate-limiter.ts'
import type { WorkerStats } from '../measure/worker-stats.ts'
import type { KeyGenerator } from './keys.ts'
import type { PayloadPool } from './payload.ts'

const BURST_MAX = 512
/** Below this much time to the next send, wait precisely instead of with a timer. */
const PRECISE_WAIT_US_MAX = 1500
/** Shorter waits are not worth a system call: send at once. */
const PRECISE_WAIT_US_MIN = 20
/**
 * The last this-many µs before a due send are spent polling the clock instead of sleeping:
 * a futex sleep wakes 50-60 µs late (Linux's default timer slack for a thread) and later
 * when the core is busy, so the sleep aims this much early. The poll is bounded by this
 * figure per wait; see spinUntilUs for what it costs.
 */
export const SPIN_US_DEFAULT = 80
/**
 * The spin for a thread under SCHED_FIFO (bench/realtime.ts): Linux gives real-time threads
 * no timer slack (the 50-60 µs a default thread's futex sleep wakes late) and runs them as
 * soon as they wake. With it, at 5,000 msg/s: publish delay p50 13-16 µs, p99 56-98 µs.
 */
export const SPIN_US_REALTIME = 10
/** The spin is only worth its CPU at gaps this long or longer (rates up to 6,250 msg/s). */
const SPIN_GAP_US_MIN = 160
/** At shorter gaps every wait sleeps at least this long, so sends go out in small bursts. */
export const HIGH_RATE_SLEEP_US_DEFAULT = 100
const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/** Blocks this thread for `us` microseconds (a futex wait that nothing wakes). */
function sleepPreciseUs (us: number): void {
  Atomics.wait(sleepCell, 0, 0, us / 1000)
}

/**
 * Polls the clock until `dueUs`, at most `spinUsMax` µs. At 5,000 msg/s a wait that ends
 * in a spin of ~20-30 µs (the part of the margin the futex wake-up did not eat) keeps one
 * thread busy about 10-15 % of a core; the thread sleeps the rest of every gap, and the
 * caller spins at most half of a gap.
 */
function spinUntilUs (dueUs: number, spinUsMax: number): void {
  const endUs = Math.min(dueUs, monotonicUs() + spinUsMax)
  while (monotonicUs() < endUs) { /* bounded: endUs is at most spinUsMax ahead */ }
}

type State = 'paused' | 'running' | 'stopped'

/** A stable code for a failed send: the Kafka error name when there is one. */
export function sendErrorCode (error: unknown): string {
  if (error instanceof DriverError) return error.kafkaErrorCode !== null ? errorName(error.kafkaErrorCode) : error.code
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'ERR_UNKNOWN'
}

export class ProducerLoop {
  readonly #producer: BenchmarkProducer
  readonly #stats: WorkerStats
  readonly #keys: KeyGenerator
  readonly #payloads: PayloadPool
  readonly #outstandingMax: number
  readonly #limiter = new UniformRateLimiter({ ratePerSec: 0 })
  #state: State = 'paused'
  #outstanding = 0
  #wake: (() => void) | null = null
  #timer: NodeJS.Timeout | null = null
  #roomWaiter: (() => void) | null = null
  #idleWaiters: Array<() => void> = []
  readonly #loop: Promise<void>

  readonly #preciseWait: boolean
  #spinUs: number
  readonly #highRateSleepUs: number
  /** µs between intended sends at the current rate; 0 when unlimited. */
  #gapUs = 0
  readonly #timed: boolean
  readonly #listener: SendListener = {
    acked: (sizeBytes, intendedUs, sentUs, ackUs) => {
      this.#stats.recordPublishAck(sizeBytes, intendedUs, sentUs, ackUs)
      this.#settled()
    },
    failed: (error) => {
      this.#stats.recordPublishError(sendErrorCode(error))
      this.#settled()
    },
  }

  /**
   * `preciseWait: false` keeps the timer-only schedule, `spinUs: 0` the precise wait without
   * the final spin, `highRateSleepUs: 0` one wait (and spin) per record at every rate (all
   * for comparison in bench/).
   */
  constructor (options: {
    producer: BenchmarkProducer, stats: WorkerStats, keys: KeyGenerator, payloads: PayloadPool, outstandingMax: number,
    preciseWait?: boolean, spinUs?: number, highRateSleepUs?: number
  }) {
    this.#preciseWait = options.preciseWait ?? true
    this.#spinUs = Math.max(0, options.spinUs ?? SPIN_US_DEFAULT)
    this.#highRateSleepUs = Math.max(0, options.highRateSleepUs ?? HIGH_RATE_SLEEP_US_DEFAULT)
    this.#producer = options.producer
    this.#timed = typeof options.producer.sendTimed === 'function'
    this.#stats = options.stats
    this.#keys = options.keys
    this.#payloads = options.payloads
    this.#outstandingMax = Math.max(1, options.outstandingMax)
    this.#loop = this.#run()
  }

  /** Real-time threads spin less before a send (SPIN_US_REALTIME); set when the thread's scheduling changes. */
  set realtime (realtime: boolean) {
    this.#spinUs = realtime ? SPIN_US_REALTIME : SPIN_US_DEFAULT
  }

  get outstanding (): number {
    return this.#outstanding
  }

  /** Starts a new schedule at `ratePerSec` (0 = as fast as acks allow). */
  setRate (ratePerSec: number): void {
    if (this.#state === 'stopped') return
    this.#limiter.setRate(ratePerSec)
    this.#gapUs = ratePerSec === 0 ? 0 : 1e6 / ratePerSec
    this.#state = 'running'
    this.#wakeUp()
  }

  pause (): void {
    if (this.#state === 'running') this.#state = 'paused'
  }

  /**
   * Stops sending, waits up to timeoutMs for outstanding acks, then closes the producer
   * (also bounded). Returns how many sends were still unacknowledged.
   */
  async stop (timeoutMs: number): Promise<number> {
    this.#state = 'stopped'
    this.#wakeUp()
    await this.#loop
    const deadline = Date.now() + timeoutMs
    if (this.#outstanding > 0) await withTimeout(new Promise<void>(resolve => this.#idleWaiters.push(resolve)), timeoutMs)
    const left = this.#outstanding
    await withTimeout(this.#producer.close().catch(() => {}), Math.max(0, deadline - Date.now()))
    return left
  }

  async #run (): Promise<void> {
    while (this.#state !== 'stopped') {
      if (this.#state === 'paused') {
        await new Promise<void>(resolve => { this.#wake = resolve })
        continue
      }
      const nowUs = monotonicUs()
      let sent = 0
      while (sent < BURST_MAX && this.#outstanding < this.#outstandingMax) {
        const intendedUs = this.#limiter.takeDue(nowUs)
        if (intendedUs === null) break
        this.#send(intendedUs)
        sent++
      }
      if (this.#outstanding >= this.#outstandingMax) {
        await new Promise<void>(resolve => { this.#roomWaiter = resolve; this.#wake = resolve })
      } else if (sent === BURST_MAX) {
        await yieldTurn()
      } else {
        await this.#waitForNext()
      }
      this.#wake = null
    }
  }

  /** Sleeps until the next send is due (or a wake-up): timer for the bulk, precise for the rest. */
  async #waitForNext (): Promise<void> {
    const delayUs = this.#limiter.delayUs()
    if (this.#preciseWait && delayUs < PRECISE_WAIT_US_MAX) {
      // Let acks and the parent's messages run first; then sleep what is left of the wait.
      await yieldTurn()
      if (this.#state !== 'running') return
      const leftUs = this.#limiter.delayUs()
      if (this.#highRateSleepUs > 0 && this.#gapUs < SPIN_GAP_US_MIN) {
        sleepPreciseUs(Math.max(leftUs, this.#highRateSleepUs))
        return
      }
      // At most half the gap between sends is spun, so the thread sleeps at least half of
      // every gap even at rates whose gap is shorter than the margin.
      const spinUs = Math.min(this.#spinUs, this.#gapUs / 2)
      if (leftUs - spinUs >= PRECISE_WAIT_US_MIN) sleepPreciseUs(leftUs - spinUs)
      if (spinUs > 0) spinUntilUs(this.#limiter.peekUs(), spinUs)
      return
    }
    const timerUs = this.#preciseWait ? delayUs - PRECISE_WAIT_US_MAX / 2 : delayUs
    const delayMs = Math.max(1, Math.floor(timerUs / 1000))
    await new Promise<void>(resolve => {
      this.#wake = resolve
      this.#timer = setTimeout(resolve, delayMs)
    })
    this.#timer = null
  }

  #send (intendedUs: number): void {
    const key = this.#keys.next()
    const payload = this.#payloads.next()
    const sentUs = monotonicUs()
    this.#outstanding++
    if (this.#timed) {
      this.#producer.sendTimed!(key, payload, intendedUs, sentUs, this.#listener)
      return
    }
    const headers: RecordHeaders = { [TIMESTAMP_HEADER]: encodeTimestampHeader(sentUs) }
    let sending: Promise<void>
    try {
      sending = this.#producer.send(key, payload, headers)
    } catch (error) {
      sending = Promise.reject(error)
    }
    sending.then(
      () => {
        this.#stats.recordPublishAck(payload.length, intendedUs, sentUs, monotonicUs())
        this.#settled()
      },
      (error: unknown) => {
        this.#stats.recordPublishError(sendErrorCode(error))
        this.#settled()
      })
  }

  #settled (): void {
    this.#outstanding--
    // Wake the loop once half the window is free rather than on every ack, so a full
    // window refills in bursts instead of one record per turn.
    if (this.#roomWaiter !== null && this.#outstanding <= this.#outstandingMax >> 1) {
      const wake = this.#roomWaiter
      this.#roomWaiter = null
      wake()
    }
    if (this.#outstanding === 0 && this.#idleWaiters.length > 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
  }

  #wakeUp (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#roomWaiter = null
    const wake = this.#wake
    this.#wake = null
    wake?.()
  }
}

async function withTimeout (promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })])
  clearTimeout(timer)
}
