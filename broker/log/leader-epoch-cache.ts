// The leader-epoch cache of one partition log and its `leader-epoch-checkpoint` file
// (KIP-101/279): epoch -> first offset written in that epoch, ascending in both columns.
// Replication uses it to answer OffsetForLeaderEpoch / Fetch diverging_epoch and to decide
// where a follower truncates.
//
// File format (Kafka's, text):
//   0            version
//   2            number of entries
//   3 0          epoch startOffset
//   5 1200
//
// The partition log keeps it: an append whose leaderEpoch is newer than the latest entry adds
// one; truncation drops entries at or above the new end; a log start move drops entries wholly
// below it and lifts the first one to the new start. Writes are atomic (storage.writeFileAtomic)
// one at a time. A missing or malformed file reads as empty; the partition log then rebuilds
// the entries from the batches recovery scans (from the recovery point's index entry on, so
// with a known recovery point the epochs of older batches stay unknown, as in Kafka).

import type { Storage } from './storage.ts'

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint'
const VERSION = 0
/** Read whole at open; a partition with more leader changes than this is not plausible. */
const FILE_BYTES_MAX = 16 * 1024 * 1024

export interface EpochEntry {
  epoch: number
  startOffset: number
}

export interface EpochEndOffset {
  epoch: number
  /** Start of the next higher epoch, or the log end offset for the latest epoch. */
  endOffset: number
}

export function encodeLeaderEpochCheckpoint (entries: readonly EpochEntry[]): Buffer {
  let text = `${VERSION}\n${entries.length}\n`
  for (const { epoch, startOffset } of entries) text += `${epoch} ${startOffset}\n`
  return Buffer.from(text, 'utf8')
}

/** Parses the file; throws a RangeError naming the bad line of a malformed one. */
export function parseLeaderEpochCheckpoint (text: string): EpochEntry[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines[0]?.trim() !== String(VERSION)) throw new RangeError(`unsupported leader-epoch-checkpoint version ${JSON.stringify(lines[0])}`)
  const count = Number(lines[1])
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`bad leader-epoch-checkpoint entry count ${JSON.stringify(lines[1])}`)
  if (lines.length !== count + 2) throw new RangeError(`leader-epoch-checkpoint declares ${count} entries but has ${lines.length - 2}`)
  const entries: EpochEntry[] = []
  for (let i = 2; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/)
    const epoch = Number(fields[0])
    const startOffset = Number(fields[1])
    const last = entries.at(-1)
    const valid = fields.length === 2 && Number.isSafeInteger(epoch) && epoch >= 0 && Number.isSafeInteger(startOffset) && startOffset >= 0 &&
      (last === undefined || (epoch > last.epoch && startOffset >= last.startOffset))
    if (!valid) throw new RangeError(`bad leader-epoch-checkpoint line ${i + 1}: ${JSON.stringify(lines[i])}`)
    entries.push({ epoch, startOffset })
  }
  return entries
}

export class LeaderEpochCache {
  readonly file: string
  /** Why the file on disk was ignored, or null. */
  readonly loadError: string | null
  readonly #storage: Storage
  #entries: EpochEntry[]
  #dirty = false
  #writing: Promise<void> | null = null

  private constructor (storage: Storage, file: string, entries: EpochEntry[], loadError: string | null) {
    this.#storage = storage
    this.file = file
    this.#entries = entries
    this.loadError = loadError
  }

  /** Reads `<dir>/leader-epoch-checkpoint`; missing or malformed reads as empty. */
  static async load (storage: Storage, dir: string): Promise<LeaderEpochCache> {
    const file = `${dir}/${LEADER_EPOCH_CHECKPOINT_FILE}`
    const data = await storage.readFile(file, FILE_BYTES_MAX)
    if (data === null) return new LeaderEpochCache(storage, file, [], null)
    try {
      return new LeaderEpochCache(storage, file, parseLeaderEpochCheckpoint(data.toString('utf8')), null)
    } catch (error) {
      return new LeaderEpochCache(storage, file, [], (error as Error).message)
    }
  }

