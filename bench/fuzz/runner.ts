// Drives a fuzz campaign against a running broker: many short-lived connections, each
// sending a pipelined run of frames (half hostile-but-valid requests for a random API and
// version, half mutations of recorded client traffic), waiting briefly for answers, then
// closing. A bystander connection checks every so often that the broker still answers
// ApiVersions and Metadata (a hang is a failed health check), and the broker's RSS and
// open file descriptors are sampled from /proc. Everything is drawn from one seed.

import { connect, type Socket } from 'node:net'
import { readdir, readFile } from 'node:fs/promises'
import { ApiVersions } from '../../broker/protocol/18-api-versions.ts'
import { Metadata } from '../../broker/protocol/03-metadata.ts'
import { writeRequestHeader } from '../../broker/protocol/headers.ts'
import { Writer } from '../../broker/protocol/writer.ts'
import type { ApiCodec } from '../../broker/protocol/api.ts'
import type { HandlerRegistry } from '../../broker/server/handler.ts'
import { Prng } from '../../chaos/run/prng.ts'
import { FUZZ_TOPIC, hostileFrame } from './hostile-requests.ts'
import { mutateFrame } from './mutate.ts'

export interface FuzzOptions {
  port: number
  pid: number
  registry: HandlerRegistry
  frames: number
  seed: number
  /** Recorded client frames to mutate; with none, every frame is a hostile request. */
  corpus: readonly Buffer[]
  /** Largest frame to generate; keep it under the broker's socket.request.max.bytes. */
  frameBytesMax: number
  /** Include record batches with valid CRCs and lying headers (default true). */
  lyingBatches?: boolean
  workers?: number
  framesPerConnection?: number
  answerWaitMs?: number
  healthEveryMs?: number
  onProgress?: (stats: FuzzStats) => void
}

export interface FuzzStats {
  frames: number
  hostileFrames: number
  mutatedFrames: number
  answers: number
  connections: number
  closedByBroker: number
  /** Connections carrying only valid (hostile) requests that the broker closed anyway: each is worth a look. */
  hostileRunsClosed: number
  healthChecks: number
  healthFailures: string[]
  rssStartBytes: number
  rssMaxBytes: number
  rssEndBytes: number
  fdsStart: number
  fdsMax: number
  fdsEnd: number
  brokerAlive: boolean
  elapsedMs: number
}

export async function rssBytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

export async function openFds (pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length
}

function processAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** One connection's run: write every frame, count answers until all came, the broker closed, or the wait ran out. */
function sendRun (port: number, frames: readonly Buffer[], answerWaitMs: number): Promise<{ answers: number, closedByBroker: boolean }> {
  return new Promise(resolve => {
    const socket: Socket = connect({ host: '127.0.0.1', port })
    let answers = 0
    let pending = Buffer.alloc(0)
    let closedByBroker = false
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ answers, closedByBroker })
    }
    const timer = setTimeout(finish, answerWaitMs)
    socket.on('connect', () => { for (const f of frames) socket.write(f) })
    socket.on('data', chunk => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        pending = pending.subarray(4 + pending.readInt32BE(0))
        answers++
      }
      if (answers >= frames.length) finish()
    })
    socket.on('close', () => { closedByBroker = !done; finish() })
    socket.on('error', () => { /* seen as close */ })
  })
}

function encodeRequest<Req> (codec: ApiCodec<Req, unknown>, version: number, request: Req, correlationId: number): Buffer {
  const w = new Writer()
  writeRequestHeader(w, codec, version, correlationId, 'fuzz-health')
  codec.encodeRequest(w, version, request)
  return Buffer.concat(w.finishFrame())
}

