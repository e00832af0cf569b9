// How well the load generator keeps its schedule: one ProducerLoop on a worker thread (as in
// `sluice bench`) sends to a producer that acknowledges at once, at fixed rates, with the
// timer-only wait and with the precise sub-millisecond wait, interleaved in one run. Prints
// the publish delay (actual send minus intended send) p50 / p99 / p99.9 of each, so the
// difference is measured, not assumed. No broker: this is the harness's own timing. The
// first second of each case is warm-up and not counted.
// Run: node bench/schedule.bench.ts [seconds per case, default 3]

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { ProducerLoop } from '../harness/bench/producer-loop.ts'
import { createKeyGenerator } from '../harness/bench/keys.ts'
import { PayloadPool } from '../harness/bench/payload.ts'
import { decodeHistogram, quantilesOf } from '../harness/measure/histogram.ts'
import { WorkerStats } from '../harness/measure/worker-stats.ts'

interface Case { ratePerSec: number, preciseWait: boolean, seconds: number }

async function runCase ({ ratePerSec, preciseWait, seconds }: Case): Promise<string | null> {
  const stats = new WorkerStats('schedule-bench')
  const producer = { send: async (): Promise<void> => {}, close: async (): Promise<void> => {} }
  const payloads = await PayloadPool.create({ messageSize: 100, payloadFile: null, useRandomizedPayloads: false, randomBytesRatio: 0, randomizedPayloadPoolSize: 1 }, 1)
  const loop = new ProducerLoop({ producer, stats, keys: createKeyGenerator(null, 1), payloads, outstandingMax: 10_000, preciseWait })
  loop.setRate(ratePerSec)
  // One second of warm-up (thread start, JIT) is dropped from the figures.
  await new Promise(resolve => setTimeout(resolve, 1000))
  stats.takeSnapshot()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  await loop.stop(1000)
  return stats.takeSnapshot().publishDelayUs
}

if (!isMainThread) {
  parentPort!.postMessage(await runCase(workerData as Case))
} else {
  const seconds = Number(process.argv[2] ?? 3)
  const lines: string[] = []
  for (const ratePerSec of [1000, 5000, 20_000]) {
    for (const preciseWait of [false, true]) {
      const encoded = await new Promise<string | null>((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { ratePerSec, preciseWait, seconds } })
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      const q = encoded === null ? null : quantilesOf(decodeHistogram(encoded))
      const fmt = (us: number | undefined): string => us === undefined ? '-' : `${(us / 1000).toFixed(3)} ms`
      lines.push(`${String(ratePerSec).padStart(6)} msg/s  ${preciseWait ? 'precise' : 'timer  '}  publish delay p50 ${fmt(q?.p50)}  p99 ${fmt(q?.p99)}  p99.9 ${fmt(q?.p999)}  (${q?.count ?? 0} sends)`)
      console.log(lines.at(-1))
    }
  }
}
