/**
 * Pass 1 of the bounded check (bounded-check.ts): streams a history once, keeps only small
 * global facts (the stats, each process's op in flight, the transform topology, the last
 * committed offset per group and partition) and spills every key's sends and reads into one
 * of K bucket files, chosen by a hash of the key. Pass 2 then checks one bucket at a time, so
 * memory follows the largest bucket, not the history.
 *
 * A bucket file holds one JSON array per line, in history order:
 *   [index, process, type, f, final, invokeNs, timeNs, micros]   a completed send/poll/txn op,
 *       with only the bucket's micro-ops: [key, value, offset] a send, [key, [o, v, o, v, ...]]
 *       the reads of one key;
 *   [index, process]   something that restarts the process's poll order (assign, subscribe,
 *       crash, rebalance, or a poll or txn that did not end ok): copied to every bucket.
 * An output key of a consume-transform-produce run goes to its input key's bucket, so the
 * exactly-once check sees both.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { addTransform, emptyStats, resetsPollOrder, tallyMicroOps } from './digest.ts'
import type { CommitEvent, DigestStats, OpHead } from './digest.ts'
import { CommitOrder } from './exactly-once.ts'
import type { Findings } from './anomaly.ts'
import type { Op, Process } from './history.ts'
import { decodeCommit, decodeMicroOps, decodeRebalanceProcess, validateOpValue } from './op-values.ts'
import type { MicroOp } from './op-values.ts'

/** Characters all buckets together buffer before writing (split evenly; at least 4 KiB each). */
const BUFFER_CHARS_TOTAL = 4 * 1024 * 1024
const BUFFER_CHARS_MIN = 4 * 1024

/** Thrown when a history cannot be split by key (the caller then checks it in memory). */
export class NotBucketable extends Error {}

/** FNV-1a over the key's UTF-16 code units: any stable spread will do. */
export function bucketOfKey (key: string, buckets: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % buckets
}

/** K append-only files with a bounded buffer each, written synchronously as pass 1 streams. */
export class BucketFiles {
  readonly paths: string[]
  readonly #fds: number[]
  readonly #pending: string[]
  readonly #bufferChars: number

  constructor (dir: string, buckets: number) {
    this.#bufferChars = Math.max(BUFFER_CHARS_MIN, Math.floor(BUFFER_CHARS_TOTAL / buckets))
    this.paths = Array.from({ length: buckets }, (_, b) => join(dir, `bucket-${b}.jsonl`))
    this.#fds = this.paths.map((path) => openSync(path, 'w'))
    this.#pending = this.paths.map(() => '')
  }

