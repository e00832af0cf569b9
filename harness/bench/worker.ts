// Entry point of a load-generator thread (worker_threads). Load runs here, not in the
// runner's thread, so the runner's bookkeeping (merging histograms, rendering progress,
// writing results) never delays a send or a receive.
//
// The worker builds its own driver instance from workerData (WorkerInit), creates its
// producers or consumers, says `ready`, and then obeys the parent (worker-protocol.ts):
// rates, pauses, ticks (answered at once with a StatsSnapshot), stop. Consumers start
// consuming as soon as they are created; producers send nothing until the first setRate.
// Every snapshot carries the GC and event-loop pauses the thread saw (PauseMonitor), so
// the report can flag figures a pause disturbed.
// When the plan says so (fixed low rates), the thread runs under SCHED_FIFO once its clients
// exist, and leaves it if it gets busy (realtime.ts); `ready` and `scheduling` tell the
// parent how it is scheduled, for the report.
//
// SLUICE_DEBUG_WORKER_STALL_MS (debugging and tests only): a producer worker blocks its
// thread that long on every tick, to show what a disturbed run looks like in the report.

import { parentPort, workerData } from 'node:worker_threads'
import type { BenchmarkConsumer, BenchmarkDriver, ConsumedMessage, ReceiveListener } from '../drivers/driver.ts'
import { decodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../measure/clock.ts'
import { PauseMonitor } from '../measure/disturbance.ts'
import { WorkerStats, type StatsSnapshot } from '../measure/worker-stats.ts'
import { loadDriver } from './driver-loader.ts'
import { createKeyGenerator } from './keys.ts'
import { PayloadPool } from './payload.ts'
import { ProducerLoop } from './producer-loop.ts'
import { DEFAULT_SCHEDULING, RealtimeGuard } from './realtime.ts'
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('programmer error: harness/bench/worker.ts must run as a worker thread')
const init = workerData as WorkerInit

function post (message: FromWorker): void {
  port!.postMessage(message)
}

const stats = new WorkerStats(init.name)
const pauses = new PauseMonitor()
const debugStallMs = Number(process.env.SLUICE_DEBUG_WORKER_STALL_MS ?? 0)
const stallCell = new Int32Array(new SharedArrayBuffer(4))

function snapshot (): StatsSnapshot {
  return { ...stats.takeSnapshot(), pauses: pauses.take() }
}

/** The debug stall: blocks this thread (a futex wait nothing wakes), as a long GC would. */
function debugStall (): void {
  if (init.role === 'producer' && Number.isFinite(debugStallMs) && debugStallMs > 0) Atomics.wait(stallCell, 0, 0, debugStallMs)
}
let driver: BenchmarkDriver | null = null
const producers: ProducerLoop[] = []
const consumers: BenchmarkConsumer[] = []
let stopping = false
let realtime: RealtimeGuard | null = null

async function setUp (): Promise<void> {
  pauses.start()
  driver = await loadDriver(init.driver, init.driverOptions)
  if (init.role === 'producer') {
    // Producers of one worker share its payload pool; keys are per producer.
    const payloads = await PayloadPool.create(init.payload, init.seed)
    for (const assignment of init.producers) {
      const producer = await driver.createProducer(assignment.topic)
      const keys = createKeyGenerator(init.keys, init.seed + 7919 * (assignment.producerIndex + 1))
      producers.push(new ProducerLoop({ producer, stats, keys, payloads, outstandingMax: init.outstandingPerProducerMax }))
    }
    return
  }
  const onMessage = (message: ConsumedMessage): void => {
    stats.recordConsume(message.value === null ? 0 : message.value.length, decodeTimestampHeader(message.headers[TIMESTAMP_HEADER]), monotonicUs())
  }
  // The allocation-free path where the driver has one (native): no message object per record.
  const listener: ReceiveListener = {
    received: (sizeBytes, producerTimestampUs) => stats.recordConsume(sizeBytes, producerTimestampUs, monotonicUs()),
  }
  for (const assignment of init.consumers) {
    consumers.push(driver.createTimedConsumer !== undefined
      ? await driver.createTimedConsumer(assignment.topic, assignment.subscription, listener)
      : await driver.createConsumer(assignment.topic, assignment.subscription, onMessage))
  }
}

function consumerErrors (): Record<string, number> {
  const out: Record<string, number> = {}
  for (const consumer of consumers) {
    const counts = (consumer as { errorCounts?: unknown }).errorCounts
    if (!(counts instanceof Map)) continue
    for (const [code, count] of counts as Map<string, number>) out[code] = (out[code] ?? 0) + count
  }
  return out
}

async function bounded (work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => {}), new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })])
  clearTimeout(timer)
}

async function stopProducers (timeoutMs: number): Promise<number> {
  const left = await Promise.all(producers.map(p => p.stop(timeoutMs)))
  return left.reduce((sum, n) => sum + n, 0)
}

async function stopAll (timeoutMs: number): Promise<void> {
  if (stopping) return
  stopping = true
  const deadline = Date.now() + timeoutMs
  await stopProducers(timeoutMs)
  await bounded(Promise.all(consumers.map(c => c.close())), Math.max(0, deadline - Date.now()))
  if (driver !== null) await bounded(driver.close(), Math.max(0, deadline - Date.now()))
  post({ type: 'stopped', snapshot: snapshot(), consumerErrors: consumerErrors() })
  pauses.stop()
  port!.close()
}

function onCommand (message: ToWorker): void {
  switch (message.type) {
    case 'tick':
      post({ type: 'stats', seq: message.seq, snapshot: snapshot() })
      realtime?.check().then(status => {
        if (status === null) return
        for (const producer of producers) producer.realtime = status.realtime
        post({ type: 'scheduling', status })
      }, () => {})
      // Later in the turn, so the stall lands in the next second's figures, as a real pause would.
      if (debugStallMs > 0) setTimeout(debugStall, 200)
      return
    case 'setRate':
      for (const producer of producers) producer.setRate(message.ratePerProducerPerSec)
      return
    case 'pauseProducers':
      for (const producer of producers) producer.pause()
      return
    case 'pauseConsumers':
      for (const consumer of consumers) consumer.pause()
      return
    case 'resumeConsumers':
      for (const consumer of consumers) consumer.resume()
      return
    case 'stopProducers':
      void stopProducers(message.timeoutMs).then(unacknowledged => post({ type: 'producersStopped', unacknowledged, snapshot: snapshot() }))
      return
    case 'stop':
      void stopAll(message.timeoutMs)
  }
}

port.on('message', onCommand)
setUp().then(async () => {
  // Last, so creating the clients does not run real-time.
  if (init.realtime) realtime = await RealtimeGuard.enter()
  for (const producer of producers) producer.realtime = realtime?.status.realtime ?? false
  post({ type: 'ready', scheduling: realtime?.status ?? DEFAULT_SCHEDULING })
}, async (error: unknown) => {
  const e = error as { message?: string, code?: unknown }
  post({ type: 'failed', message: e.message ?? String(error), code: typeof e.code === 'string' ? e.code : 'ERR_BENCH_WORKER' })
  if (driver !== null) await bounded(driver.close(), 2000)
  port.close()
})
