// Broker ingest benchmark (`npm run bench:ingest`): how many produced bytes per second the
// reference broker takes, next to what the filesystem itself takes (fio, same directory
// tree), so the figure says how close the broker's produce path comes to the disk.
//
// One broker process (default config: acks=1, no fsync), one load-generator worker thread
// (bench/ingest-load.ts) sending pre-encoded ~64 KiB batches, pipelined, round robin over
// the partitions of a fresh topic per scenario. Scenarios: record sizes x connection counts
// (x batch sizes). Each scenario warms up, then counts acks for --seconds.
//
// Run: node bench/ingest.ts [--seconds 10] [--connections 1,4] [--record-bytes 1024,100]
//        [--batch-kib 64] [--in-flight 8] [--partitions 8] [--fio-size 1g] [--fio-sustained-size 32g]
//        [--json out.json]
//        [--cpu-prof] [--broker-node-flag=--trace-gc ...] [-o key=value ...]
// --cpu-prof writes the broker's V8 CPU profile to $TMPDIR/sluice-ingest-cpu-prof-<time>/; -o passes broker
// config overrides (e.g. -o log.flush.interval.messages=1).

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { CreateTopics } from '../broker/protocol/19-create-topics.ts'
import { DeleteTopics } from '../broker/protocol/20-delete-topics.ts'
import { Connection } from '../broker/client/connection.ts'
import { nodeFlagsPhrase } from '../harness/cluster/broker-node-flags.ts'
import type { LoadMessage, LoadResult, LoadSpec } from './ingest-load.ts'
import {
  fioSequentialWrite, machineCpuSeconds, machineInfo, processCpuSeconds, spawnBroker, type BrokerChild, type FioResult,
} from './ingest-env.ts'

const MiB = 1024 * 1024
const LOAD_WORKER = new URL('./ingest-load.ts', import.meta.url)
const SCENARIO_SLACK_MS = 60_000

interface Options {
  seconds: number
  warmupSeconds: number
  connections: number[]
  recordBytes: number[]
  batchKiB: number[]
  inFlight: number
  partitions: number
  fioSize: string
  fioSustainedSize: string
  json: string | null
  cpuProf: boolean
  brokerNodeFlags: string[]
  overrides: string[]
}

interface ScenarioResult {
  recordBytes: number
  recordsPerBatch: number
  batchKiB: number
  connections: number
  load: LoadResult
  brokerMiBPerSecond: number
  payloadMiBPerSecond: number
  recordsPerSecond: number
  /** Against fio writing fresh pages for as long as the scenario (the fair comparison). */
  ratioToFio: number | null
  /** Against fio writing --fio-size once (mostly page cache that was already there). */
  ratioToFioBurst: number | null
  /** MiB stored per CPU-second of the broker, over the same for sustained fio: robust to other load. */
  ratioToFioPerCore: number | null
  /** CPU of each party during the window, in cores (1.0 = one core fully busy). */
  cores: { broker: number, loadGenerator: number, benchProcess: number, machine: number, machineTotal: number }
}

function positiveList (text: string, flag: string): number[] {
  const list = text.split(',').map(Number)
  if (list.some(n => !Number.isInteger(n) || n <= 0)) throw new Error(`--${flag} wants positive integers, e.g. 1,4 (got ${text})`)
  return list
}

