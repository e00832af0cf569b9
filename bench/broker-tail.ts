// The broker's own tail at low load (issue #13 item 4): one record of --record-bytes every
// --interval-ms to one partition, acks=1, and one consumer long-polling that partition
// (min_bytes 1), both on this thread with Sluice's client, against one broker process.
// Prints, per broker configuration, the produce ack latency (request written -> answer)
// and the produce-to-fetch latency (request written -> a fetch answer holding the record),
// p50 / p99 / p99.9 / max in µs. The `sink` row (sluice.sink: acknowledged and discarded,
// no log, no fetch) is the floor of sockets, framing and the event loops; the gap between
// it and the default row is what the produce path's log append adds. Configurations are
// interleaved over rounds. Run this on a quiet machine: its tails are the machine's too.
//
// Run: node bench/broker-tail.ts [--seconds 5] [--rounds 2] [--interval-ms 2] [--record-bytes 1024]

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { KafkaClient } from '../broker/client/kafka-client.ts'
import { decodeFetchedRecords, type FetchedRecord } from '../broker/client/batch-reader.ts'
import { BatchBuilder } from '../harness/client/batch-builder.ts'
import { createLatencyHistogram, quantilesOf, recordLatencyUs } from '../harness/measure/histogram.ts'
import { decodeTimestampHeader, monotonicUs, TIMESTAMP_HEADER } from '../harness/measure/clock.ts'
import { spawnBroker } from './ingest-env.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    'interval-ms': { type: 'string', default: '2' },
    'record-bytes': { type: 'string', default: '1024' },
  },
})

function positive (name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`)
  return n
}

const seconds = positive('seconds', values.seconds)
const rounds = positive('rounds', values.rounds)
const intervalMs = positive('interval-ms', values['interval-ms'])
const recordBytes = positive('record-bytes', values['record-bytes'])
const WARMUP_MS = 1000

interface Config { name: string, overrides: string[] }
const CONFIGS: Config[] = [
  { name: 'default', overrides: [] },
  { name: 'sink', overrides: ['sluice.sink=true'] },
]

async function consume (client: KafkaClient, leader: number, topic: string, onRecord: (r: FetchedRecord, receivedUs: number) => void, stopped: () => boolean): Promise<void> {
  let offset = 0
  const out: FetchedRecord[] = []
  while (!stopped()) {
    const res = await client.fetch(leader, topic, [{ partition: 0, offset, partitionMaxBytes: 1024 * 1024 }], { maxWaitMs: 200, minBytes: 1, maxBytes: 1024 * 1024 })
    const receivedUs = monotonicUs()
    const p = res.topics[0]?.partitions[0]
    if (p === undefined || p.errorCode !== 0) throw new Error(`fetch failed: error ${p?.errorCode}`)
    out.length = 0
    offset = await decodeFetchedRecords(p.records as Buffer | null, topic, 0, offset, out)
    for (const r of out) onRecord(r, receivedUs)
  }
}

async function runConfig (config: Config): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-broker-tail-'))
  const broker = await spawnBroker({ dataDir, overrides: config.overrides, cpuProfDir: null, nodeFlags: [] })
  const producer = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.port}`], clientId: 'tail-producer' })
  const consumer = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.port}`], clientId: 'tail-consumer' })
  try {
    await producer.createTopics([{ name: 'tail', partitions: 1 }])
    const leader = (await producer.topic('tail', true)).partitions[0]!.leaderId
    const ack = createLatencyHistogram()
    const e2e = createLatencyHistogram()
    let measuring = false
    let stop = false
    const reading = config.name === 'sink'
      ? Promise.resolve()
      : consume(consumer, leader, 'tail', (r, receivedUs) => {
        const sentUs = decodeTimestampHeader(r.headers[TIMESTAMP_HEADER])
        if (measuring && sentUs !== null) recordLatencyUs(e2e, receivedUs - sentUs)
      }, () => stop)
    const builder = new BatchBuilder(recordBytes + 1024)
    const payload = Buffer.alloc(recordBytes, 7)
    const startMs = Date.now()
    setTimeout(() => { measuring = true }, WARMUP_MS)
    while (Date.now() - startMs < WARMUP_MS + seconds * 1000) {
      const sentUs = monotonicUs()
      builder.append(null, payload, null, Date.now(), sentUs)
      const batch = builder.seal()
      const res = await producer.produce(leader, 'tail', [{ partition: 0, batch }], { acks: 1, timeoutMs: 5000 })
      if (measuring) recordLatencyUs(ack, monotonicUs() - sentUs)
      const code = res?.topics[0]?.partitions[0]?.errorCode
      if (code !== 0) throw new Error(`produce failed: error ${code}`)
      builder.recycle(batch)
      await new Promise(resolve => setTimeout(resolve, intervalMs))
    }
    await new Promise(resolve => setTimeout(resolve, 300))
    stop = true
    await reading
    const fmt = (h: typeof ack): string => {
      const q = quantilesOf(h)
      return q === null ? '-' : `${q.p50} / ${q.p99} / ${q.p999} / ${q.max} µs (${q.count})`
    }
    return `${config.name.padEnd(8)} produce ack ${fmt(ack)}   produce-to-fetch ${config.name === 'sink' ? '- (nothing to fetch)' : fmt(e2e)}`
  } finally {
    producer.close()
    consumer.close()
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

console.log(`broker tail: one ${recordBytes} B record every ${intervalMs} ms, acks=1, one long-polling consumer; ${seconds} s per case after ${WARMUP_MS} ms warm-up; p50 / p99 / p99.9 / max`)
for (let round = 1; round <= rounds; round++) {
  for (const config of CONFIGS) console.log(`round ${round}  ${await runConfig(config)}`)
}
