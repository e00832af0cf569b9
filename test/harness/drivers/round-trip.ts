// The scenario every driver must pass against a reference broker: create a topic with a
// partition count that is not a power of two (where non-Java partitioners disagree with
// Java's), produce keyed messages, consume them all back, and check each key's value,
// partition (Java's murmur2 rule) and the send-time stamps: the sluice-ts-us header in
// measure/clock.ts's encoding (monotonic µs) and the record timestamp (wall-clock ms).

import { PLAINTEXT } from '../../../harness/workload/client-config.ts'
import { expect } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { decodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../../../harness/measure/clock.ts'
import type { BenchmarkDriver, ConsumedMessage, DriverOptions } from '../../../harness/drivers/driver.ts'
import type { ProcessCluster } from '../../../harness/cluster/process-backend.ts'

const CLOCK_SLACK_MS = 50

export interface RoundTripOptions {
  topic: string
  subscription: string
  partitions?: number
  messages?: number
  /** Largest allowed lateness of the record timestamp after the send, ms (the HTTP API stamps on arrival). */
  timestampLateMsMax?: number
  consumeTimeoutMs?: number
}

export async function roundTrip (driver: BenchmarkDriver, opts: RoundTripOptions): Promise<ConsumedMessage[]> {
  const partitions = opts.partitions ?? 3
  const count = opts.messages ?? 1000
  const startUs = monotonicUs()
  const startMs = Date.now()
  await driver.createTopic(opts.topic, partitions)
  const producer = await driver.createProducer(opts.topic)
  const sends: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) sends.push(producer.send(Buffer.from(`key-${i}`), Buffer.from(`value-${i}-${'x'.repeat(i % 50)}`)))
  await Promise.all(sends)
  await producer.close()

  const received: ConsumedMessage[] = []
  const { promise: done, resolve } = Promise.withResolvers<void>()
  const consumer = await driver.createConsumer(opts.topic, opts.subscription, message => {
    received.push(message)
    if (received.length >= count) resolve()
  })
  const timeoutMs = opts.consumeTimeoutMs ?? 20_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([done, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`consumed ${received.length} of ${count} messages within ${timeoutMs} ms`)), timeoutMs) })])
    // A short grace period would reveal duplicates delivered after the last expected one.
    await new Promise(r => setTimeout(r, 300))
  } finally {
    clearTimeout(timer)
    await consumer.close()
  }
  const endUs = monotonicUs()
  const endMs = Date.now()

  expect(received).toHaveLength(count)
  const byKey = new Map(received.map(m => [m.key?.toString(), m]))
  expect(byKey.size).toBe(count)
  for (let i = 0; i < count; i++) {
    const key = `key-${i}`
    const m = byKey.get(key)
    expect(m, key).toBeDefined()
    expect(m!.topic).toBe(opts.topic)
    expect(m!.value?.toString()).toBe(`value-${i}-${'x'.repeat(i % 50)}`)
    expect(m!.partition, `partition of ${key}`).toBe(partitionForKey(key, partitions))
    // The header is clock.ts's 8-byte monotonic µs and nothing else: a reading of another
    // clock or another encoding would fall outside the window or decode to null.
    const header = m!.headers[TIMESTAMP_HEADER]
    expect(header, `${TIMESTAMP_HEADER} of ${key}`).toHaveLength(8)
    const sentUs = decodeTimestampHeader(header)
    expect(sentUs, `${TIMESTAMP_HEADER} of ${key}`).not.toBeNull()
    expect(sentUs!).toBeGreaterThanOrEqual(Math.floor(startUs))
    expect(sentUs!).toBeLessThanOrEqual(endUs)
    // The record timestamp stays wall-clock ms, what Kafka tools show.
    expect(m!.timestampMs).toBeGreaterThanOrEqual(startMs)
    expect(m!.timestampMs).toBeLessThanOrEqual(endMs)
    // Both stamps are taken at the send, so both clocks advanced alike since the start. A
    // wrong clock is off by seconds or years; the slack only absorbs a GC pause or a busy
    // core between the two readings, which on a loaded 2-core machine reached a few ms.
    const sinceStartMs = (sentUs! - startUs) / 1000
    expect(m!.timestampMs - startMs).toBeGreaterThanOrEqual(sinceStartMs - CLOCK_SLACK_MS)
    expect(m!.timestampMs - startMs).toBeLessThanOrEqual(sinceStartMs + CLOCK_SLACK_MS + (opts.timestampLateMsMax ?? 0))
  }
  // Offsets per partition are distinct and increasing in delivery order.
  for (let p = 0; p < partitions; p++) {
    const offsets = received.filter(m => m.partition === p).map(m => m.offset)
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    expect(new Set(offsets).size).toBe(offsets.length)
  }
  return received
}

/** Driver options for a process cluster: acks 1, 5 ms linger, 16 KiB batches, 100 ms fetch wait. */
export function driverOptions (cluster: ProcessCluster, overrides: Partial<DriverOptions['producer']> = {}): DriverOptions {
  return {
    bootstrap: cluster.bootstrap,
    httpUrls: cluster.brokers.map(b => b.httpUrl!),
    clientId: 'driver-test',
    security: PLAINTEXT,
    producer: { acks: 1, lingerMs: 5, batchSizeBytes: 16384, compression: 'none', idempotent: false, maxInFlight: 5, retries: 3, ...overrides },
    consumer: { autoCommit: true, autoCommitIntervalMs: 1000, fetchMaxWaitMs: 100, fetchMinBytes: 1 },
  }
}
