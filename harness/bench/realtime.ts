// Real-time scheduling for the load-generator threads of a fixed-rate run.
//
// On a machine whose cores the broker and the harness share, a producer thread that sleeps
// until its next send is due is often woken while both cores run something else (the
// broker, the consumer, the kernel's loopback work), and Linux's default scheduler may let
// it wait milliseconds for a core. Measured at 5,000 msg/s on 2 shared cores: of 675 loop
// turns whose first send was over 0.4 ms late, 618 came after a wait in which the thread was
// on a CPU less than half the time (one used 59 µs of CPU in 8.0 ms): it was runnable, not
// running. nice -10 brought publish delay p99 only to 0.50-0.67 ms (0.78-0.98 ms without, in
// the same three pairs).
// Under SCHED_FIFO (priority 1, the lowest real-time one) a thread runs as soon as it wakes,
// and Linux gives real-time threads no timer slack: with the producer and the consumer
// thread (it takes each record's receipt time, the other end of every end-to-end latency)
// both real-time, publish delay p99 was 56-98 µs in three interleaved pairs, and end-to-end
// p99 no worse (3.0-4.4 ms against 3.4-4.9 ms).
//
// Both threads sleep most of the time at such rates, so the broker still gets every cycle
// they leave. A real-time thread that stays busy would take its core from the broker, so:
// - the plan asks for it only at fixed rates up to REALTIME_RATE_MAX_PER_SEC and
//   REALTIME_BYTES_MAX_PER_SEC, and only when the harness may use two cores or more (a
//   max-rate search, a backlog drain, a curve's high steps and a harness pinned to one core
//   run under the default scheduler);
// - RealtimeGuard.check(), called once a second, puts the thread back under the default
//   scheduler once it used more than REALTIME_DUTY_MAX of a core in two intervals in a row;
// - a producer under SCHED_FIFO spins 10 µs before a send instead of 80 (producer-loop.ts);
// - the policy is set with reset-on-fork, so no thread or process it starts inherits it;
// - Linux itself caps real-time threads at 95% of each second (sched_rt_runtime_us).
// Changing the policy needs CAP_SYS_NICE (root, outside a container that drops it) or an
// RLIMIT_RTPRIO; without it the run goes on under the default scheduler and the report says
// why.

import { execFile } from 'node:child_process'
import { readlinkSync } from 'node:fs'

/** The lowest SCHED_FIFO priority: above every normal thread, below the kernel's own. */
export const REALTIME_PRIORITY = 1
/** Fixed rates (msg/s over all producers, times subscriptions) up to this run their load generators real-time... */
export const REALTIME_RATE_MAX_PER_SEC = 10_000
/** ...and up to this many payload bytes a second. */
export const REALTIME_BYTES_MAX_PER_SEC = 16 * 1024 * 1024
/**
 * A real-time thread that used more than this fraction of a core in INTERVALS_OVER_MAX
 * intervals in a row leaves (one busy second, such as the first sends, is allowed).
 */
export const REALTIME_DUTY_MAX = 0.5
const INTERVALS_OVER_MAX = 2
const CHRT_TIMEOUT_MS = 5000

export interface SchedulingStatus {
  realtime: boolean
  /** How the thread is scheduled, or why it is not real-time. */
  note: string
}

export const DEFAULT_SCHEDULING: SchedulingStatus = { realtime: false, note: 'default scheduler' }

/**
 * The calling thread's Linux thread id (from /proc/thread-self); null elsewhere. Read
 * synchronously: an asynchronous readlink runs on a libuv pool thread, and names that one.
 */
export function threadId (): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) && tid > 0 ? tid : null
  } catch {
    return null
  }
}

/** Sets one thread's policy with chrt(1); resolves with null, or why it failed. */
function chrt (tid: number, realtime: boolean): Promise<string | null> {
  const args = realtime ? ['-f', '-R', '-p', String(REALTIME_PRIORITY), String(tid)] : ['-o', '-p', '0', String(tid)]
  return new Promise(resolve => {
    execFile('chrt', args, { timeout: CHRT_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (error === null) return resolve(null)
      const why = String(stderr).trim().split('\n')[0] || error.message
      resolve(`chrt ${args.join(' ')} failed: ${why}`)
    })
  })
}

/** Whether a thread that used cpuUs of CPU over wallUs was busier than REALTIME_DUTY_MAX. */
export function dutyExceeded (cpuUs: number, wallUs: number): boolean {
  return wallUs > 0 && cpuUs > REALTIME_DUTY_MAX * wallUs
}

function threadCpuUs (): number {
  const usage = process.threadCpuUsage()
  return usage.user + usage.system
}

/** The calling thread under SCHED_FIFO, for as long as it stays mostly idle. */
export class RealtimeGuard {
  readonly #tid: number | null
  #status: SchedulingStatus
  #cpuUs = 0
  #wallUs = 0
  #intervalsOver = 0
  #leaving = false

  private constructor (tid: number | null, status: SchedulingStatus) {
    this.#tid = tid
    this.#status = status
    this.#mark()
  }

  /** Puts the calling thread under SCHED_FIFO; the status says whether that worked. */
  static async enter (): Promise<RealtimeGuard> {
    const tid = threadId()
    if (tid === null) return new RealtimeGuard(null, { realtime: false, note: 'default scheduler: no /proc/thread-self (not Linux)' })
    const failure = await chrt(tid, true)
    const status = failure === null
      ? { realtime: true, note: `SCHED_FIFO priority ${REALTIME_PRIORITY} (real-time)` }
      : { realtime: false, note: `default scheduler: ${failure}` }
    return new RealtimeGuard(tid, status)
  }

  get status (): SchedulingStatus {
    return this.#status
  }

  /**
   * Once an interval: leaves real-time scheduling once the thread was busier than
   * REALTIME_DUTY_MAX in INTERVALS_OVER_MAX intervals in a row. Resolves with the new
   * status when it changed.
   */
  async check (): Promise<SchedulingStatus | null> {
    const cpuUs = threadCpuUs() - this.#cpuUs
    const wallUs = performance.now() * 1000 - this.#wallUs
    this.#mark()
    this.#intervalsOver = dutyExceeded(cpuUs, wallUs) ? this.#intervalsOver + 1 : 0
    if (!this.#status.realtime || this.#tid === null || this.#leaving || this.#intervalsOver < INTERVALS_OVER_MAX) return null
    this.#leaving = true
    const failure = await chrt(this.#tid, false).finally(() => { this.#leaving = false })
    const busy = `over ${Math.round(100 * REALTIME_DUTY_MAX)}% of a core in ${INTERVALS_OVER_MAX} intervals in a row (${Math.round(100 * cpuUs / wallUs)}% in the last)`
    // A thread that could not leave stays real-time, and the next check tries again.
    this.#status = failure === null
      ? { realtime: false, note: `default scheduler: left SCHED_FIFO after using ${busy}` }
      : { realtime: true, note: `SCHED_FIFO: used ${busy} but could not leave (${failure})` }
    return this.#status
  }

  #mark (): void {
    this.#cpuUs = threadCpuUs()
    this.#wallUs = performance.now() * 1000
  }
}
