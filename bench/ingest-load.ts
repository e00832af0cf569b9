// The load generator of bench/ingest.ts, run as a worker thread so that it owns one event
// loop (and so, at most, one core) while the broker owns its own process.
//
// Every connection holds one pre-encoded Produce frame per partition (one ~64 KiB batch
// each, acks=1) and keeps `inFlightMax` of them on the wire, walking the partitions round
// robin: no encoding, CRC or allocation per request, so what is measured is the broker.
// Responses come back in request order; each one's correlation id is checked against the
// frame sent in that position. Only acks that arrive inside the measured window count.

import { connect, type Socket } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'
import { Produce } from '../broker/protocol/00-produce.ts'
import { readResponseHeader, writeRequestHeader } from '../broker/protocol/headers.ts'
import { Reader } from '../broker/protocol/reader.ts'
import { encodeRecordBatch } from '../broker/protocol/record-batch.ts'
import { Writer } from '../broker/protocol/writer.ts'
import { FrameSplitter, RESPONSE_FRAME_BYTES_MIN } from '../broker/protocol/frame-splitter.ts'

export interface LoadSpec {
  port: number
  topic: string
  partitions: number
  connections: number
  recordBytes: number
  recordsPerBatch: number
  inFlightMax: number
  warmupMs: number
  measureMs: number
}

/** Posted to the parent: the window opens and closes, then the figures. */
export type LoadMessage =
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'result', result: LoadResult }

export interface LoadResult {
  windowMs: number
  requests: number
  records: number
  payloadBytes: number
  batchBytes: number
  batchBytesEach: number
  errors: Record<string, number>
  latencyMsP50: number
  latencyMsP99: number
  /** CPU time of this worker thread during the window. */
  cpuUserUs: number
  cpuSystemUs: number
}

const PRODUCE_VERSION = 7
const LATENCY_SAMPLES_MAX = 1_000_000
const RESPONSE_FRAME_BYTES_MAX = 1024 * 1024

type Phase = 'warmup' | 'measure' | 'drain'

interface Totals {
  requests: number
  records: number
  payloadBytes: number
  batchBytes: number
  /** Bytes of one batch as stored in the log (the frame minus its headers). */
  batchBytesEach: number
  errors: Map<string, number>
  latenciesMs: Float64Array
  latencyCount: number
}

class ProducerConnection {
  readonly #socket: Socket
  readonly #frames: Buffer[]
  readonly #spec: LoadSpec
  readonly #totals: Totals
  readonly #splitter = new FrameSplitter({ frameBytesMax: RESPONSE_FRAME_BYTES_MAX, frameBytesMin: RESPONSE_FRAME_BYTES_MIN, limitName: 'the response frame limit' })
  readonly #collectBody = (body: Buffer): void => { this.#bodies.push(body) }
  readonly #bodies: Buffer[] = []
  // In-flight requests in send order: frame index and send time.
  readonly #sentFrame: number[] = []
  readonly #sentAtMs: number[] = []
  #next: number
  phase: Phase = 'warmup'
  drained: () => void = () => {}

