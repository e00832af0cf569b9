// The native consumer at full speed (issue #13 item 2, the end-to-end max rate): a real
// broker holds a topic pre-filled with timed records (the benchmark's timestamp header), and
// one thread reads it all from the start, as the bench worker does, with each delivery mode
// in turn: 'messages' (a ConsumedMessage per record: key and value views, a headers object)
// and 'timed' (value size, timestamp header and receipt time, nothing built per record).
// Prints records/s, records per CPU-second of this process and GC pauses per mode; the
// modes alternate over rounds so a busy machine sways both alike.
//
// Run: node bench/native-consumer.ts [--records 300000] [--size 1024] [--rounds 3]

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { KafkaClient } from '../broker/client/kafka-client.ts'
import { NativeConsumer, type Delivery } from '../harness/drivers/native-consumer.ts'
import { NativeProducer } from '../harness/drivers/native-producer.ts'
import type { SendListener } from '../harness/drivers/driver.ts'
import { monotonicUs, TIMESTAMP_HEADER } from '../harness/measure/clock.ts'
import { spawnBroker } from './ingest-env.ts'

const PARTITIONS = 8
const GC_PAUSE_MS_FLAG = 10

const { values } = parseArgs({ options: { records: { type: 'string', default: '300000' }, size: { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' } } })
const records = Number(values.records)
const size = Number(values.size)
const rounds = Number(values.rounds)
for (const [name, n] of [['records', records], ['size', size], ['rounds', rounds]] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${n}`)
}

async function fill (client: KafkaClient, topic: string): Promise<void> {
  await client.createTopics([{ name: topic, partitions: PARTITIONS }])
  const producer = await NativeProducer.create(client, topic, { acks: 1, lingerMs: 5, batchSizeBytes: 256 * 1024, compression: 'none', idempotent: false, maxInFlight: 5, retries: 0 })
  const payload = Buffer.alloc(size, 7)
  let settled = 0
  let failed = 0
  const listener: SendListener = { acked: () => { settled++ }, failed: () => { settled++; failed++ } }
  // At most 16 MiB unacknowledged, well under the producer's buffer.
  const outstandingMax = Math.max(1, Math.floor(16 * 1024 * 1024 / size))
  for (let i = 0; i < records; i++) {
    while (i - settled >= outstandingMax) await new Promise(resolve => setTimeout(resolve, 1))
    const nowUs = monotonicUs()
    producer.sendTimed(null, payload, nowUs, nowUs, listener)
    if (i % 4096 === 4095) await new Promise(resolve => setImmediate(resolve))
  }
  while (settled < records) await new Promise(resolve => setTimeout(resolve, 20))
  await producer.close()
  if (failed > 0) throw new Error(`${failed} of ${records} records failed to fill the topic`)
}

interface Reading { recordsPerSec: number, recordsPerCpuSecond: number, gcPauses: number, gcLongMs: number, gcFlagged: number, timestamped: number }

async function readAll (port: number, topic: string, mode: 'messages' | 'timed'): Promise<Reading> {
  const client = new KafkaClient({ bootstrap: [`127.0.0.1:${port}`], clientId: `consumer-bench-${mode}` })
  let seen = 0
  let timestamped = 0
  let done: () => void = () => {}
  const finished = new Promise<void>(resolve => { done = resolve })
  const count = (hasTimestamp: boolean): void => {
    seen++
    if (hasTimestamp) timestamped++
    if (seen === records) done()
  }
  const delivery: Delivery = mode === 'timed'
    ? { kind: 'timed', headerName: TIMESTAMP_HEADER, nowUs: monotonicUs, onRecord: (_bytes, ts) => { count(ts !== null) } }
    : { kind: 'messages', onMessage: m => { count(m.headers[TIMESTAMP_HEADER] !== undefined) } }
  const gc: number[] = []
  const observer = new PerformanceObserver(list => { for (const e of list.getEntries()) gc.push(e.duration) })
  observer.observe({ entryTypes: ['gc'] })
  const cpuBefore = process.cpuUsage()
  const startUs = monotonicUs()
  const consumer = await NativeConsumer.create(client, topic, { fetchMaxWaitMs: 100, fetchMinBytes: 1, autoCommit: false, autoCommitIntervalMs: 5000 }, delivery)
  await finished
  const elapsedS = (monotonicUs() - startUs) / 1e6
  const cpu = process.cpuUsage(cpuBefore)
  await consumer.close()
  observer.disconnect()
  const cpuS = (cpu.user + cpu.system) / 1e6
  return { recordsPerSec: records / elapsedS, recordsPerCpuSecond: records / cpuS, gcPauses: gc.length, gcLongMs: Math.max(0, ...gc), gcFlagged: gc.filter(d => d >= GC_PAUSE_MS_FLAG).length, timestamped }
}

const dataDir = await mkdtemp(join(tmpdir(), 'sluice-native-consumer-bench-'))
const broker = await spawnBroker({ dataDir, overrides: [], cpuProfDir: null, nodeFlags: [] })
try {
  const admin = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.port}`], clientId: 'consumer-bench-fill' })
  await fill(admin, 'bench')
  admin.close()
  console.log(`native consumer: ${records} records of ${size} B in ${PARTITIONS} partitions, read from the start by one thread; Node ${process.version}`)
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ['messages', 'timed'] as const) {
      const r = await readAll(broker.port, 'bench', mode)
      console.log(`round ${round}  ${mode.padEnd(8)}  ${(r.recordsPerSec / 1e3).toFixed(1)}k rec/s  ${(r.recordsPerCpuSecond / 1e3).toFixed(1)}k rec per CPU-s  ` +
        `GC ${r.gcPauses} pauses, ${r.gcFlagged} of ${GC_PAUSE_MS_FLAG} ms or more, longest ${r.gcLongMs.toFixed(1)} ms  (timestamp header in ${r.timestamped})`)
    }
  }
} finally {
  await broker.stop()
  await rm(dataDir, { recursive: true, force: true })
}