  get dirty (): boolean { return this.#dirty }
  entries (): EpochEntry[] { return this.#entries.map(entry => ({ ...entry })) }
  latestEpoch (): number { return this.#entries.at(-1)?.epoch ?? -1 }

  /**
   * Records that `epoch` starts at `startOffset` if it is newer than the latest entry (as
   * Kafka's assign: an older or equal epoch is ignored once the entries that start at or
   * past `startOffset` are gone, see below; epochs < 0 mean "no epoch").
   */
  assign (epoch: number, startOffset: number): void {
    if (epoch < 0) return
    // Entries of other epochs that start at or past this one hold no batch below it: an
    // epoch a leader recorded when elected (assignEpochStart) and never wrote in, or entries
    // whose batches were truncated away without us hearing of it. They give way, so both
    // columns keep increasing and the batches appended here are described by their own
    // epoch (Kafka's maybeTruncateNonMonotonicEntries).
    const before = this.#entries.length
    while (this.#entries.length > 0 && this.#entries.at(-1)!.startOffset >= startOffset && this.#entries.at(-1)!.epoch !== epoch) this.#entries.pop()
    if (this.#entries.length !== before) this.#dirty = true
    const last = this.#entries.at(-1)
    if (last !== undefined && epoch <= last.epoch) return
    this.#entries.push({ epoch, startOffset })
    this.#dirty = true
  }

  /** Drops every entry whose start offset is at or above `endOffset` (log truncation). */
  truncateFromEnd (endOffset: number): void {
    const before = this.#entries.length
    while (this.#entries.length > 0 && this.#entries.at(-1)!.startOffset >= endOffset) this.#entries.pop()
    if (this.#entries.length !== before) this.#dirty = true
  }

  /**
   * After recovery scanned the log: the cache may be ahead of the recovered log (a cut tail)
   * or behind it (batches written but not acknowledged before a crash). Cuts it to the log
   * end, then adds the epoch of every scanned batch below it.
   */
  rebuildFromScan (logEndOffset: number, scanned: ReadonlyArray<{ baseOffset: number, epoch: number }>): void {
    this.truncateFromEnd(logEndOffset)
    for (const { baseOffset, epoch } of scanned) if (baseOffset < logEndOffset) this.assign(epoch, baseOffset)
  }

  /** The log now starts at `startOffset`: entries wholly below go, the one spanning it starts there. */
  truncateFromStart (startOffset: number): void {
    let firstKept = 0
    while (firstKept + 1 < this.#entries.length && this.#entries[firstKept + 1]!.startOffset <= startOffset) firstKept++
    const kept = this.#entries.slice(firstKept)
    const first = kept[0]
    if (first !== undefined && first.startOffset < startOffset) kept[0] = { epoch: first.epoch, startOffset }
    if (firstKept > 0 || first !== kept[0]) this.#dirty = true
    this.#entries = kept
  }

  /** Forgets everything (the log was replaced). */
  clear (): void {
    if (this.#entries.length > 0) this.#dirty = true
    this.#entries = []
  }

  /**
   * Kafka's endOffsetForEpoch (LeaderEpochFileCache.endOffsetFor), case by case:
   *   the latest epoch             -> (epoch, logEndOffset)
   *   between held epochs          -> (largest held epoch <= it, start of the next higher one)
   *   older than every held epoch  -> (the requested epoch, start of the first held one): that
   *                                   history is gone with the log prefix, so the follower
   *                                   replicates from there
   *   newer than every held epoch, an empty cache or epoch < 0 -> null (Kafka's
   *                                   UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET, -1 on the wire)
   */
  endOffsetForEpoch (epoch: number, logEndOffset: number): EpochEndOffset | null {
    const entries = this.#entries
    if (epoch < 0 || entries.length === 0) return null
    if (epoch === entries.at(-1)!.epoch) return { epoch, endOffset: logEndOffset }
    const higher = entries.findIndex(entry => entry.epoch > epoch)
    if (higher < 0) return null
    if (higher === 0) return { epoch, endOffset: entries[0]!.startOffset }
    return { epoch: entries[higher - 1]!.epoch, endOffset: entries[higher]!.startOffset }
  }

  /** Writes the file if it changed; one write at a time, later changes go in the next one. */
  async flush (): Promise<void> {
    while (this.#writing !== null) await this.#writing.catch(() => {})
    if (!this.#dirty) return
    this.#dirty = false
    const write = this.#storage.writeFileAtomic(this.file, encodeLeaderEpochCheckpoint(this.#entries))
    this.#writing = write
    try {
      await write
    } catch (error) {
      this.#dirty = true
      throw error
    } finally {
      this.#writing = null
    }
  }
}