  constructor (socket: Socket, frames: Buffer[], spec: LoadSpec, totals: Totals, firstPartition: number) {
    this.#socket = socket
    this.#frames = frames
    this.#spec = spec
    this.#totals = totals
    this.#next = firstPartition % frames.length
    socket.setNoDelay(true)
    socket.on('data', chunk => this.#onData(chunk))
    socket.on('error', err => { throw new Error(`producer connection failed: ${err.message}`) })
  }

  get inFlight (): number {
    return this.#sentFrame.length
  }

  fill (): void {
    while (this.phase !== 'drain' && this.#sentFrame.length < this.#spec.inFlightMax) {
      const index = this.#next
      this.#next = (index + 1) % this.#frames.length
      this.#sentFrame.push(index)
      this.#sentAtMs.push(performance.now())
      this.#socket.write(this.#frames[index]!)
    }
  }

  #onData (chunk: Buffer): void {
    this.#splitter.push(chunk, this.#collectBody)
    for (const body of this.#bodies) this.#onResponse(body)
    this.#bodies.length = 0
    if (this.phase === 'drain' && this.#sentFrame.length === 0) this.drained()
    else this.fill()
  }

  #onResponse (body: Buffer): void {
    const index = this.#sentFrame.shift()!
    const sentAtMs = this.#sentAtMs.shift()!
    const r = new Reader(body)
    const correlationId = readResponseHeader(r, Produce, PRODUCE_VERSION)
    if (correlationId !== index) throw new Error(`response ${correlationId} arrived where ${index} was expected`)
    const partition = Produce.decodeResponse(r, PRODUCE_VERSION).topics[0]!.partitions[0]!
    if (this.phase !== 'measure') return
    const t = this.#totals
    if (partition.errorCode !== 0) {
      const key = String(partition.errorCode)
      t.errors.set(key, (t.errors.get(key) ?? 0) + 1)
      return
    }
    t.requests++
    t.records += this.#spec.recordsPerBatch
    t.payloadBytes += this.#spec.recordsPerBatch * this.#spec.recordBytes
    t.batchBytes += t.batchBytesEach
    if (t.latencyCount < LATENCY_SAMPLES_MAX) t.latenciesMs[t.latencyCount++] = performance.now() - sentAtMs
  }
}

/** One frame per partition: size prefix, header (correlation id = partition), one batch. */
function encodeFrames (spec: LoadSpec): { frames: Buffer[], batchBytes: number } {
  const value = Buffer.alloc(spec.recordBytes)
  for (let i = 0; i < value.length; i++) value[i] = 97 + (i % 26)
  const records = Array.from({ length: spec.recordsPerBatch }, () => ({ key: null, value }))
  const batch = encodeRecordBatch({ records })
  const frames = Array.from({ length: spec.partitions }, (_, partition) => {
    const w = new Writer()
    writeRequestHeader(w, Produce, PRODUCE_VERSION, partition, 'sluice-ingest')
    Produce.encodeRequest(w, PRODUCE_VERSION, {
      transactionalId: null, acks: 1, timeoutMs: 30_000,
      topics: [{ name: spec.topic, partitions: [{ partitionIndex: partition, records: batch }] }],
    })
    return Buffer.concat(w.finishFrame())
  })
  return { frames, batchBytes: batch.length }
}

function open (port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket))
    socket.once('error', reject)
  })
}

function quantile (sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function run (spec: LoadSpec): Promise<LoadResult> {
  const { frames, batchBytes } = encodeFrames(spec)
  const totals: Totals = { requests: 0, records: 0, payloadBytes: 0, batchBytes: 0, batchBytesEach: batchBytes, errors: new Map(), latenciesMs: new Float64Array(LATENCY_SAMPLES_MAX), latencyCount: 0 }
  const sockets = await Promise.all(Array.from({ length: spec.connections }, () => open(spec.port)))
  // Each connection starts at a different partition so that together they cover them all.
  const producers = sockets.map((s, i) => new ProducerConnection(s, frames, spec, totals, Math.floor(i * spec.partitions / spec.connections)))
  const setPhase = (phase: Phase): void => { for (const p of producers) p.phase = phase }
  for (const p of producers) p.fill()

  await new Promise(resolve => setTimeout(resolve, spec.warmupMs))
  setPhase('measure')
  parentPort!.postMessage({ type: 'window-start' } satisfies LoadMessage)
  const cpuStart = process.threadCpuUsage()
  const startMs = performance.now()
  await new Promise(resolve => setTimeout(resolve, spec.measureMs))
  setPhase('drain')
  const windowMs = performance.now() - startMs
  const cpu = process.threadCpuUsage(cpuStart)
  parentPort!.postMessage({ type: 'window-end' } satisfies LoadMessage)

  await Promise.all(producers.map(p => new Promise<void>(resolve => {
    if (p.inFlight === 0) resolve()
    else p.drained = resolve
  })))
  for (const s of sockets) s.destroy()
  const latencies = totals.latenciesMs.subarray(0, totals.latencyCount).sort()
  return {
    windowMs,
    requests: totals.requests,
    records: totals.records,
    payloadBytes: totals.payloadBytes,
    batchBytes: totals.batchBytes,
    batchBytesEach: batchBytes,
    errors: Object.fromEntries(totals.errors),
    latencyMsP50: quantile(latencies, 0.5),
    latencyMsP99: quantile(latencies, 0.99),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
  }
}

if (parentPort !== null && workerData !== undefined) {
  const result = await run(workerData as LoadSpec)
  parentPort.postMessage({ type: 'result', result } satisfies LoadMessage)
}