function parseOptions (): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      'warmup-seconds': { type: 'string', default: '2' },
      connections: { type: 'string', default: '1,4' },
      'record-bytes': { type: 'string', default: '1024,100' },
      'batch-kib': { type: 'string', default: '64' },
      'in-flight': { type: 'string', default: '8' },
      partitions: { type: 'string', default: '8' },
      'fio-size': { type: 'string', default: '1g' },
      'fio-sustained-size': { type: 'string', default: '32g' },
      json: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'broker-node-flag': { type: 'string', multiple: true, default: [] },
      override: { type: 'string', short: 'o', multiple: true, default: [] },
    },
  })
  const seconds = Number(values.seconds)
  const warmupSeconds = Number(values['warmup-seconds'])
  if (!(seconds > 0) || !(warmupSeconds >= 0)) throw new Error('--seconds must be > 0 and --warmup-seconds >= 0')
  return {
    seconds,
    warmupSeconds,
    connections: positiveList(values.connections, 'connections'),
    recordBytes: positiveList(values['record-bytes'], 'record-bytes'),
    batchKiB: positiveList(values['batch-kib'], 'batch-kib'),
    inFlight: positiveList(values['in-flight'], 'in-flight')[0]!,
    partitions: positiveList(values.partitions, 'partitions')[0]!,
    fioSize: values['fio-size'],
    fioSustainedSize: values['fio-sustained-size'],
    json: values.json ?? null,
    cpuProf: values['cpu-prof'],
    brokerNodeFlags: values['broker-node-flag'],
    overrides: values.override,
  }
}

async function admin<T> (port: number, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await Connection.connect({ host: '127.0.0.1', port, clientId: 'sluice-ingest-admin' })
  try { return await fn(c) } finally { c.close() }
}

