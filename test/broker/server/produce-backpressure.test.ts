// Regression (issue 16, bug 1): under load, parked produce requests woke together, found
// the log's append queue full again and failed with REQUEST_TIMED_OUT; the client retried
// them behind later batches and the consumer saw records out of order. Here the queue is
// made to fill for real (a 16 KiB bound and a slow disk through the storage layer's fault
// hook) while producers keep many batches in flight: every batch must be acknowledged
// without error and every record read back once, in send order within its partition.
// The broker runs in this process only so the test can reach the storage fault hook and
// watch the queue; clients talk to it over TCP.

import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConfig } from '../../../broker/config/config.ts'
import { startBroker, type RunningBroker } from '../../../broker/main.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { makeDataDir, removeDir } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const run = promisify(execFile)
const QUEUE_BYTES = 16 * 1024
const WRITE_DELAY_MS = 5

describe('produce backpressure when the log append queue fills', () => {
  let dataDir: string
  let running: RunningBroker
  let bootstrap: string
  const logLines: string[] = []

  beforeAll(async () => {
    dataDir = await makeDataDir()
    running = await startBroker(buildConfig({
      listeners: '127.0.0.1:0', 'sluice.http.listener': 'none', 'log.dirs': dataDir, 'sluice.durability.ledger': false,
      'sluice.log.append.queue.max.bytes': QUEUE_BYTES, 'auto.create.topics.enable': false,
    }, 'test'), line => { logLines.push(line) })
    bootstrap = `127.0.0.1:${running.kafkaPort}`
    running.broker.logs.storage.slowWrites(WRITE_DELAY_MS)
  })
  afterAll(async () => {
    await running?.close()
    await removeDir(dataDir)
  })

  /** Samples the partition's append queue while `work` runs; returns the largest it saw. */
  async function peakQueuedBytes (topic: string, partitions: number, work: () => Promise<void>): Promise<number> {
    let peak = 0
    const timer = setInterval(() => {
      for (let p = 0; p < partitions; p++) peak = Math.max(peak, running.broker.partition(topic, p)?.queuedBytes ?? 0)
    }, 1)
    try {
      await work()
    } finally {
      clearInterval(timer)
    }
    return peak
  }

  // 4 records make 4 KiB requests; 40 make 40 KiB ones, over the receiver's small-frame
  // bound, so requests arrive in part while the connection holds and are finished after it
  // (server/connection.ts, protocol/frame-receiver.ts): a byte out of place fails a CRC.
  it.each([4, 40])('acknowledges 300 pipelined produce requests of %i records in order with no REQUEST_TIMED_OUT (raw client)', async (perRequest) => {
    const topic = `bp-raw-${perRequest}`
    await createTopic(running.kafkaPort, topic, 1)
    const conn = await RawConnection.open(running.kafkaPort)
    const REQUESTS = 300
    const baseOffsets: number[] = []
    const errors: number[] = []
    const peak = await peakQueuedBytes(topic, 1, async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const records = Array.from({ length: perRequest }, (_, j) => ({ key: null, value: Buffer.from(`${i}:${j}:`.padEnd(1000, '.')) }))
        conn.writeBytes(conn.encode(Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records }) }] }] }))
      }
      for (let i = 0; i < REQUESTS; i++) {
        const { response } = await conn.readResponse(Produce, 8, 30_000)
        const p = response.topics[0]!.partitions[0]!
        if (p.errorCode !== 0) errors.push(p.errorCode)
        baseOffsets.push(Number(p.baseOffset))
      }
    })
    conn.close()
    expect(errors).toEqual([])
    expect(peak).toBeGreaterThanOrEqual(QUEUE_BYTES)
    expect(baseOffsets).toEqual(Array.from({ length: REQUESTS }, (_, i) => i * perRequest))
    const values = (await readPartition(running.kafkaPort, topic, 0)).map(r => r.value!.toString().split(':').slice(0, 2).join(':'))
    expect(values).toEqual(Array.from({ length: REQUESTS * perRequest }, (_, n) => `${Math.floor(n / perRequest)}:${n % perRequest}`))
  })

  it('kcat with many batches in flight: every record once, in send order per partition', async () => {
    const topic = 'bp-kcat'
    const MESSAGES = 20_000
    await createTopic(running.kafkaPort, topic, 2)
    const lines = Array.from({ length: MESSAGES }, (_, i) => `${i % 2}:${String(i).padEnd(200, '.')}`).join('\n') + '\n'
    const peak = await peakQueuedBytes(topic, 2, () => new Promise((resolve, reject) => {
      // Small batches, no linger, up to 1,000,000 requests in flight (librdkafka's default): many batches queue at once.
      const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'partitioner=murmur2_random', '-X', 'linger.ms=0', '-X', 'batch.num.messages=20', '-X', 'acks=1'], { stdio: ['pipe', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', d => { stderr += d })
      child.on('error', reject)
      child.on('exit', code => code === 0 && !/error|fail/i.test(stderr) ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`)))
      child.stdin.end(lines)
    }))
    expect(peak).toBeGreaterThanOrEqual(QUEUE_BYTES)
    const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-o', 'beginning', '-f', '%p\t%s\n'], { maxBuffer: 64 * 1024 * 1024 })
    const byPartition = new Map<number, number[]>()
    for (const row of stdout.split('\n').filter(l => l !== '')) {
      const [p, value] = row.split('\t')
      const list = byPartition.get(Number(p)) ?? []
      list.push(Number.parseInt(value!, 10))
      byPartition.set(Number(p), list)
    }
    const total = [...byPartition.values()].reduce((n, l) => n + l.length, 0)
    expect(total).toBe(MESSAGES)
    for (const values of byPartition.values()) expect(values).toEqual([...values].sort((a, b) => a - b))
  })

  it('kafkajs with many sends in flight: no error, every batch stored once at the offset it was acknowledged with, in order', async () => {
    const topic = 'bp-kafkajs'
    const SENDS = 400
    await createTopic(running.kafkaPort, topic, 2)
    const kafka = new Kafka({ clientId: 'bp', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    const sent: Array<Array<{ partition: number, baseOffset?: string }>> = []
    try {
      const peak = await peakQueuedBytes(topic, 2, async () => {
        // retries: 0, so any error (a REQUEST_TIMED_OUT included) fails the test instead of hiding behind a retry.
        // Concurrent sends have no order of their own, so the check is per send: its records sit, in order, at the offsets the broker acknowledged.
        sent.push(...await Promise.all(Array.from({ length: SENDS }, (_, i) => producer.send({
          topic, acks: 1, messages: Array.from({ length: 10 }, (_, j) => ({ partition: j % 2, value: `${i}:${j}:`.padEnd(300, '.') })),
        }))))
      })
      expect(peak).toBeGreaterThanOrEqual(QUEUE_BYTES)
    } finally {
      await producer.disconnect()
    }
    const stored = [0, 1].map(() => new Map<number, string>())
    let total = 0
    for (const partition of [0, 1]) {
      for (const r of await readPartition(running.kafkaPort, topic, partition)) stored[partition]!.set(r.offset, r.value!.toString().split(':').slice(0, 2).join(':'))
      total += stored[partition]!.size
    }
    expect(total).toBe(SENDS * 10)
    sent.forEach((metadata, i) => {
      for (const { partition, baseOffset } of metadata) {
        const base = Number(baseOffset)
        expect([0, 1, 2, 3, 4].map(n => stored[partition]!.get(base + n))).toEqual([0, 2, 4, 6, 8].map(j => `${i}:${j + partition}`))
      }
    })
  })
})
