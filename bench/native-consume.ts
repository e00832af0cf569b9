// The native consumer at full speed (issue #13): fills a topic of 8 partitions with N
// records of 1 KiB that carry the sluice-ts-us header, then reads them all with a fresh
// native consumer per case, as the bench worker would, and prints records/s, records per
// CPU-second of this process, and the GC pauses and longest event-loop block seen while
// consuming. Three delivery modes, interleaved over rounds:
//   message  NativeConsumer.create: a ConsumedMessage per record, the header decoded from
//            message.headers (the worker's path before createTimedConsumer)
//   walk     NativeConsumer.createTimed: the batch walked in place, nothing per record
//   timed    walk, and large frames joined in a FrameArena recycled between fetch rounds
//            (what the native driver's createTimedConsumer does)
// The broker is a separate process (as in a benchmark), so this process's CPU and GC are
// the consumer's alone.
//
// Run: node bench/native-consume.ts [--records 300000] [--rounds 3] [--modes message,walk,timed]

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { FrameArena } from '../broker/client/frame-arena.ts'
import { KafkaClient } from '../broker/client/kafka-client.ts'
import { NativeConsumer } from '../harness/drivers/native-consumer.ts'
import { NativeProducer } from '../harness/drivers/native-producer.ts'
import type { ConsumedMessage, ConsumerSettings, SendListener } from '../harness/drivers/driver.ts'
import { decodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../harness/measure/clock.ts'
import { spawnBroker } from './ingest-env.ts'

const PARTITIONS = 8
const SIZE_BYTES = 1024
const GC_PAUSE_MS_FLAGGED = 10
const FILL_OUTSTANDING_MAX = 16384
const CONSUMER: ConsumerSettings = { autoCommit: false, autoCommitIntervalMs: 5000, fetchMaxWaitMs: 500, fetchMinBytes: 1 }

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'message,walk,timed' },
  },
})
const recordCount = Number(values.records)
const rounds = Number(values.rounds)
const modes = values.modes.split(',')
if (!Number.isInteger(recordCount) || recordCount < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--records and --rounds must be positive integers')
for (const m of modes) if (m !== 'message' && m !== 'walk' && m !== 'timed') throw new Error(`--modes: "${m}" is not message, walk or timed`)

async function fill (client: KafkaClient, topic: string): Promise<void> {
  await client.createTopics([{ name: topic, partitions: PARTITIONS }])
  const producer = await NativeProducer.create(client, topic,
    { acks: 1, lingerMs: 5, batchSizeBytes: 131072, compression: 'none', idempotent: false, maxInFlight: 5, retries: 0 })
  const payloads = Array.from({ length: 64 }, (_, i) => Buffer.alloc(SIZE_BYTES, i))
  let done = 0
  let failed = 0
  let onDone: (() => void) | null = null
  const listener: SendListener = {
    acked: () => { if (++done === recordCount) onDone?.() },
    failed: () => { failed++; if (++done === recordCount) onDone?.() },
  }
  const finished = new Promise<void>(resolve => { onDone = resolve })
  for (let n = 0; n < recordCount; n++) {
    const nowUs = monotonicUs()
    producer.sendTimed(null, payloads[n % payloads.length]!, nowUs, nowUs, listener)
    // Under the producer's buffer: at most FILL_OUTSTANDING_MAX records unacknowledged.
    while (n + 1 - done >= FILL_OUTSTANDING_MAX) await new Promise(resolve => setTimeout(resolve, 1))
  }
  await finished
  await producer.close()
  if (failed > 0) throw new Error(`${failed} records failed while filling the topic`)
}

interface CaseResult { perSec: number, perCpuSecond: number, gcCount: number, gcFlagged: number, gcTotalMs: number, loopMaxMs: number, stamped: number }

async function consumeAll (port: number, topic: string, mode: string): Promise<CaseResult> {
  // As the native driver makes them: the timed consumer's client joins frames in an arena.
  const arena = mode === 'timed' ? new FrameArena() : null
  const client = new KafkaClient({ bootstrap: [`127.0.0.1:${port}`], clientId: `native-consume-bench-${mode}`, ...(arena !== null && { frameAllocator: arena.allocate }) })
  let received = 0
  let stamped = 0
  let onDone: (() => void) | null = null
  const finished = new Promise<void>(resolve => { onDone = resolve })
  const count = (sizeBytes: number, timestampUs: number | null): void => {
    if (sizeBytes === SIZE_BYTES && timestampUs !== null && timestampUs <= monotonicUs()) stamped++
    if (++received === recordCount) onDone?.()
  }
  const gc = { count: 0, flagged: 0, totalMs: 0 }
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      gc.count++
      gc.totalMs += e.duration
      if (e.duration >= GC_PAUSE_MS_FLAGGED) gc.flagged++
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const cpuBefore = process.cpuUsage()
  const startUs = monotonicUs()
  const consumer = mode !== 'message'
    ? await NativeConsumer.createTimed(client, topic, CONSUMER, { received: count }, arena)
    : await NativeConsumer.create(client, topic, CONSUMER, (m: ConsumedMessage) => count(m.value === null ? 0 : m.value.length, decodeTimestampHeader(m.headers[TIMESTAMP_HEADER])))
  await finished
  const elapsedS = (monotonicUs() - startUs) / 1e6
  const cpu = process.cpuUsage(cpuBefore)
  loop.disable()
  await new Promise(resolve => setImmediate(resolve)) // let the observer see the last entries
  observer.disconnect()
  await consumer.close()
  const cpuS = (cpu.user + cpu.system) / 1e6
  return { perSec: recordCount / elapsedS, perCpuSecond: recordCount / cpuS, gcCount: gc.count, gcFlagged: gc.flagged, gcTotalMs: gc.totalMs, loopMaxMs: loop.max / 1e6, stamped }
}

const dataDir = await mkdtemp(join(tmpdir(), 'sluice-native-consume-bench-'))
const broker = await spawnBroker({ dataDir, overrides: [], cpuProfDir: null, nodeFlags: [] })
try {
  const admin = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.port}`], clientId: 'native-consume-bench-fill' })
  const topic = 'consume-bench'
  await fill(admin, topic)
  admin.close()
  console.log(`native consumer reading ${recordCount} records of ${SIZE_BYTES} B from ${PARTITIONS} partitions (one broker process), ${rounds} rounds; Node ${process.version}`)
  for (let round = 1; round <= rounds; round++) {
    for (const mode of modes) {
      const r = await consumeAll(broker.port, topic, mode)
      console.log(`round ${round}  ${mode.padEnd(7)}  ${(r.perSec / 1e3).toFixed(1)} k rec/s  ${(r.perCpuSecond / 1e3).toFixed(1)} k rec per CPU-s  ` +
        `GC ${r.gcCount} pauses, ${r.gcTotalMs.toFixed(0)} ms, ${r.gcFlagged} >= ${GC_PAUSE_MS_FLAGGED} ms  loop blocked max ${r.loopMaxMs.toFixed(1)} ms` +
        `${r.stamped === recordCount ? '' : `  ONLY ${r.stamped} records with a valid timestamp`}`)
    }
  }
} finally {
  await broker.stop()
  await rm(dataDir, { recursive: true, force: true })
}
