// How precise a run's figures are, stated in the result so a reader can judge them: the
// clock and its resolution, the histograms' range and precision, how the cores were shared
// (core count, processes and threads, each process's CPU affinity where the OS says), and
// every figure the run flagged as disturbed (a worker that fell behind its schedule, GC
// pauses and event-loop stalls over their thresholds; see measure/disturbance.ts).

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { disturbanceFlags, EVENT_LOOP_DELAY_FLAG_MS, GC_PAUSE_FLAG_MS, PUBLISH_DELAY_BOUND_US, type WorkerDisturbance } from '../measure/disturbance.ts'
import { brokerGcFlag, type BrokerGcPauses } from '../measure/broker-gc.ts'
import { LATENCY_SIGNIFICANT_DIGITS, LATENCY_US_HIGHEST, LATENCY_US_LOWEST } from '../measure/histogram.ts'

const CLOCK_PROBES = 2000
const BALLOON_DRIVER_DIR = '/sys/bus/virtio/drivers/virtio_balloon'
/** VIRTIO_BALLOON_F_REPORTING: the guest reports free pages, and the host takes them back. */
const BALLOON_FEATURE_REPORTING_BIT = 5

export interface ProcessAffinity {
  /** e.g. "harness (pid 123)", "broker 1 (pid 456)". */
  process: string
  /** Linux's Cpus_allowed_list, e.g. "0-1" (not pinned on 2 cores) or "1". */
  cpus: string
}

export interface MeasurementPrecision {
  clock: string
  /** Smallest step between two consecutive clock reads seen at the start of the run. */
  clockResolutionNs: number
  histogram: string
  brokerHistogram: string | null
  logicalCores: number
  /** Processes and threads that shared the cores. */
  processes: string
  /** Empty when the OS does not say (not Linux, or a process outside this machine). */
  affinity: ProcessAffinity[]
  thresholds: string
  /** How the load-generator threads were scheduled (bench/realtime.ts), e.g. "producers-0: SCHED_FIFO priority 1 (real-time)". */
  scheduling?: string
  /** Set when the machine is a VM whose host backs its memory lazily (memoryBackingNote). */
  memory?: string
  workers: WorkerDisturbance[]
  /** One sentence per disturbed figure; empty when none was. */
  disturbed: string[]
}

/** Smallest non-zero difference between consecutive process.hrtime reads, in ns. */
export function clockResolutionNs (probes = CLOCK_PROBES): number {
  let smallest = Number.POSITIVE_INFINITY
  let previous = process.hrtime.bigint()
  for (let i = 0; i < probes; i++) {
    const now = process.hrtime.bigint()
    const step = Number(now - previous)
    if (step > 0 && step < smallest) smallest = step
    previous = now
  }
  return Number.isFinite(smallest) ? smallest : 0
}

/** The CPUs a process may run on, from /proc; null off Linux or when it is gone. */
export async function cpusAllowed (pid: number): Promise<string | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? null
  } catch {
    return null
  }
}

/** The same, read synchronously (for phrases built in sync code). */
export function cpusAllowedSync (pid: number): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}

/** How many CPUs a list like "0-3,6" names; 0 for anything else. */
export function cpuListSize (list: string): number {
  let n = 0
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (m === null) return 0
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1
  }
  return n
}

/**
 * "not pinned: ..." when every process named may run on every core of the machine, else
 * which process may run where, e.g. "pinned: harness on CPU 1, broker 0 on CPU 0".
 */
export function pinningPhrase (processes: ReadonlyArray<{ name: string, pid: number | null }>): string {
  const cores = os.cpus().length || os.availableParallelism()
  const known = processes.flatMap(p => {
    const cpus = p.pid === null ? null : cpusAllowedSync(p.pid)
    return cpus === null ? [] : [{ name: p.name, cpus }]
  })
  if (known.every(p => cpuListSize(p.cpus) >= cores)) return 'not pinned: the OS scheduler shares the cores among them'
  return `pinned: ${known.map(p => `${p.name} on CPU${cpuListSize(p.cpus) === 1 ? '' : 's'} ${p.cpus}`).join(', ')}`
}

