// The load generator's send path against a reference broker: the native producer's
// promise-free sendTimed() reports every record once with the caller's times and stamps
// the caller's send time as the header; batches built in recycled memory arrive intact;
// and the producer loop keeps its schedule at a modest rate, with the figures printed.
//
// The schedule is asserted loosely, as the machine allows, against a control measured in
// the same seconds: the same loop and rate on another thread with a producer that does
// nothing (schedule-control.ts). The median publish delay must stay under 0.5 ms (a
// timer-only loop, which can only wake on millisecond ticks, measured 0.79-1.3 ms with the
// control at 0.09-0.1 ms). The p99 is judged only when the machine lets the control keep
// the report's bound (PUBLISH_DELAY_BOUND_US): then it must stay under the bound plus
// CONTROL_FACTOR times the control's p99 (the loop under test encodes, sends and takes
// acks besides, next to a broker process, so its thread waits for a core more often than
// the idle control's). At load average 15-40 from other work the control's p99 was 8-126 ms
// and the loop's 7.7-368 ms (one 300 ms stall of the test's own thread), which says nothing
// about the send path. When even the control's median is late (CONTROL_P50_US_MAX) nothing
// is judged and the test says so and skips (seen once: control p50 1.2 ms, loop 4.1 ms). On 2 cores shared with other work a
// thread can wait tens of ms for a core, which is the machine's, not the send path's.

