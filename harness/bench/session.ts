// The clock of a running benchmark: once a second it ticks every worker, adds their
// snapshots to the RunRecorder, closes the interval under the current phase and target
// rate, updates the progress line and lets the watch judge the second. Phases (runner.ts,
// phases.ts) are written as "hold this phase for N seconds, or until a condition", so
// their code reads like the run's plan.
//
// Ticks fall on whole seconds from the start of each hold; a hold that is not a whole
// number of seconds ends with one shorter interval, so phase boundaries are exact.

import { monotonicUs } from '../measure/clock.ts'
import type { Phase, IntervalSample, RunRecorder } from '../measure/recorder.ts'
import type { DisturbanceTracker } from '../measure/disturbance.ts'
import type { Progress } from '../progress.ts'
import { progressFromSample } from '../progress.ts'
import type { RunWatch } from './run-watch.ts'
import { sleepMs } from './run-watch.ts'
import type { WorkerPool } from './worker-pool.ts'

const TICK_US = 1_000_000
/** How long a tick waits for the workers' snapshots; late ones land in the next interval. */
const COLLECT_TIMEOUT_MS = 300
/** Rounding slack so a 3 s hold is three ticks, not three and a sliver. */
const HOLD_SLACK_US = 5000

export interface SessionOptions {
  pool: WorkerPool
  recorder: RunRecorder
  watch: RunWatch
  progress: Progress | null
  producerCount: number
  consumerCount: number
  /** Called after every closed interval (checkpoints). */
  onInterval?: (sample: IntervalSample) => void | Promise<void>
  /** Called when the phase changes (the broker scrapes at the measured phase's edges). */
  onPhaseChange?: (from: Phase, to: Phase) => void
  /** Gets every snapshot with whether it belongs to the measured phase (disturbance flags). */
  disturbances?: DisturbanceTracker
}

export class BenchSession {
  readonly pool: WorkerPool
  readonly recorder: RunRecorder
  readonly watch: RunWatch
  readonly #progress: Progress | null
  readonly #producerCount: number
  readonly #consumerCount: number
  readonly #onInterval: SessionOptions['onInterval']
  readonly #onPhaseChange: SessionOptions['onPhaseChange']
  readonly #disturbances: DisturbanceTracker | undefined
  #phase: Phase = 'warmup'
  /** What the producers were last asked for, msg/s over all producers; null while paused. */
  #targetRate: number | null = null
  /** Expected length of the whole run for the progress bar, seconds. */
  totalSec = 0

  constructor (options: SessionOptions) {
    this.pool = options.pool
    this.recorder = options.recorder
    this.watch = options.watch
    this.#progress = options.progress
    this.#producerCount = options.producerCount
    this.#consumerCount = options.consumerCount
    this.#onInterval = options.onInterval
    this.#onPhaseChange = options.onPhaseChange
    this.#disturbances = options.disturbances
  }

  get phase (): Phase {
    return this.#phase
  }

  get aborted (): boolean {
    return this.watch.signal.aborted
  }

  get targetRate (): number | null {
    return this.#targetRate
  }

  get elapsedSec (): number {
    return (monotonicUs() - this.recorder.startUs) / 1e6
  }

  /** Asks all producers together for `totalRatePerSec` msg/s (split evenly), starting a new schedule. */
  setRate (totalRatePerSec: number): void {
    this.#targetRate = totalRatePerSec
    if (this.#producerCount === 0) return
    this.pool.send({ type: 'setRate', ratePerProducerPerSec: totalRatePerSec / this.#producerCount }, 'producer')
  }

  pauseProducers (): void {
    this.#targetRate = null
    this.pool.send({ type: 'pauseProducers' }, 'producer')
  }

  pauseConsumers (): void {
    this.pool.send({ type: 'pauseConsumers' }, 'consumer')
  }

  resumeConsumers (): void {
    this.pool.send({ type: 'resumeConsumers' }, 'consumer')
  }

  /**
   * Runs `phase` for `seconds` (Infinity: until `until` says so), ticking every second.
   * Stops early when `until(sample)` returns true or the run is aborted. Returns the
   * intervals it closed.
   */
  async hold (phase: Phase, seconds: number, until?: (sample: IntervalSample) => boolean): Promise<IntervalSample[]> {
    this.enter(phase)
    const samples: IntervalSample[] = []
    const startUs = monotonicUs()
    const endUs = startUs + seconds * 1e6
    let boundaryUs = startUs
    while (!this.aborted) {
      const remainingUs = endUs - boundaryUs
      if (remainingUs <= HOLD_SLACK_US) break
      boundaryUs += Math.min(TICK_US, remainingUs)
      await sleepMs((boundaryUs - monotonicUs()) / 1000, this.watch.signal)
      if (this.aborted) break
      const sample = await this.tick()
      samples.push(sample)
      if (until?.(sample) === true) break
      // Behind schedule (a slow tick): skip ahead rather than fire a burst of short intervals.
      if (monotonicUs() > boundaryUs + TICK_US) boundaryUs = monotonicUs()
    }
    return samples
  }

  /** Intervals closed from now on belong to `phase`. */
  enter (phase: Phase): void {
    const from = this.#phase
    this.#phase = phase
    if (from !== phase) this.#onPhaseChange?.(from, phase)
    this.watch.phase = phase
  }

  /** Collects every worker's snapshot and closes one interval now. */
  async tick (): Promise<IntervalSample> {
    for (const snapshot of await this.pool.collect(COLLECT_TIMEOUT_MS)) {
      this.recorder.add(snapshot)
      this.#disturbances?.add(snapshot, this.#phase === 'measure')
    }
    return this.closeInterval()
  }

  /** Closes the open interval with whatever snapshots were added (also used at the very end). */
  async closeInterval (): Promise<IntervalSample> {
    const sample = this.recorder.closeInterval({ phase: this.#phase, targetRatePerSec: this.#targetRate })
    const sending = this.#targetRate !== null && this.#producerCount > 0
    this.watch.observe(sample, sending)
    this.#progress?.update(progressFromSample(sample, this.elapsedSec, Math.max(this.totalSec, this.elapsedSec), this.#consumerCount > 0))
    await this.#onInterval?.(sample)
    return sample
  }
}