/**
 * A sentence when this machine is a VM with a virtio balloon that reports free pages, else
 * null. Its host backs a guest page when the guest first writes it and takes freed pages
 * back, so a benchmark whose page cache grows into such memory pays the host's fault on
 * every new page (4.2-12.1 µs of system time per 4 KiB page measured on this project's
 * machine): a broker can lose a core to it partway through a run.
 */
export function memoryBackingNote (driverDir = BALLOON_DRIVER_DIR): string | null {
  let devices: string[]
  try {
    devices = readdirSync(driverDir).filter(name => name.startsWith('virtio'))
  } catch {
    return null
  }
  for (const device of devices) {
    let features: string
    try {
      features = readFileSync(join(driverDir, device, 'features'), 'utf8').trim()
    } catch {
      continue
    }
    if (features[BALLOON_FEATURE_REPORTING_BIT] === '1') {
      return 'a VM whose host backs memory on first write and takes freed pages back (virtio-balloon free page reporting): ' +
        'page-cache growth into memory not written since costs CPU, and a run can slow partway through; ' +
        'node bench/prefault-memory.ts right before a run backs the free memory'
    }
  }
  return null
}

export interface PrecisionInput {
  /** Reference broker processes this machine runs for the run, with their pids when known. */
  brokerPids: Array<{ id: number, pid: number | null }>
  brokerProcesses: string
  producerThreads: number
  consumerThreads: number
  /** Whether the target exports RequestMetrics (the reference broker). */
  brokerHistograms: boolean
  workers: WorkerDisturbance[]
  scheduling: ReadonlyArray<{ name: string, status: { note: string } }>
  /** The brokers' GC pauses over the measured phase, from /metrics; null when unknown. */
  brokerGc: BrokerGcPauses | null
  clockResolutionNs: number
}

export async function describePrecision (input: PrecisionInput): Promise<MeasurementPrecision> {
  const affinity: ProcessAffinity[] = []
  const own = await cpusAllowed(process.pid)
  if (own !== null) affinity.push({ process: `harness (pid ${process.pid})`, cpus: own })
  for (const broker of input.brokerPids) {
    const cpus = broker.pid === null ? null : await cpusAllowed(broker.pid)
    if (cpus !== null) affinity.push({ process: `broker ${broker.id} (pid ${broker.pid})`, cpus })
  }
  const memory = memoryBackingNote()
  const threads = `1 harness process (main thread, ${input.producerThreads} producer and ${input.consumerThreads} consumer worker threads)`
  return {
    clock: 'process.hrtime (CLOCK_MONOTONIC on Linux): one monotonic clock for every thread and process on this machine; latencies are kept in µs with sub-µs fraction',
    clockResolutionNs: input.clockResolutionNs,
    histogram: `HdrHistogram from ${LATENCY_US_LOWEST} µs to ${LATENCY_US_HIGHEST / 3.6e9} h at ${LATENCY_SIGNIFICANT_DIGITS} significant digits (each value within ${100 / 10 ** LATENCY_SIGNIFICANT_DIGITS}%)`,
    brokerHistogram: input.brokerHistograms ? 'broker RequestMetrics: fixed buckets from 10 µs to 30 s in 1-2.5-5 steps; means exact, quantiles only to a bucket' : null,
    logicalCores: os.cpus().length || os.availableParallelism(),
    processes: `${input.brokerProcesses} and ${threads}`,
    affinity,
    thresholds: `fell behind: publish delay p99 over ${PUBLISH_DELAY_BOUND_US / 1000} ms in a measured second; GC pause ${GC_PAUSE_FLAG_MS} ms or more; event-loop stall ${EVENT_LOOP_DELAY_FLAG_MS} ms or more (perf_hooks, in each worker thread); a reference broker's GC pause over ${GC_PAUSE_FLAG_MS} ms (its /metrics)`,
    scheduling: input.scheduling.map(s => `${s.name}: ${s.status.note}`).join('; '),
    ...(memory === null ? {} : { memory }),
    workers: input.workers,
    disturbed: disturbanceFlags(input.workers).concat(brokerGcFlag(input.brokerGc) ?? []),
  }
}