import { cpus, loadavg } from 'node:os'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { createDriver } from '../../../harness/drivers/index.ts'
import { NativeProducer } from '../../../harness/drivers/native-producer.ts'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import type { BenchmarkDriver, ConsumedMessage, SendListener } from '../../../harness/drivers/driver.ts'
import { ProducerLoop } from '../../../harness/bench/producer-loop.ts'
import { createKeyGenerator } from '../../../harness/bench/keys.ts'
import { PayloadPool } from '../../../harness/bench/payload.ts'
import { decodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../../../harness/measure/clock.ts'
import { PUBLISH_DELAY_BOUND_US } from '../../../harness/measure/disturbance.ts'
import { decodeHistogram, quantilesOf } from '../../../harness/measure/histogram.ts'
import { WorkerStats } from '../../../harness/measure/worker-stats.ts'
import { driverOptions } from '../drivers/round-trip.ts'

/** How many times the control's delay the loop under test may add on top of the bound. */
const CONTROL_FACTOR = 4
/** Above this load average per core the machine is too busy for the test to judge timing. */
const LOAD_PER_CORE_MAX = 2
/** Above this control median the machine cannot keep a do-nothing loop on time. */
const CONTROL_P50_US_MAX = 400

describe('load generator send path', () => {
  let cluster: ProcessCluster
  const drivers: BenchmarkDriver[] = []
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig: {} })
  })
  afterAll(async () => {
    for (const d of drivers) await d.close()
    await cluster?.stop()
  })

  it('sendTimed reports each record once with its own times, and the header carries the given send time', async () => {
    // Small batches, so most of them are built in memory recycled from acknowledged ones.
    const driver = createDriver('native', driverOptions(cluster, { batchSizeBytes: 2048, lingerMs: 1 }))
    drivers.push(driver)
    await driver.createTopic('timed', 3)
    const producer = await driver.createProducer('timed')
    const count = 3000
    const acked = new Map<number, { sizeBytes: number, sentUs: number, ackUs: number }>()
    const failures: unknown[] = []
    let done: () => void = () => {}
    const allDone = new Promise<void>(resolve => { done = resolve })
    const listener: SendListener = {
      acked (sizeBytes, intendedUs, sentUs, ackUs) {
        expect(acked.has(intendedUs), `record ${intendedUs} acked twice`).toBe(false)
        acked.set(intendedUs, { sizeBytes, sentUs, ackUs })
        if (acked.size + failures.length === count) done()
      },
      failed (error) {
        failures.push(error)
        if (acked.size + failures.length === count) done()
      },
    }
    const startUs = monotonicUs()
    for (let i = 0; i < count; i++) {
      // intendedUs is the record's index here, sentUs a made-up time far from now, so the
      // test can tell the caller's values from anything the producer might take itself.
      producer.sendTimed!(Buffer.from(`key-${i}`), Buffer.from(`value-${i}-${'y'.repeat(i % 300)}`), i, 1_000_000 + i, listener)
      if (i % 500 === 499) await new Promise(resolve => setImmediate(resolve))
    }
    await allDone
    expect(failures).toEqual([])
    for (let i = 0; i < count; i++) {
      const a = acked.get(i)!
      expect(a.sentUs).toBe(1_000_000 + i)
      expect(a.sizeBytes).toBe(`value-${i}-${'y'.repeat(i % 300)}`.length)
      expect(a.ackUs).toBeGreaterThan(startUs)
    }
    await producer.close()

    const received = await consumeAll(driver, 'timed', count)
    const byKey = new Map(received.map(m => [m.key!.toString(), m]))
    expect(byKey.size).toBe(count)
    for (let i = 0; i < count; i++) {
      const m = byKey.get(`key-${i}`)!
      expect(m.value!.toString()).toBe(`value-${i}-${'y'.repeat(i % 300)}`)
      expect(decodeTimestampHeader(m.headers[TIMESTAMP_HEADER])).toBe(1_000_000 + i)
    }
  })

  it('sendTimed on a closed producer reports ERR_CLOSED to the listener instead of throwing', async () => {
    const driver = createDriver('native', driverOptions(cluster))
    drivers.push(driver)
    await driver.createTopic('timed-closed', 1)
    const producer = await driver.createProducer('timed-closed')
    await producer.close()
    const errors: unknown[] = []
    producer.sendTimed!(null, Buffer.from('x'), 0, 0, { acked: () => { throw new Error('acked after close') }, failed: e => errors.push(e) })
    expect(errors).toHaveLength(1)
    expect((errors[0] as { code: string }).code).toBe('ERR_CLOSED')
  })

  it('starts a new batch rather than growing one past batchSizeBytes', async () => {
    const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'batch-size-test' })
    try {
      await client.createTopics([{ name: 'batch-size', partitions: 1 }])
      const sizes: number[] = []
      const produce = client.produce.bind(client)
      client.produce = async (nodeId, topic, batches, opts) => {
        for (const b of batches) sizes.push(b.batch.length)
        return await produce(nodeId, topic, batches, opts)
      }
      const batchSizeBytes = 8192
      const producer = await NativeProducer.create(client, 'batch-size', { acks: 1, lingerMs: 50, batchSizeBytes, compression: 'none', idempotent: false, maxInFlight: 5, retries: 0 })
      const payload = Buffer.alloc(1000, 1)
      await Promise.all(Array.from({ length: 100 }, () => producer.send(null, payload)))
      await producer.close()
      // 1000-byte records: eight fit in 8 KiB; a ninth used to grow the batch to ~9 KiB.
      expect(sizes.length).toBeGreaterThanOrEqual(100 / 8)
      expect(Math.max(...sizes)).toBeLessThanOrEqual(batchSizeBytes)
    } finally {
      client.close()
    }
  })

  it('sends the open batches as soon as a record arrives after the linger is due, without waiting for the timer', async () => {
    const driver = createDriver('native', driverOptions(cluster, { lingerMs: 5000 }))
    drivers.push(driver)
    await driver.createTopic('linger', 1)
    const producer = await driver.createProducer('linger')
    const ackedAtMs: number[] = []
    let done: () => void = () => {}
    const both = new Promise<void>(resolve => { done = resolve })
    const listener: SendListener = {
      acked: () => { ackedAtMs.push(Date.now()); if (ackedAtMs.length === 2) done() },
      failed: error => { throw error },
    }
    const startMs = Date.now()
    const nowUs = monotonicUs()
    producer.sendTimed!(null, Buffer.from('first'), nowUs, nowUs, listener)
    // The second record's send time is past the first one's 5 s linger: both go at once.
    producer.sendTimed!(null, Buffer.from('second'), nowUs + 6e6, nowUs + 6e6, listener)
    await both
    expect(Math.max(...ackedAtMs) - startMs).toBeLessThan(2500)
    await producer.close()
  })

  it('keeps its schedule at 2,000 msg/s, judged against a do-nothing control loop in the same seconds', async (ctx) => {
    const driver = createDriver('native', driverOptions(cluster, { acks: -1, lingerMs: 1 }))
    drivers.push(driver)
    await driver.createTopic('schedule', 8)
    const producer = await driver.createProducer('schedule')
    const stats = new WorkerStats('schedule-test')
    const payloads = await PayloadPool.create({ messageSize: 1024, payloadFile: null, useRandomizedPayloads: false, randomBytesRatio: 0, randomizedPayloadPoolSize: 1 }, 1)
    const loop = new ProducerLoop({ producer, stats, keys: createKeyGenerator({ count: 1000, distribution: 'uniform', zipfExponent: 1 }, 1), payloads, outstandingMax: 10_000 })
    const ratePerSec = 2000
    const seconds = 3
    // The control starts its own thread (about 0.5 s): its warm-up ends with the loop's.
    const control = controlScheduleUs(ratePerSec, 1000, seconds * 1000)
    await new Promise(resolve => setTimeout(resolve, 500))
    loop.setRate(ratePerSec)
    await new Promise(resolve => setTimeout(resolve, 1000))
    stats.takeSnapshot()
    await new Promise(resolve => setTimeout(resolve, seconds * 1000))
    const snapshot = stats.takeSnapshot()
    const machine = await control
    expect(await loop.stop(5000)).toBe(0)
    expect(snapshot.publishErrorCount).toBe(0)
    // It really sent at the rate (acks can trail by the last few ms of the window).
    expect(snapshot.publishedCount).toBeGreaterThan(ratePerSec * seconds * 0.9)
    const q = quantilesOf(decodeHistogram(snapshot.publishDelayUs!))!
    console.log(`schedule at ${ratePerSec} msg/s over ${seconds} s: publish delay p50 ${q.p50} µs, p99 ${q.p99} µs, p99.9 ${q.p999} µs, max ${q.max} µs ` +
      `(bound ${PUBLISH_DELAY_BOUND_US} µs; the same loop with a do-nothing producer meanwhile: p50 ${machine.p50} µs, p99 ${machine.p99} µs, p99.9 ${machine.p999} µs)`)
    const load = loadavg()[0]!
    if (machine.p50 > CONTROL_P50_US_MAX || load > LOAD_PER_CORE_MAX * cpus().length) {
      // The machine cannot keep even the do-nothing loop on time, or is too busy to say
      // anything about this loop's own timing: nothing here can be judged.
      console.log(`schedule not judged: control p50 ${machine.p50} µs (limit ${CONTROL_P50_US_MAX}), load average ${load.toFixed(1)} on ${cpus().length} cores (machine overloaded)`)
      ctx.skip()
    }
    // 0.5 ms on a machine that keeps the control on time; a busier one may add a few times the control's own lateness.
    expect(q.p50).toBeLessThan(Math.max(500, CONTROL_FACTOR * machine.p50))
    if (machine.p99 <= PUBLISH_DELAY_BOUND_US) expect(q.p99).toBeLessThan(PUBLISH_DELAY_BOUND_US + CONTROL_FACTOR * machine.p99)
    else console.log(`p99 not judged: the control's own p99 ${machine.p99} µs is over the ${PUBLISH_DELAY_BOUND_US} µs bound`)
  })
})

async function consumeAll (driver: BenchmarkDriver, topic: string, count: number): Promise<ConsumedMessage[]> {
  const received: ConsumedMessage[] = []
  let done: () => void = () => {}
  const all = new Promise<void>(resolve => { done = resolve })
  const consumer = await driver.createConsumer(topic, 'check', m => {
    received.push(m)
    if (received.length === count) done()
  })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([all, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`consumed ${received.length} of ${count}`)), 20_000) })])
  } finally {
    clearTimeout(timer)
    await consumer.close()
  }
  return received
}

/**
 * The publish delay of the same loop at the same rate with a producer that does nothing,
 * on a worker thread over `measureMs` starting after `warmupMs`: the machine's own share.
 */
async function controlScheduleUs (ratePerSec: number, warmupMs: number, measureMs: number): Promise<{ p50: number, p99: number, p999: number }> {
  const encoded = await new Promise<string | null>((resolve, reject) => {
    const worker = new Worker(new URL('./schedule-control.ts', import.meta.url), { workerData: { ratePerSec, warmupMs, measureMs } })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const q = quantilesOf(decodeHistogram(encoded!))!
  return { p50: q.p50, p99: q.p99, p999: q.p999 }
}
