// How well the load generator keeps its schedule: one ProducerLoop on a worker thread (as in
// `sluice bench`) sends to a producer that acknowledges at once, at fixed rates, with the
// timer-only wait, the precise sub-millisecond wait without the final spin, and the default
// (precise wait ending in a bounded spin), interleaved in one run. Prints the publish delay
// (actual send minus intended send) p50 / p99 / p99.9 of each and the worker thread's CPU
// use, so both the gain and its cost are measured, not assumed. No broker: this is the
// harness's own timing. The first second of each case is warm-up and not counted.
// Run: node bench/schedule.bench.ts [seconds per case, default 3] [rounds, default 1]

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { HIGH_RATE_SLEEP_US_DEFAULT, ProducerLoop, SPIN_US_DEFAULT } from '../harness/bench/producer-loop.ts'
import { createKeyGenerator } from '../harness/bench/keys.ts'
import { PayloadPool } from '../harness/bench/payload.ts'
import { decodeHistogram, quantilesOf } from '../harness/measure/histogram.ts'
import { WorkerStats } from '../harness/measure/worker-stats.ts'

interface Case { ratePerSec: number, mode: Mode, seconds: number }
type Mode = 'timer' | 'precise' | 'spin' | 'per-record'
interface CaseResult { delays: string | null, cpuPercent: number }

async function runCase ({ ratePerSec, mode, seconds }: Case): Promise<CaseResult> {
  const stats = new WorkerStats('schedule-bench')
  const producer = { send: async (): Promise<void> => {}, close: async (): Promise<void> => {} }
  const payloads = await PayloadPool.create({ messageSize: 100, payloadFile: null, useRandomizedPayloads: false, randomBytesRatio: 0, randomizedPayloadPoolSize: 1 }, 1)
  const loop = new ProducerLoop({
    producer, stats, keys: createKeyGenerator(null, 1), payloads, outstandingMax: 10_000,
    preciseWait: mode !== 'timer', spinUs: mode === 'spin' || mode === 'per-record' ? SPIN_US_DEFAULT : 0,
    highRateSleepUs: mode === 'per-record' ? 0 : HIGH_RATE_SLEEP_US_DEFAULT,
  })
  loop.setRate(ratePerSec)
  // One second of warm-up (thread start, JIT) is dropped from the figures.
  await new Promise(resolve => setTimeout(resolve, 1000))
  stats.takeSnapshot()
  const cpuBefore = process.threadCpuUsage()
  const startMs = performance.now()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const cpu = process.threadCpuUsage(cpuBefore)
  const cpuPercent = (cpu.user + cpu.system) / 10 / (performance.now() - startMs)
  await loop.stop(1000)
  return { delays: stats.takeSnapshot().publishDelayUs, cpuPercent }
}

async function inWorker (c: Case): Promise<CaseResult> {
  return await new Promise<CaseResult>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: c })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}

if (!isMainThread) {
  parentPort!.postMessage(await runCase(workerData as Case))
} else {
  const seconds = Number(process.argv[2] ?? 3)
  const rounds = Number(process.argv[3] ?? 1)
  const fmt = (us: number | undefined): string => us === undefined ? '-' : `${(us / 1000).toFixed(3)} ms`
  for (let round = 1; round <= rounds; round++) {
    for (const ratePerSec of [1000, 5000, 20_000, 90_000]) {
      // per-record: the default before high rates slept in bursts (one wait and spin per record).
      const modes = ratePerSec >= 20_000 ? ['timer', 'precise', 'spin', 'per-record'] as const : ['timer', 'precise', 'spin'] as const
      for (const mode of modes) {
        const { delays, cpuPercent } = await inWorker({ ratePerSec, mode, seconds })
        const q = delays === null ? null : quantilesOf(decodeHistogram(delays))
        console.log(`round ${round} ${String(ratePerSec).padStart(6)} msg/s  ${mode.padEnd(7)}  publish delay p50 ${fmt(q?.p50)}  p99 ${fmt(q?.p99)}  p99.9 ${fmt(q?.p999)}  (${q?.count ?? 0} sends)  worker CPU ${cpuPercent.toFixed(0)} %`)
      }
    }
  }
}
