// Process and disk nemeses on a real reference broker (process backend): kill and restart,
// pause and resume, and the loss of un-fsynced writes, which must throw away acknowledged
// records when the broker never fsyncs and keep them when it fsyncs before every ack.

import { afterEach, describe, expect, it } from 'vitest'
import kafkajs from 'kafkajs'
import { startLoseUnsyncedWrites } from '../../../chaos/nemesis/disk.ts'
import type { FaultTarget } from '../../../chaos/nemesis/nemesis.ts'
import { startKill, startPause } from '../../../chaos/nemesis/process.ts'
import { ListOffsetsTimestamp } from '../../../broker/protocol/02-list-offsets.ts'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import { ProcessBackend } from '../../../harness/cluster/process-backend.ts'
import type { ProcessCluster } from '../../../harness/cluster/process-backend.ts'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'nemesis'

let cluster: ProcessCluster | null = null

afterEach(async () => {
  await cluster?.stop()
  cluster = null
})

async function start (brokerConfig: Record<string, string | number | boolean> = {}): Promise<{ target: FaultTarget, bootstrap: string }> {
  cluster = await new ProcessBackend().start({ brokers: 1, brokerConfig })
  const broker = cluster.brokers[0]!
  const client = new KafkaClient({ bootstrap: [broker.kafkaAddress], clientId: 'nemesis-test' })
  await client.createTopics([{ name: TOPIC, partitions: 1 }])
  client.close()
  return { target: { name: 'broker-0', index: 0, broker, proxy: null }, bootstrap: broker.kafkaAddress }
}

async function produce (bootstrap: string, count: number): Promise<void> {
  const producer = new Kafka({ clientId: 'nemesis-test', brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  for (let i = 0; i < count; i++) await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'k', value: String(i) }] })
  await producer.disconnect()
}

async function endOffset (bootstrap: string, requestTimeoutMs = 10_000): Promise<number> {
  const client = new KafkaClient({ bootstrap: [bootstrap], clientId: 'nemesis-test', requestTimeoutMs })
  try {
    return (await client.listOffsets(TOPIC, [0], ListOffsetsTimestamp.latest)).get(0)!
  } finally {
    client.close()
  }
}

describe('process nemeses', () => {
  it('kill stops the broker and healing restarts it with its data', async () => {
    const { target, bootstrap } = await start()
    await produce(bootstrap, 5)
    const fault = await startKill(target)
    expect(target.broker.alive()).toBe(false)
    expect(fault.detail).toMatchObject({ signal: 'SIGKILL', wasAlive: true })
    await fault.heal()
    expect(target.broker.alive()).toBe(true)
    // SIGKILL keeps the page cache: nothing acknowledged is lost even without fsync.
    expect(await endOffset(bootstrap)).toBe(5)
    await fault.heal()
    expect(target.broker.alive()).toBe(true)
  })

  it('pause makes the broker silent until healed', async () => {
    const { target, bootstrap } = await start()
    const fault = await startPause(target)
    await expect(endOffset(bootstrap, 1000)).rejects.toThrow()
    await fault.heal()
    expect(await endOffset(bootstrap)).toBe(0)
  })
})

describe('lose-unfsynced-writes', () => {
  it('throws away acknowledged records the broker never fsynced', async () => {
    const { target, bootstrap } = await start()
    await produce(bootstrap, 20)
    expect(await endOffset(bootstrap)).toBe(20)
    const fault = await startLoseUnsyncedWrites(target)
    expect(target.broker.alive()).toBe(false)
    expect(Number(fault.detail.filesTruncated) + Number(fault.detail.filesRemoved)).toBeGreaterThan(0)
    await fault.heal()
    expect(await endOffset(bootstrap)).toBeLessThan(20)
  })

  it('keeps every acknowledged record when the broker fsyncs before each ack', async () => {
    const { target, bootstrap } = await start({ 'log.flush.interval.messages': 1 })
    await produce(bootstrap, 20)
    const fault = await startLoseUnsyncedWrites(target)
    await fault.heal()
    expect(await endOffset(bootstrap)).toBe(20)
  })
})
