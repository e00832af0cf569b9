// The messages between the runner (parent thread) and its load-generator threads.
//
// A worker is told everything it needs in workerData (WorkerInit), creates its own driver
// instance and its producers or consumers, and says `ready`. The parent then drives it
// with small commands and, once a second, a `tick` that the worker answers at once with
// its StatsSnapshot (counts and histograms since the previous tick), so every interval
// the parent closes holds the same second from every worker. Everything here is plain
// data: it crosses postMessage by structured clone.

import type { DriverName, DriverOptions } from '../drivers/driver.ts'
import type { StatsSnapshot } from '../measure/worker-stats.ts'
import type { KeySpec } from '../workload/types.ts'
import type { PayloadSpec } from './payload.ts'
import type { SchedulingStatus } from './realtime.ts'

export type WorkerRole = 'producer' | 'consumer'

export interface ProducerAssignment {
  topic: string
  /** Index over every producer of the run; seeds its keys and payload choice. */
  producerIndex: number
}

export interface ConsumerAssignment {
  topic: string
  /** The consumer group (OMB's subscription). */
  subscription: string
  consumerIndex: number
}

export interface WorkerInit {
  /** For messages and stats: `producers-0`, `consumers-1`. */
  name: string
  role: WorkerRole
  driver: DriverName
  driverOptions: DriverOptions
  producers: ProducerAssignment[]
  consumers: ConsumerAssignment[]
  payload: PayloadSpec
  keys: KeySpec | null
  seed: number
  /** Unacknowledged sends one producer may have outstanding before it waits. */
  outstandingPerProducerMax: number
  /** Run this thread under SCHED_FIFO while it stays mostly idle (realtime.ts). */
  realtime: boolean
}

export type ToWorker =
  /** Producers start (or restart) their schedules at this rate each; 0 = unlimited. */
  | { type: 'setRate', ratePerProducerPerSec: number }
  /** Producers stop sending until the next setRate; what is in flight completes. */
  | { type: 'pauseProducers' }
  | { type: 'pauseConsumers' }
  | { type: 'resumeConsumers' }
  | { type: 'tick', seq: number }
  /** Producers stop for good, wait up to timeoutMs for outstanding acks, and close. */
  | { type: 'stopProducers', timeoutMs: number }
  /** Everything closes (within timeoutMs); the worker answers `stopped` and exits. */
  | { type: 'stop', timeoutMs: number }

export type FromWorker =
  | { type: 'ready', scheduling: SchedulingStatus }
  /** The thread's scheduling changed after ready (it left real-time: realtime.ts). */
  | { type: 'scheduling', status: SchedulingStatus }
  | { type: 'stats', seq: number, snapshot: StatsSnapshot }
  | { type: 'producersStopped', unacknowledged: number, snapshot: StatsSnapshot }
  | { type: 'stopped', snapshot: StatsSnapshot, consumerErrors: Record<string, number> }
  /** Setting up failed (the worker exits after sending this). */
  | { type: 'failed', message: string, code: string }
