// The native producer at full speed (issue #13 item 2): one thread sends records as fast as
// the producer takes them to a `sluice.sink` broker (it acknowledges and discards every
// Produce), so what is measured is the client alone: record encoding into batches, CRC,
// the Produce request and the socket. Prints msg/s and MiB/s of acknowledged records per
// record size, and msg per CPU-second of this process (less swayed by other load on a
// shared machine than the rate). Sizes are interleaved over rounds.
//
// Run: node bench/native-producer.ts [--seconds 5] [--rounds 2] [--sizes 100,1024] [--keys 0]
//        [--linger-ms 5] [--batch-kib 256] [--acks -1]
// For a profile of the producer: node --cpu-prof --cpu-prof-dir /tmp/p bench/native-producer.ts

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { KafkaClient } from '../broker/client/kafka-client.ts'
import { NativeProducer } from '../harness/drivers/native-producer.ts'
import type { SendListener } from '../harness/drivers/driver.ts'
import { monotonicUs } from '../harness/measure/clock.ts'
import { spawnBroker } from './ingest-env.ts'

const MiB = 1024 * 1024
/** Bytes sent but not yet acknowledged, at most (under the producer's 64 MiB buffer). */
const OUTSTANDING_BYTES_MAX = 32 * MiB
/** Sends between turns of the event loop (acks and socket writes need turns). */
const SENDS_PER_TURN = 4096
const WARMUP_MS = 1000
const PAYLOADS = 256
const PARTITIONS = 8

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    sizes: { type: 'string', default: '100,1024' },
    keys: { type: 'string', default: '0' },
    'linger-ms': { type: 'string', default: '5' },
    'batch-kib': { type: 'string', default: '256' },
    acks: { type: 'string', default: '-1' },
  },
})

function positive (name: string, text: string, min = 1): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}, got "${text}"`)
  return n
}

const seconds = positive('seconds', values.seconds)
const rounds = positive('rounds', values.rounds)
const sizes = values.sizes.split(',').map(s => positive('sizes', s))
const keyCount = positive('keys', values.keys, 0)
const lingerMs = positive('linger-ms', values['linger-ms'], 0)
const batchBytes = positive('batch-kib', values['batch-kib']) * 1024
const acks = Number(values.acks)
if (acks !== 0 && acks !== 1 && acks !== -1) throw new Error(`--acks must be 0, 1 or -1, got "${values.acks}"`)

interface CaseResult { msgPerSec: number, mibPerSec: number, cpuSecondsPerSecond: number, msgPerCpuSecond: number, errors: number }

async function runCase (port: number, topic: string, sizeBytes: number): Promise<CaseResult> {
  const client = new KafkaClient({ bootstrap: [`127.0.0.1:${port}`], clientId: 'native-producer-bench', inFlightMax: 5 })
  await client.createTopics([{ name: topic, partitions: PARTITIONS }])
  const producer = await NativeProducer.create(client, topic,
    { acks: acks as 0 | 1 | -1, lingerMs, batchSizeBytes: batchBytes, compression: 'none', idempotent: false, maxInFlight: 5, retries: 0 })
  const payloads = Array.from({ length: PAYLOADS }, (_, i) => Buffer.alloc(sizeBytes, i))
  const keys = Array.from({ length: keyCount }, (_, i) => Buffer.from(String(i).padStart(8, '0')))
  let acked = 0
  let errors = 0
  let outstanding = 0
  let wake: (() => void) | null = null
  const listener: SendListener = {
    acked: () => { acked++; outstanding-- },
    failed: () => { errors++; outstanding-- },
  }
  const outstandingMax = Math.floor(OUTSTANDING_BYTES_MAX / sizeBytes)
  let running = true
  const loop = (async () => {
    let n = 0
    while (running) {
      for (let i = 0; i < SENDS_PER_TURN && outstanding < outstandingMax; i++, n++) {
        outstanding++
        const nowUs = monotonicUs()
        producer.sendTimed(keyCount === 0 ? null : keys[n % keyCount]!, payloads[n % PAYLOADS]!, nowUs, nowUs, listener)
      }
      await new Promise<void>(resolve => { wake = resolve; setImmediate(resolve) })
      wake = null
    }
  })()
  await new Promise(resolve => setTimeout(resolve, WARMUP_MS))
  const ackedBefore = acked
  const cpuBefore = process.cpuUsage()
  const startUs = monotonicUs()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const elapsedS = (monotonicUs() - startUs) / 1e6
  const cpu = process.cpuUsage(cpuBefore)
  const count = acked - ackedBefore
  running = false
  ;(wake as (() => void) | null)?.()
  await loop
  await producer.close()
  await client.deleteTopics([topic]).catch(() => {})
  client.close()
  const cpuS = (cpu.user + cpu.system) / 1e6
  return { msgPerSec: count / elapsedS, mibPerSec: count * sizeBytes / MiB / elapsedS, cpuSecondsPerSecond: cpuS / elapsedS, msgPerCpuSecond: count / cpuS, errors }
}

const dataDir = await mkdtemp(join(tmpdir(), 'sluice-native-producer-bench-'))
const broker = await spawnBroker({ dataDir, overrides: ['sluice.sink=true'], cpuProfDir: null, nodeFlags: [] })
try {
  console.log(`native producer -> sluice.sink broker, one thread, ${seconds} s per case after ${WARMUP_MS} ms warm-up, acks ${acks}, linger ${lingerMs} ms, ` +
    `batch ${batchBytes / 1024} KiB, ${PARTITIONS} partitions, ${keyCount === 0 ? 'no keys (sticky partitions)' : `${keyCount} keys`}; Node ${process.version}`)
  let caseNo = 0
  for (let round = 1; round <= rounds; round++) {
    for (const size of sizes) {
      const r = await runCase(broker.port, `bench-${caseNo++}`, size)
      console.log(`round ${round}  ${String(size).padStart(5)} B  ${(r.msgPerSec / 1e6).toFixed(3)} M msg/s  ${r.mibPerSec.toFixed(1)} MiB/s  ` +
        `this process ${r.cpuSecondsPerSecond.toFixed(2)} CPU-s/s, ${(r.msgPerCpuSecond / 1e6).toFixed(3)} M msg per CPU-s${r.errors > 0 ? `  ${r.errors} errors` : ''}`)
    }
  }
} finally {
  await broker.stop()
  await rm(dataDir, { recursive: true, force: true })
}