  write (bucket: number, line: string): void {
    const pending = this.#pending[bucket]! + line + '\n'
    if (pending.length < this.#bufferChars) {
      this.#pending[bucket] = pending
      return
    }
    writeSync(this.#fds[bucket]!, pending)
    this.#pending[bucket] = ''
  }

  broadcast (line: string): void {
    for (let b = 0; b < this.paths.length; b++) this.write(b, line)
  }

  close (): void {
    for (let b = 0; b < this.paths.length; b++) {
      if (this.#pending[b]!.length > 0) writeSync(this.#fds[b]!, this.#pending[b]!)
      this.#pending[b] = ''
      closeSync(this.#fds[b]!)
    }
  }
}

/** History lines of ops whose line is not `index + 1`, as runs of one shift each. */
export class LineShifts {
  readonly #firstOps: number[] = []
  readonly #shifts: number[] = []

  note (op: number, line: number): void {
    const shift = line - (op + 1)
    if (shift === (this.#shifts.at(-1) ?? 0)) return
    this.#firstOps.push(op)
    this.#shifts.push(shift)
  }

  get size (): number { return this.#firstOps.length }

  get (op: number): number | undefined {
    let low = 0
    let high = this.#firstOps.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.#firstOps[mid]! <= op) low = mid + 1
      else high = mid
    }
    const shift = low === 0 ? 0 : this.#shifts[low - 1]!
    return shift === 0 ? undefined : op + 1 + shift
  }
}

/** What pass 1 learns about the whole history. */
export interface SpillSummary {
  stats: DigestStats
  transform: Map<string, string>
  /** Commit-backwards cases, judged as the commits streamed by. */
  commitFindings: Findings
  txnOps: number
  /** Indeterminate transactions that wrote to more than one bucket. */
  spanningInfoTxns: number
  lastNs: number
  lines: LineShifts
  /** key -> its bucket. */
  keyBuckets: Map<string, number>
}

export class Spiller {
  readonly summary: SpillSummary = {
    stats: emptyStats(0), transform: new Map(), commitFindings: {}, txnOps: 0, spanningInfoTxns: 0, lastNs: 0, lines: new LineShifts(), keyBuckets: new Map(),
  }

  readonly #files: BucketFiles
  readonly #invokedNs = new Map<Process, number>()
  readonly #outputToInput = new Map<string, string>()
  readonly #commits = new CommitOrder()

  constructor (files: BucketFiles) { this.#files = files }

  /** Adds the next op of the file (already envelope-checked, indexes increasing). */
  add (op: Op, line: number): void {
    const summary = this.summary
    summary.stats.ops++
    summary.lines.note(op.index, line)
    if (op.type === 'invoke') {
      validateOpValue(op)
      this.#invokedNs.set(op.process, op.timeNs)
      return
    }
    summary.lastNs = Math.max(summary.lastNs, op.timeNs)
    const invokeNs = this.#invokedNs.get(op.process) ?? -1
    this.#invokedNs.delete(op.process)
    this.#addCompletion(op, invokeNs)
  }

  #addCompletion (op: Op, invokeNs: number): void {
    const stats = this.summary.stats
    switch (op.f) {
      case 'send':
      case 'poll':
      case 'txn':
        this.#route(op as OpHead, decodeMicroOps(op), invokeNs)
        break
      case 'assign':
      case 'subscribe':
        this.#files.broadcast(JSON.stringify([op.index, op.process]))
        break
      case 'crash':
        stats.crashes++
        this.#files.broadcast(JSON.stringify([op.index, op.process]))
        break
      case 'rebalance':
        stats.rebalances++
        this.#files.broadcast(JSON.stringify([op.index, decodeRebalanceProcess(op)]))
        break
      case 'commit': {
        if (op.type !== 'ok') break
        stats.commits++
        const commit: CommitEvent = { ...decodeCommit(op), op: op.index, process: op.process }
        this.#commits.add(commit, this.summary.commitFindings)
        break
      }
      case 'transform':
        this.#addTransform(op)
        break
      case 'nemesis':
        stats.nemesisOps++
        break
    }
  }

  #bucketOf (key: string): number {
    let bucket = this.summary.keyBuckets.get(key)
    if (bucket === undefined) {
      bucket = bucketOfKey(this.#outputToInput.get(key) ?? key, this.#files.paths.length)
      this.summary.keyBuckets.set(key, bucket)
    }
    return bucket
  }

  #route (op: OpHead, micros: readonly MicroOp[], invokeNs: number): void {
    tallyMicroOps(this.summary.stats, op, micros)
    if (op.f === 'txn') this.summary.txnOps++
    const byBucket = new Map<number, unknown[]>()
    const put = (key: string, micro: unknown): void => {
      const bucket = this.#bucketOf(key)
      const list = byBucket.get(bucket)
      if (list === undefined) byBucket.set(bucket, [micro])
      else list.push(micro)
    }
    for (const micro of micros) {
      if (micro.f === 'send') {
        put(micro.key, [micro.key, micro.value, micro.offset])
        continue
      }
      for (const [key, records] of micro.reads) if (records.length > 0) put(key, [key, records.flat()])
    }
    if (op.f === 'txn' && op.type === 'info' && byBucket.size > 1) this.summary.spanningInfoTxns++
    const head = [op.index, op.process, op.type, op.f, op.final === true ? 1 : 0, invokeNs, op.timeNs]
    const everywhere = resetsPollOrder(op)
    for (let b = 0; b < this.#files.paths.length; b++) {
      const mine = byBucket.get(b)
      if (mine !== undefined || everywhere) this.#files.write(b, JSON.stringify([...head, mine ?? []]))
    }
    this.summary.stats.keys = this.summary.keyBuckets.size
  }

  #addTransform (op: Op): void {
    const transform = this.summary.transform
    addTransform(transform, op)
    for (const [input, output] of transform) {
      if (this.#outputToInput.get(output) === input) continue
      this.#outputToInput.set(output, input)
      const routed = this.summary.keyBuckets.get(output)
      if (routed !== undefined && routed !== this.#bucketOf(input)) {
        throw new NotBucketable(`op ${op.index}: the transform to "${output}" is declared after that key's first records`)
      }
    }
  }
}