async function createTopic (port: number, name: string, partitions: number): Promise<void> {
  const res = await admin(port, c => c.request(CreateTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false,
  }))
  const t = res.topics[0]!
  if (t.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${t.errorCode} ${t.errorMessage ?? ''}`)
}

async function deleteTopic (port: number, name: string): Promise<void> {
  await admin(port, c => c.request(DeleteTopics, { topicNames: [name], timeoutMs: 10_000 }))
}

/** Runs the load worker; snapshots broker and machine CPU when its window opens and closes. */
async function runLoad (spec: LoadSpec, brokerPid: number): Promise<{ load: LoadResult, cores: ScenarioResult['cores'] }> {
  const worker = new Worker(LOAD_WORKER, { workerData: spec })
  type Snap = { broker: { user: number, system: number }, machine: { busy: number, total: number }, bench: NodeJS.CpuUsage, atMs: number }
  const snap = async (): Promise<Snap> => ({ broker: await processCpuSeconds(brokerPid), machine: await machineCpuSeconds(), bench: process.cpuUsage(), atMs: performance.now() })
  let start: Promise<Snap> | null = null
  let end: Promise<Snap> | null = null
  const load = await new Promise<LoadResult>((resolve, reject) => {
    const timer = setTimeout(() => { void worker.terminate(); reject(new Error('load generator did not finish in time')) }, spec.warmupMs + spec.measureMs + SCENARIO_SLACK_MS)
    worker.on('message', (m: LoadMessage) => {
      if (m.type === 'window-start') start = snap()
      else if (m.type === 'window-end') end = snap()
      else { clearTimeout(timer); resolve(m.result) }
    })
    worker.once('error', err => { clearTimeout(timer); reject(err) })
    worker.once('exit', code => { clearTimeout(timer); reject(new Error(`load generator exited (${code}) without a result`)) })
  })
  if (start === null || end === null) throw new Error('load generator never opened its window')
  const [a, b] = [await start as Snap, await end as Snap]
  const seconds = (b.atMs - a.atMs) / 1000
  const cores = {
    broker: (b.broker.user + b.broker.system - a.broker.user - a.broker.system) / seconds,
    loadGenerator: (load.cpuUserUs + load.cpuSystemUs) / 1e6 / (load.windowMs / 1000),
    benchProcess: (b.bench.user + b.bench.system - a.bench.user - a.bench.system) / 1e6 / seconds,
    machine: (b.machine.busy - a.machine.busy) / seconds,
    machineTotal: (b.machine.total - a.machine.total) / seconds,
  }
  return { load, cores }
}

function fmt (n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

function describeFio (label: string, fio: FioResult | null): string {
  if (fio === null) return `${label}: n/a`
  const mib = fio.bandwidthBytesPerSecond / MiB
  return `${label}: ${fmt(mib, 1)} MiB/s, ${fmt(fio.cpuCores, 2)} cores, ${fmt(mib / fio.cpuCores, 0)} MiB/CPU-s`
}

function printTable (results: ScenarioResult[], fio: FioPair): void {
  console.table(results.map(r => ({
    record: `${r.recordBytes} B`,
    batch: `${r.recordsPerBatch} rec (${fmt(r.load.batchBytesEach / 1024, 1)} KiB)`,
    conns: r.connections,
    'MiB/s (log)': fmt(r.brokerMiBPerSecond, 1),
    'MiB/s (payload)': fmt(r.payloadMiBPerSecond, 1),
    'records/s': fmt(r.recordsPerSecond),
    'vs fio': r.ratioToFio === null ? 'n/a' : `${fmt(r.ratioToFio * 100, 0)}%`,
    'vs fio burst': r.ratioToFioBurst === null ? 'n/a' : `${fmt(r.ratioToFioBurst * 100, 0)}%`,
    'MiB/CPU-s': fmt(r.brokerMiBPerSecond / r.cores.broker, 0),
    'vs fio per CPU-s': r.ratioToFioPerCore === null ? 'n/a' : `${fmt(r.ratioToFioPerCore * 100, 0)}%`,
    'p50/p99 ms': `${fmt(r.load.latencyMsP50, 1)}/${fmt(r.load.latencyMsP99, 1)}`,
    'cores: broker/loadgen/other': `${fmt(r.cores.broker, 2)}/${fmt(r.cores.loadGenerator, 2)}/${fmt(Math.max(0, r.cores.machine - r.cores.broker - r.cores.benchProcess), 2)} of ${fmt(r.cores.machineTotal, 0)}`,
    errors: Object.keys(r.load.errors).length === 0 ? 0 : JSON.stringify(r.load.errors),
  })))
  console.log(describeFio('fio sustained (64 KiB psync writes, no fsync, as long as a scenario)', fio.sustained))
  console.log(describeFio('fio burst (the same, one --fio-size file)', fio.burst))
  console.log('vs fio: broker MiB/s over sustained fio MiB/s; the burst mostly lands in page cache the kernel already had.')
  console.log('MiB/s (log) counts whole batches as stored (the bytes fio is compared with); payload counts record values only.')
  console.log('MiB/CPU-s: MiB stored per second of broker CPU time; less swayed than MiB/s when other processes take the cores.')
  console.log('cores: CPU time during the window / window length; broker = its whole process (event loop + libuv pool),')
  console.log('loadgen = the load-generator thread, other = every other process on the machine (not the broker, not this one).')
}

interface FioPair {
  sustained: FioResult | null
  burst: FioResult | null
}

// Two fio figures: the one the brief names (write --fio-size once) and one that writes fresh
// pages for as long as a scenario lasts. On a VM the second can be several times lower:
// once the kernel runs out of page cache it already holds, each new page costs far more.
async function runFio (dir: string, opts: Options): Promise<FioPair> {
  const once = async (fioOpts: Parameters<typeof fioSequentialWrite>[1]): Promise<FioResult | null> => {
    await mkdir(dir, { recursive: true })
    const result = await fioSequentialWrite(dir, fioOpts)
    await rm(dir, { recursive: true, force: true })
    console.log('error' in result ? result.error : `${fmt(result.bandwidthBytesPerSecond / MiB, 1)} MiB/s: ${result.command}`)
    return 'error' in result ? null : result
  }
  const burst = await once({ size: opts.fioSize, runtimeSeconds: null, rampSeconds: 0 })
  const sustained = await once({ size: opts.fioSustainedSize, runtimeSeconds: opts.seconds, rampSeconds: opts.warmupSeconds })
  return { sustained, burst }
}

async function main (): Promise<void> {
  const opts = parseOptions()
  const root = await mkdtemp(join(tmpdir(), 'sluice-ingest-'))
  // Outside the temp dir, which is removed at the end, and outside the repository.
  const profDir = opts.cpuProf ? join(tmpdir(), `sluice-ingest-cpu-prof-${Date.now()}`) : null
  let broker: BrokerChild | null = null
  let cleaning: Promise<void> | null = null
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      await broker?.stop()
      await rm(root, { recursive: true, force: true })
    })()
    return cleaning
  }
  const onSignal = (signal: string): void => {
    console.error(`\n${signal}: stopping the broker and removing ${root}`)
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const machine = await machineInfo()
    console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores; node ${machine.node}; commit ${machine.commit ?? 'unknown'}; ${machine.fioVersion ?? 'fio missing'}`)
    console.log(`temp dir: ${root}`)
    const fio = await runFio(join(root, 'fio'), opts)
    const fioBytesPerSecond = fio.sustained?.bandwidthBytesPerSecond ?? null

    if (profDir !== null) await mkdir(profDir, { recursive: true })
    broker = await spawnBroker({ dataDir: join(root, 'data'), overrides: opts.overrides, cpuProfDir: profDir, nodeFlags: opts.brokerNodeFlags })
    console.log(`broker pid ${broker.pid} on 127.0.0.1:${broker.port} (${nodeFlagsPhrase(broker.nodeFlags)}); load generator: one worker thread in pid ${process.pid}`)
    const results: ScenarioResult[] = []
    let scenario = 0
    for (const recordBytes of opts.recordBytes) {
      for (const batchKiB of opts.batchKiB) {
        for (const connections of opts.connections) {
          const topic = `ingest-${scenario++}`
          await createTopic(broker.port, topic, opts.partitions)
          const recordsPerBatch = Math.max(1, Math.floor(batchKiB * 1024 / recordBytes))
          const spec: LoadSpec = {
            port: broker.port, topic, partitions: opts.partitions, connections, recordBytes, recordsPerBatch,
            inFlightMax: opts.inFlight, warmupMs: opts.warmupSeconds * 1000, measureMs: opts.seconds * 1000,
          }
          process.stdout.write(`${recordBytes} B x ${recordsPerBatch}/batch, ${connections} connection(s), ${opts.inFlight} in flight each ... `)
          const { load, cores } = await runLoad(spec, broker.pid)
          await deleteTopic(broker.port, topic)
          const windowSeconds = load.windowMs / 1000
          const brokerBytesPerSecond = load.batchBytes / windowSeconds
          const result: ScenarioResult = {
            recordBytes, recordsPerBatch, batchKiB, connections, load, cores,
            brokerMiBPerSecond: brokerBytesPerSecond / MiB,
            payloadMiBPerSecond: load.payloadBytes / windowSeconds / MiB,
            recordsPerSecond: load.records / windowSeconds,
            ratioToFio: fioBytesPerSecond === null ? null : brokerBytesPerSecond / fioBytesPerSecond,
            ratioToFioBurst: fio.burst === null ? null : brokerBytesPerSecond / fio.burst.bandwidthBytesPerSecond,
            ratioToFioPerCore: fio.sustained === null ? null : (brokerBytesPerSecond / cores.broker) / (fio.sustained.bandwidthBytesPerSecond / fio.sustained.cpuCores),
          }
          console.log(`${fmt(result.brokerMiBPerSecond, 1)} MiB/s, ${fmt(result.recordsPerSecond)} records/s`)
          results.push(result)
        }
      }
    }
    console.log('')
    printTable(results, fio)
    await broker.stop()
    if (profDir !== null) console.log(`broker CPU profile written to ${profDir} (open in Chrome DevTools or speedscope)`)
    if (opts.json !== null) {
      const report = { machine, options: opts, fio, brokerConfig: { defaults: true, overrides: opts.overrides }, results }
      await writeFile(opts.json, JSON.stringify(report, null, 2) + '\n')
      console.log(`results written to ${opts.json}`)
    }
  } catch (err) {
    const tail = broker?.stderrTail().trim() ?? ''
    if (tail !== '') console.error(`broker stderr (last lines):\n${tail.split('\n').slice(-20).join('\n')}`)
    throw err
  } finally {
    await cleanup()
  }
}

await main()