/** ApiVersions and Metadata on a fresh connection, each answered within `timeoutMs`: null if healthy, else why not. */
export async function healthCheck (port: number, timeoutMs = 5000): Promise<string | null> {
  const frames = [
    encodeRequest(ApiVersions, 3, { clientSoftwareName: 'fuzz-health', clientSoftwareVersion: '1' }, 1),
    encodeRequest(Metadata, 8, { topics: [FUZZ_TOPIC], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 2),
  ]
  const { answers, closedByBroker } = await sendRun(port, frames, timeoutMs)
  if (answers === frames.length) return null
  return closedByBroker ? `health check connection closed after ${answers} of 2 answers` : `health check: ${answers} of 2 answers within ${timeoutMs} ms (hang?)`
}

class FrameSource {
  readonly #random: Prng
  readonly #apis: Array<{ codec: ApiCodec<unknown, unknown>, minVersion: number, maxVersion: number }>
  readonly #corpus: readonly Buffer[]
  readonly #frameBytesMax: number
  readonly #lyingBatches: boolean
  #correlationId = 0

  constructor (random: Prng, registry: HandlerRegistry, corpus: readonly Buffer[], frameBytesMax: number, lyingBatches: boolean) {
    this.#lyingBatches = lyingBatches
    this.#random = random
    this.#apis = registry.advertised().map(a => ({ codec: registry.get(a.apiKey)!.codec, minVersion: a.minVersion, maxVersion: a.maxVersion }))
    this.#corpus = corpus.filter(f => f.length <= frameBytesMax)
    this.#frameBytesMax = frameBytesMax
  }

  /**
   * The frames for one connection: either hostile requests only (valid, so each should be
   * answered and none should close the connection) or a few mutated recordings (the first
   * malformed one closes the connection, so a long run of them would mostly go unread).
   */
  nextRun (stats: FuzzStats, hostileCount: number, framesLeft: number): { hostile: boolean, frames: Buffer[] } {
    const hostile = this.#corpus.length === 0 || this.#random.chance(0.5)
    const count = Math.min(framesLeft, hostile ? hostileCount : 1 + this.#random.int(4))
    const frames: Buffer[] = []
    for (let i = 0; i < count; i++) frames.push(hostile ? this.#hostile(stats) : this.#mutated(stats))
    return { hostile, frames }
  }

  #mutated (stats: FuzzStats): Buffer {
    stats.mutatedFrames++
    return mutateFrame(this.#random.pick(this.#corpus), this.#random)
  }

  #hostile (stats: FuzzStats): Buffer {
    const random = this.#random
    for (;;) {
      const api = random.pick(this.#apis)
      const version = api.minVersion + random.int(api.maxVersion - api.minVersion + 1)
      // Mostly small frames, some large ones: the long run stays fast and still sends maximal arrays.
      const roll = random.float()
      const budgetBytes = Math.min(this.#frameBytesMax - 65_536, roll < 0.9 ? 4096 : roll < 0.99 ? 65_536 : 900_000)
      const frame = hostileFrame(api.codec, version, random, { hostility: random.float(), budgetBytes, lyingBatches: this.#lyingBatches }, this.#correlationId++)
      if (frame !== null && frame.length <= this.#frameBytesMax) {
        stats.hostileFrames++
        return frame
      }
    }
  }
}

export async function runFuzz (opts: FuzzOptions): Promise<FuzzStats> {
  const started = Date.now()
  const workers = opts.workers ?? 8
  const perConnection = opts.framesPerConnection ?? 40
  const answerWaitMs = opts.answerWaitMs ?? 300
  const healthEveryMs = opts.healthEveryMs ?? 2000
  const rss = await rssBytes(opts.pid)
  const fds = await openFds(opts.pid)
  const stats: FuzzStats = {
    frames: 0, hostileFrames: 0, mutatedFrames: 0, answers: 0, connections: 0, closedByBroker: 0, hostileRunsClosed: 0, healthChecks: 0, healthFailures: [],
    rssStartBytes: rss, rssMaxBytes: rss, rssEndBytes: rss, fdsStart: fds, fdsMax: fds, fdsEnd: fds, brokerAlive: true, elapsedMs: 0,
  }
  const source = new FrameSource(new Prng(opts.seed), opts.registry, opts.corpus, opts.frameBytesMax, opts.lyingBatches ?? true)
  const stop = (): boolean => stats.frames >= opts.frames || !stats.brokerAlive || stats.healthFailures.length > 0
  const sample = async (): Promise<void> => {
    stats.brokerAlive = processAlive(opts.pid)
    if (!stats.brokerAlive) return
    stats.rssEndBytes = await rssBytes(opts.pid).catch(() => 0)
    stats.fdsEnd = await openFds(opts.pid).catch(() => 0)
    stats.rssMaxBytes = Math.max(stats.rssMaxBytes, stats.rssEndBytes)
    stats.fdsMax = Math.max(stats.fdsMax, stats.fdsEnd)
  }
  const monitor = (async () => {
    while (!stop()) {
      await new Promise(resolve => setTimeout(resolve, healthEveryMs))
      await sample()
      if (!stats.brokerAlive) break
      stats.healthChecks++
      const problem = await healthCheck(opts.port)
      if (problem !== null) stats.healthFailures.push(`after ${stats.frames} frames: ${problem}`)
      opts.onProgress?.(stats)
    }
  })()
  await Promise.all(Array.from({ length: workers }, async () => {
    while (!stop()) {
      const run = source.nextRun(stats, perConnection, opts.frames - stats.frames)
      if (run.frames.length === 0) break
      stats.frames += run.frames.length
      const result = await sendRun(opts.port, run.frames, answerWaitMs)
      stats.connections++
      stats.answers += result.answers
      if (result.closedByBroker) stats.closedByBroker++
      if (result.closedByBroker && run.hostile) stats.hostileRunsClosed++
    }
  }))
  await monitor
  await sample()
  if (stats.brokerAlive) {
    stats.healthChecks++
    const problem = await healthCheck(opts.port)
    if (problem !== null) stats.healthFailures.push(`at the end: ${problem}`)
  }
  stats.elapsedMs = Date.now() - started
  return stats
}
