// A partition's leader-epoch cache (Kafka's LeaderEpochFileCache): the first offset written
// in each leader epoch, ascending, kept in `<partition dir>/leader-epoch-checkpoint` in
// Kafka's text format (version 0, a count, then "epoch startOffset" lines), written
// atomically through the storage layer whenever it changes. Followers use it to find where
// their log diverges from a new leader's (KIP-101, KIP-279); leaders answer
// OffsetForLeaderEpoch from it. It is truncated with the log, from either end.

import type { Storage } from './storage.ts'

export interface EpochEntry { readonly epoch: number, readonly startOffset: number }

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint'
const CHECKPOINT_BYTES_MAX = 1024 * 1024

export class LeaderEpochCache {
  readonly #storage: Storage
  readonly #file: string
  #entries: EpochEntry[]
  #writing: Promise<void> = Promise.resolve()

  private constructor (storage: Storage, file: string, entries: EpochEntry[]) {
    this.#storage = storage
    this.#file = file
    this.#entries = entries
  }

  /** Reads the checkpoint of `dir`; a missing or unreadable one is an empty cache (logged by the caller). */
  static async open (storage: Storage, dir: string): Promise<{ cache: LeaderEpochCache, problem: string | null }> {
    const file = `${dir}/${LEADER_EPOCH_CHECKPOINT}`
    const data = await storage.readFile(file, CHECKPOINT_BYTES_MAX).catch(() => null)
    if (data === null) return { cache: new LeaderEpochCache(storage, file, []), problem: null }
    const parsed = parseCheckpoint(data.toString('utf8'))
    if (typeof parsed === 'string') return { cache: new LeaderEpochCache(storage, file, []), problem: `${file}: ${parsed}; starting with no epochs` }
    return { cache: new LeaderEpochCache(storage, file, parsed), problem: null }
  }

  get entries (): readonly EpochEntry[] { return this.#entries }

  latestEpoch (): number {
    return this.#entries.at(-1)?.epoch ?? -1
  }

  /** An append in `epoch` starting at `startOffset`: a new epoch gets an entry; an older one is ignored. */
  assign (epoch: number, startOffset: number): void {
    if (epoch < 0) return
    const last = this.#entries.at(-1)
    if (last !== undefined && epoch <= last.epoch) return
    this.#entries = [...this.#entries, { epoch, startOffset }]
    this.#persist()
  }

  /** The log was cut back to `endOffset`: epochs starting at or after it go. */
  truncateFromEnd (endOffset: number): void {
    const kept = this.#entries.filter(e => e.startOffset < endOffset)
    if (kept.length === this.#entries.length) return
    this.#entries = kept
    this.#persist()
  }

  /** The log now starts at `startOffset`: earlier epochs go, the one spanning it starts there. */
  truncateFromStart (startOffset: number): void {
    const below = this.#entries.filter(e => e.startOffset <= startOffset)
    const spanning = below.at(-1)
    if (spanning === undefined || (below.length === 1 && spanning.startOffset === startOffset)) return
    this.#entries = [{ epoch: spanning.epoch, startOffset }, ...this.#entries.filter(e => e.startOffset > startOffset)]
    this.#persist()
  }

  clear (): void {
    if (this.#entries.length === 0) return
    this.#entries = []
    this.#persist()
  }

  /** Resolves when every change so far is on disk. */
  flushed (): Promise<void> {
    return this.#writing
  }

  #persist (): void {
    const text = ['0', String(this.#entries.length), ...this.#entries.map(e => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n'
    this.#writing = this.#writing.then(() => this.#storage.writeFileAtomic(this.#file, Buffer.from(text))).catch(() => {})
  }
}

function parseCheckpoint (text: string): EpochEntry[] | string {
  const lines = text.split('\n').filter(l => l.trim() !== '')
  if (lines[0] !== '0') return `version ${JSON.stringify(lines[0] ?? '')} is not 0`
  const count = Number(lines[1])
  if (!Number.isSafeInteger(count) || count !== lines.length - 2) return `count ${JSON.stringify(lines[1] ?? '')} does not match ${lines.length - 2} entries`
  const entries: EpochEntry[] = []
  for (const line of lines.slice(2)) {
    const [epoch, startOffset] = line.trim().split(/\s+/).map(Number)
    if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(startOffset) || epoch! < 0 || startOffset! < 0) return `bad entry ${JSON.stringify(line)}`
    const last = entries.at(-1)
    if (last !== undefined && (epoch! <= last.epoch || startOffset! < last.startOffset)) return `entries out of order at ${JSON.stringify(line)}`
    entries.push({ epoch: epoch!, startOffset: startOffset! })
  }
  return entries
}

/** The epochs of a log read from its batch headers (partitionLeaderEpoch), for a log without a checkpoint. */
export async function scanEpochs (segments: ReadonlyArray<{ log: { read (target: Buffer, targetOffset: number, length: number, position: number): Promise<number> }, writtenBytes: number }>): Promise<EpochEntry[]> {
  const entries: EpochEntry[] = []
  const header = Buffer.alloc(HEADER_BYTES)
  for (const segment of segments) {
    let position = 0
    while (position + HEADER_BYTES <= segment.writtenBytes) {
      const read = await segment.log.read(header, 0, HEADER_BYTES, position)
      if (read < HEADER_BYTES) break
      const baseOffset = Number(header.readBigInt64BE(0))
      const epoch = header.readInt32BE(12)
      const last = entries.at(-1)
      if (epoch >= 0 && (last === undefined || epoch > last.epoch)) entries.push({ epoch, startOffset: baseOffset })
      position += header.readInt32BE(8) + 12
    }
  }
  return entries
}

/** Base offset (8), batch length (4), partition leader epoch (4). */
const HEADER_BYTES = 16
