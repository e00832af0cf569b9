// Who does what in a run: topic and subscription names, every producer and consumer, and
// how they are spread over worker threads. Pure: the runner executes the plan.
//
// - Names carry a random run tag, so a run against an external cluster never reads
//   another run's records (consumers start from the beginning of their topics).
// - Subscriptions are consumer groups named per topic (`<topic>-sub-<n>`), as OMB does.
// - The native and http drivers have no consumer groups: each of their consumers reads
//   every partition. consumerPerSubscription consumers there would each read everything
//   and count every message several times, so those drivers get one consumer per
//   subscription, and the plan says so in its notes.
// - Threads: producers and consumers run in separate threads (one role per thread), at
//   most half the cores each by default: on the 2-core machines this harness targets that
//   is one producer thread and one consumer thread beside the broker.

import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import type { DriverName, DriverOptions } from '../drivers/driver.ts'
import type { Workload } from '../workload/types.ts'
import type { PayloadSpec } from './payload.ts'
import { REALTIME_BYTES_MAX_PER_SEC, REALTIME_RATE_MAX_PER_SEC } from './realtime.ts'
import type { ConsumerAssignment, ProducerAssignment, WorkerInit } from './worker-protocol.ts'

/** Drivers whose consumers join real consumer groups and share partitions. */
const GROUP_DRIVERS: ReadonlySet<DriverName> = new Set(['platformatic', 'kafkajs'])
/** Bytes of unacknowledged records one producer may have outstanding (Java's buffer.memory). */
const OUTSTANDING_BYTES_PER_PRODUCER = 32 * 1024 * 1024
const OUTSTANDING_RECORDS_MIN = 100
const OUTSTANDING_RECORDS_MAX = 100_000
/** Overhead per record besides the payload: key, header, record framing. */
const RECORD_OVERHEAD_BYTES = 64

export interface PlanOptions {
  workload: Workload
  driverOptions: DriverOptions
  payload: PayloadSpec
  seed: number
  producerThreads?: number
  consumerThreads?: number
  runTag?: string
  /** Whether load generators may run real-time at low fixed rates (bench --no-realtime: false). Default true. */
  realtime?: boolean
}

export interface RunPlan {
  runTag: string
  topics: string[]
  producers: ProducerAssignment[]
  consumers: ConsumerAssignment[]
  workers: WorkerInit[]
  producerThreads: number
  consumerThreads: number
  notes: string[]
}

function spread<T> (items: readonly T[], threads: number): T[][] {
  const buckets: T[][] = Array.from({ length: threads }, () => [])
  items.forEach((item, index) => buckets[index % threads]!.push(item))
  return buckets.filter(bucket => bucket.length > 0)
}

function threadCount (requested: number | undefined, items: number): number {
  if (items === 0) return 0
  const fallback = Math.max(1, Math.floor(availableParallelism() / 2))
  return Math.max(1, Math.min(items, requested ?? fallback))
}

/**
 * Whether a workload's load generators may run real-time (realtime.ts): only at one fixed
 * rate low enough that every thread sleeps most of the time (each subscription reads every
 * message once, so they count too). Not for a max-rate search nor a backlog drain, whose
 * threads run flat out.
 */
export function realtimeRate (workload: Workload): boolean {
  const rate = workload.producerRate
  return workload.mode === 'throughput' && rate > 0 &&
    rate * Math.max(1, workload.subscriptionsPerTopic) <= REALTIME_RATE_MAX_PER_SEC &&
    rate * workload.messageSize <= REALTIME_BYTES_MAX_PER_SEC
}

export function planRun (options: PlanOptions): RunPlan {
  const { workload } = options
  const driver = workload.driver as DriverName
  const runTag = options.runTag ?? randomBytes(3).toString('hex')
  const topics = Array.from({ length: workload.topics }, (_, i) => `sluice-${runTag}-${String(i).padStart(4, '0')}`)
  const notes: string[] = []
  const producers: ProducerAssignment[] = []
  for (const topic of topics) {
    for (let p = 0; p < workload.producersPerTopic; p++) producers.push({ topic, producerIndex: producers.length })
  }
  const groups = GROUP_DRIVERS.has(driver)
  const perSubscription = groups ? workload.consumerPerSubscription : Math.min(1, workload.consumerPerSubscription)
  if (!groups && workload.consumerPerSubscription > 1 && workload.subscriptionsPerTopic > 0) {
    notes.push(`the ${driver} driver has no consumer groups (each consumer reads every partition), so each subscription got 1 consumer instead of ${workload.consumerPerSubscription}`)
  }
  const consumers: ConsumerAssignment[] = []
  for (const topic of topics) {
    for (let s = 0; s < workload.subscriptionsPerTopic; s++) {
      for (let c = 0; c < perSubscription; c++) consumers.push({ topic, subscription: `${topic}-sub-${s}`, consumerIndex: consumers.length })
    }
  }
  const producerThreads = threadCount(options.producerThreads, producers.length)
  const consumerThreads = threadCount(options.consumerThreads, consumers.length)
  const outstanding = Math.floor(OUTSTANDING_BYTES_PER_PRODUCER / (workload.messageSize + RECORD_OVERHEAD_BYTES))
  const base = {
    driver,
    driverOptions: options.driverOptions,
    payload: options.payload,
    keys: workload.keys,
    seed: options.seed,
    outstandingPerProducerMax: Math.min(OUTSTANDING_RECORDS_MAX, Math.max(OUTSTANDING_RECORDS_MIN, outstanding)),
    // Real-time threads on one core would starve the harness's main thread, which ticks them.
    realtime: (options.realtime ?? true) && realtimeRate(workload) && availableParallelism() >= 2,
  }
  const workers: WorkerInit[] = [
    ...spread(producers, producerThreads).map((bucket, i): WorkerInit => ({ ...base, name: `producers-${i}`, role: 'producer', producers: bucket, consumers: [] })),
    ...spread(consumers, consumerThreads).map((bucket, i): WorkerInit => ({ ...base, name: `consumers-${i}`, role: 'consumer', producers: [], consumers: bucket })),
  ]
  return { runTag, topics, producers, consumers, workers, producerThreads, consumerThreads, notes }
}
