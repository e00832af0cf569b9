// A synthetic benchmark run, produced through the real measurement path (WorkerStats ->
// snapshots -> RunRecorder -> buildResult) without a broker: tests of results, reports and
// `sluice compare` use it to get realistic result files in milliseconds.

import { RunRecorder } from '../../../harness/measure/recorder.ts'
import type { Phase } from '../../../harness/measure/recorder.ts'
import { WorkerStats } from '../../../harness/measure/worker-stats.ts'
import type { Environment } from '../../../harness/results/environment.ts'
import { buildResult } from '../../../harness/results/result.ts'
import type { BenchResult, FaultBand, RunStatus } from '../../../harness/results/result.ts'
import { parseWorkload } from '../../../harness/workload/load.ts'

export interface SyntheticOptions {
  seed?: number
  name?: string
  ratePerSec?: number
  warmupSec?: number
  measureSec?: number
  drainSec?: number
  messageSizeBytes?: number
  /** Multiplies latencies and divides rates: 1.2 = a candidate 20% slower. */
  slowdown?: number
  /** Relative run-to-run noise on rates and latencies. */
  noise?: number
  /** Seconds (since start) during which the broker stalls: latency up, consumption down. */
  fault?: FaultBand
  workers?: number
  status?: RunStatus
  statusReason?: string
}

export const SYNTHETIC_ENVIRONMENT: Environment = {
  gitCommit: '0123456789abcdef0123456789abcdef01234567',
  gitDirty: false,
  nodeVersion: 'v24.0.0',
  os: 'Linux 6.1.0-synthetic',
  arch: 'x64',
  cpuModel: 'Synthetic CPU @ 3.00GHz',
  cpuCores: 2,
  totalMemoryBytes: 8 * 1024 ** 3,
  coreSharing: '1 broker process and 2 client worker threads on 2 cores, not pinned',
}

function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x9e3779b9) >>> 0
    state ^= state >>> 13
    return (state >>> 0) / 2 ** 32
  }
}

export function syntheticResult (options: SyntheticOptions = {}): BenchResult {
  const rand = random(options.seed ?? 1)
  const ratePerSec = options.ratePerSec ?? 2000
  const warmupSec = options.warmupSec ?? 5
  const measureSec = options.measureSec ?? 30
  const drainSec = options.drainSec ?? 0
  const size = options.messageSizeBytes ?? 1024
  const slowdown = options.slowdown ?? 1
  const noise = options.noise ?? 0.02
  const workers = Array.from({ length: options.workers ?? 2 }, (_, i) => new WorkerStats(`worker-${i}`))
  const runFactor = 1 + noise * (rand() * 2 - 1)
  const workload = parseWorkload([
    `name: ${options.name ?? 'synthetic'}`, 'topics: 1', 'partitionsPerTopic: 4', `messageSize: ${size}`,
    'subscriptionsPerTopic: 1', 'consumerPerSubscription: 1', 'producersPerTopic: 2', `producerRate: ${ratePerSec}`,
    `warmupDurationSeconds: ${warmupSec}`, `testDurationSeconds: ${measureSec}`,
  ].join('\n'), 'synthetic.yaml')
  const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
  let owedConsumes = 0
  const totalSec = warmupSec + measureSec + drainSec
  for (let second = 0; second < totalSec; second++) {
    const phase: Phase = second < warmupSec ? 'warmup' : second < warmupSec + measureSec ? 'measure' : 'drain'
    const inFault = options.fault !== undefined && second >= options.fault.startSec && second < options.fault.endSec
    const published = phase === 'drain' ? 0 : Math.round(ratePerSec / slowdown / runFactor * (1 + 0.01 * (rand() - 0.5)))
    const consumeCapacity = inFault ? published * 0.3 : published * 3 + 1000
    owedConsumes += published
    const consumed = Math.min(owedConsumes, Math.round(consumeCapacity))
    owedConsumes -= consumed
    const latencyScale = slowdown * runFactor * (inFault ? 25 : 1) * (phase === 'warmup' ? 1.5 : 1)
    for (let i = 0; i < published; i++) {
      const stats = workers[i % workers.length]
      const intended = second * 1e6 + i * (1e6 / Math.max(1, published))
      const lag = inFault ? rand() * 40_000 : rand() * 30
      const publishUs = latencyScale * (600 + 400 * rand() + (rand() < 0.03 ? 4000 * rand() : 0))
      if (inFault && rand() < 0.02) {
        stats.recordPublishError(rand() < 0.7 ? 'REQUEST_TIMED_OUT' : 'NOT_LEADER_OR_FOLLOWER')
        continue
      }
      stats.recordPublishAck(size, intended, intended + lag, intended + lag + publishUs)
    }
    for (let i = 0; i < consumed; i++) {
      const e2eUs = latencyScale * (900 + 600 * rand() + (rand() < 0.03 ? 8000 * rand() : 0))
      workers[i % workers.length].recordConsume(size, second * 1e6, second * 1e6 + e2eUs)
    }
    for (const stats of workers) recorder.add(stats.takeSnapshot())
    recorder.closeInterval({ phase, targetRatePerSec: phase === 'drain' ? 0 : ratePerSec, nowUs: (second + 1) * 1e6 })
  }
  return buildResult({
    runId: `20250101T000000Z-${options.name ?? 'synthetic'}-${(options.seed ?? 1).toString(16).padStart(6, '0')}`,
    workload,
    driver: { name: 'native', settings: { acks: -1, lingerMs: 5 } },
    cluster: { backend: 'process', brokers: 1, bootstrap: ['127.0.0.1:9092'], description: '1 reference broker process on 127.0.0.1' },
    environment: SYNTHETIC_ENVIRONMENT,
    recording: recorder.recording(),
    status: options.status ?? 'complete',
    statusReason: options.statusReason ?? null,
    startTime: new Date('2025-01-01T00:00:00Z'),
    endTime: new Date(Date.UTC(2025, 0, 1, 0, 0, totalSec)),
    faultBands: options.fault === undefined ? [] : [options.fault],
  })
}
