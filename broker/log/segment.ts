// One segment of a partition log: `<20-digit baseOffset>.log` holds record batches exactly as
// received (baseOffset and partitionLeaderEpoch patched), with a sparse `.index` and a
// `.timeindex` beside it (see segment-index.ts). The indexes live in memory for lookups;
// new entries are appended to their files at flushes, rolls and close, because the files are
// only a cache that recovery can rebuild from the log.
//
// A segment does no I/O scheduling of its own: the partition log decides when to write and
// fsync; recovery decides what is valid. This module keeps the per-segment bookkeeping.

import assert from 'node:assert/strict'
import { BATCH_HEADER_BYTES, BATCH_OFFSET_MAX_TIMESTAMP } from '../protocol/record-batch.ts'
import type { LogConfig } from './config.ts'
import { OffsetIndex, TimeIndex, OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_BYTES } from './segment-index.ts'
import type { Storage } from './storage.ts'
import type { StorageFile } from './storage-file.ts'

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'
const SEGMENT_NAME = /^(\d{20})\.(log|index|timeindex)$/
/** Relative offsets in the indexes are int32. */
const RELATIVE_OFFSET_MAX = 2 ** 31 - 1

export function segmentFileName (baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix
}

export function parseSegmentFileName (name: string): { baseOffset: number, suffix: string } | null {
  const match = SEGMENT_NAME.exec(name)
  if (match === null) return null
  const baseOffset = Number(match[1])
  if (!Number.isSafeInteger(baseOffset)) return null
  return { baseOffset, suffix: `.${match[2]}` }
}

export class Segment {
  readonly baseOffset: number
  readonly dir: string
  readonly log: StorageFile
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  readonly createdAtMs: number
  readonly #indexFile: StorageFile
  readonly #timeIndexFile: StorageFile
  readonly #indexIntervalBytes: number

  /** Bytes of whole batches written to the log file. */
  writtenBytes = 0
  /** Offset after the last written batch (baseOffset while empty). */
  nextOffset: number
  /** Bytes below the high watermark: all a read may serve from this segment. */
  readableBytes = 0
  /** Offset after the last batch known fsynced, as of the last completed fsync. */
  syncedNextOffset: number
  /** Largest batch maxTimestamp in the segment, and the base offset of the batch holding it. */
  maxTimestampMs = -1
  offsetOfMaxTimestamp = -1
  /** maxTimestamp of the first batch: what log.roll.ms is measured from, as in Kafka. */
  firstBatchTimestampMs = -1
  #bytesSinceIndexEntry = 0
  #indexEntriesOnDisk = 0
  #timeIndexEntriesOnDisk = 0
  #refs = 0
  #deleted = false
  #closed = false

  private constructor (dir: string, baseOffset: number, files: StorageFile[], config: Readonly<LogConfig>, nowMs: number) {
    this.dir = dir
    this.baseOffset = baseOffset
    this.log = files[0]!
    this.#indexFile = files[1]!
    this.#timeIndexFile = files[2]!
    this.#indexIntervalBytes = config.indexIntervalBytes
    this.offsetIndex = new OffsetIndex(Math.floor(config.indexSizeMaxBytes / OFFSET_INDEX_ENTRY_BYTES))
    this.timeIndex = new TimeIndex(Math.floor(config.indexSizeMaxBytes / TIME_INDEX_ENTRY_BYTES))
    this.createdAtMs = nowMs
    this.nextOffset = baseOffset
    this.syncedNextOffset = baseOffset
  }

  static filePath (dir: string, baseOffset: number, suffix: string): string {
    return `${dir}/${segmentFileName(baseOffset, suffix)}`
  }

  /** A new, empty segment (any stale files of the same name are emptied). */
  static async create (storage: Storage, dir: string, baseOffset: number, config: Readonly<LogConfig>, nowMs: number): Promise<Segment> {
    const files = await Promise.all([LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX].map(suffix =>
      storage.openFile(Segment.filePath(dir, baseOffset, suffix), { truncate: true })))
    return new Segment(dir, baseOffset, files, config, nowMs)
  }

  /**
   * An existing segment, with its index files loaded as far as they are valid. The caller
   * (recovery) then scans the log to set writtenBytes and nextOffset and fill in the rest.
   */
  static async open (storage: Storage, dir: string, baseOffset: number, config: Readonly<LogConfig>, nowMs: number): Promise<Segment> {
    const log = await storage.openFile(Segment.filePath(dir, baseOffset, LOG_SUFFIX))
    const indexes = await Promise.all([INDEX_SUFFIX, TIME_INDEX_SUFFIX].map(suffix =>
      storage.openFile(Segment.filePath(dir, baseOffset, suffix), { create: true })))
    const segment = new Segment(dir, baseOffset, [log, ...indexes], config, nowMs)
    await segment.#loadIndexes()
    return segment
  }

  async #loadIndexes (): Promise<void> {
    const bytesMax = this.offsetIndex.entriesMax * OFFSET_INDEX_ENTRY_BYTES
    const indexBytes = await readWhole(this.#indexFile, bytesMax)
    this.#indexEntriesOnDisk = this.offsetIndex.load(indexBytes, this.log.sizeBytes)
    const lastRelativeOffset = this.offsetIndex.count === 0 ? 0 : this.offsetIndex.relativeOffsetAt(this.offsetIndex.count - 1)
    const timeBytes = await readWhole(this.#timeIndexFile, this.timeIndex.entriesMax * TIME_INDEX_ENTRY_BYTES)
    // A time entry is added together with an offset entry, so none may point past the last one.
    this.#timeIndexEntriesOnDisk = this.timeIndex.load(timeBytes, lastRelativeOffset + 1)
    this.#restoreMaxTimestamp()
  }

  #restoreMaxTimestamp (): void {
    this.maxTimestampMs = this.timeIndex.lastTimestampMs
    this.offsetOfMaxTimestamp = this.timeIndex.count === 0 ? -1 : this.baseOffset + this.timeIndex.lastRelativeOffset
  }

  /**
   * Bookkeeping for a batch now in the file at `position`: index entries every
   * indexIntervalBytes (as Kafka: when more than that many bytes went in since the last
   * entry), timestamps, sizes. Batches must arrive in file order.
   */
  recordBatch (position: number, sizeBytes: number, baseOffset: number, lastOffset: number, maxTimestampMs: number): void {
    assert.ok(position === this.writtenBytes, `batch at ${position}, segment ends at ${this.writtenBytes}`)
    assert.ok(baseOffset >= this.nextOffset, `batch offset ${baseOffset} below segment next offset ${this.nextOffset}`)
    if (maxTimestampMs > this.maxTimestampMs) {
      this.maxTimestampMs = maxTimestampMs
      this.offsetOfMaxTimestamp = baseOffset
    }
    if (position === 0) this.firstBatchTimestampMs = maxTimestampMs
    if (this.#bytesSinceIndexEntry > this.#indexIntervalBytes && !this.offsetIndex.isFull) {
      this.offsetIndex.append(baseOffset - this.baseOffset, position)
      this.#maybeAppendTimeEntry()
      this.#bytesSinceIndexEntry = 0
    }
    this.#bytesSinceIndexEntry += sizeBytes
    this.writtenBytes = position + sizeBytes
    this.nextOffset = lastOffset + 1
  }

  #maybeAppendTimeEntry (): void {
    if (this.maxTimestampMs > this.timeIndex.lastTimestampMs && !this.timeIndex.isFull) {
      this.timeIndex.append(this.maxTimestampMs, this.offsetOfMaxTimestamp - this.baseOffset)
    }
  }

  /**
   * Forgets everything after `position` (where the batch with base offset `nextOffset`
   * starts, or the end): recovery rescans from here. Index entries at `position` are kept.
   */
  rewindTo (position: number, nextOffset: number): void {
    this.offsetIndex.truncateAfterPosition(position)
    this.timeIndex.truncateFromOffset(nextOffset - this.baseOffset)
    this.#indexEntriesOnDisk = Math.min(this.#indexEntriesOnDisk, this.offsetIndex.count)
    this.#timeIndexEntriesOnDisk = Math.min(this.#timeIndexEntriesOnDisk, this.timeIndex.count)
    this.#restoreMaxTimestamp()
    this.#bytesSinceIndexEntry = 0
    this.writtenBytes = position
    this.nextOffset = nextOffset
    if (position === 0) this.firstBatchTimestampMs = -1
  }

  /**
   * Reads the first batch's maxTimestamp when recovery did not scan from the start, so
   * log.roll.ms keeps counting from the data rather than from this process's start.
   */
  async loadFirstBatchTimestamp (): Promise<void> {
    if (this.firstBatchTimestampMs >= 0 || this.writtenBytes < BATCH_HEADER_BYTES) return
    const header = Buffer.allocUnsafe(BATCH_HEADER_BYTES)
    if (await this.log.read(header, 0, BATCH_HEADER_BYTES, 0) === BATCH_HEADER_BYTES) {
      this.firstBatchTimestampMs = Number(header.readBigInt64BE(BATCH_OFFSET_MAX_TIMESTAMP))
    }
  }

  /** Whether a batch of `batchBytes` ending at `lastOffset` should go to a new segment instead. */
  shouldRoll (placedBytes: number, batchBytes: number, lastOffset: number, nowMs: number, config: Readonly<LogConfig>): boolean {
    if (placedBytes === 0) return false
    const rollBaseMs = this.firstBatchTimestampMs >= 0 ? this.firstBatchTimestampMs : this.createdAtMs
    return placedBytes + batchBytes > config.segmentBytes ||
      this.offsetIndex.isFull || this.timeIndex.isFull ||
      lastOffset - this.baseOffset > RELATIVE_OFFSET_MAX ||
      nowMs - rollBaseMs > config.rollMs
  }

  /** File position to start scanning from for `offset`. */
  lookupPosition (offset: number): number {
    return this.offsetIndex.floorPosition(offset - this.baseOffset)
  }

  /** Appends the index entries not yet in the files (after cutting stale ones off the files). */
  async persistIndexes (): Promise<void> {
    if (this.#deleted) return
    const indexCount = this.offsetIndex.count
    const timeCount = this.timeIndex.count
    this.retain()
    try {
      await persistEntries(this.#indexFile, this.#indexEntriesOnDisk, OFFSET_INDEX_ENTRY_BYTES, indexCount,
        (from, to) => this.offsetIndex.encode(from, to))
      this.#indexEntriesOnDisk = indexCount
      await persistEntries(this.#timeIndexFile, this.#timeIndexEntriesOnDisk, TIME_INDEX_ENTRY_BYTES, timeCount,
        (from, to) => this.timeIndex.encode(from, to))
      this.#timeIndexEntriesOnDisk = timeCount
    } finally {
      this.release()
    }
  }

  /** fsyncs the log file; afterwards everything written before the call is durable. */
  async syncLog (): Promise<void> {
    if (this.#deleted) return
    const nextOffset = this.nextOffset
    this.retain()
    try {
      await this.log.sync()
    } finally {
      this.release()
    }
    if (nextOffset > this.syncedNextOffset) this.syncedNextOffset = nextOffset
  }

  /** Whether a flush would do anything: unsynced data or index entries not yet in the files. */
  get needsFlush (): boolean {
    return !this.#deleted && (!this.isSynced || this.#indexEntriesOnDisk < this.offsetIndex.count ||
      this.#timeIndexEntriesOnDisk < this.timeIndex.count)
  }

  /** Persists the indexes and fsyncs all three files. Callers serialize flushes of one segment. */
  async flush (): Promise<void> {
    if (this.#deleted) return
    this.retain()
    try {
      await this.persistIndexes()
      await Promise.all([this.syncLog(), this.#indexFile.sync(), this.#timeIndexFile.sync()])
    } finally {
      this.release()
    }
  }

  get isDeleted (): boolean {
    return this.#deleted
  }

  get isSynced (): boolean {
    return this.syncedNextOffset >= this.nextOffset
  }

  /** Keeps the files open across an async read; pair with release(). */
  retain (): void {
    this.#refs++
  }

  release (): void {
    this.#refs--
    if (this.#refs === 0 && this.#deleted) void this.#closeFiles().catch(() => {})
  }

  /** Removes the files now (POSIX keeps them readable for readers still holding them). */
  async destroy (storage: Storage): Promise<void> {
    this.#deleted = true
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      await storage.unlink(Segment.filePath(this.dir, this.baseOffset, suffix))
    }
    if (this.#refs === 0) await this.#closeFiles()
  }

  /** Closes the files without fsyncing; the caller flushes first when it wants durability. */
  async close (): Promise<void> {
    await this.#closeFiles()
  }

  async #closeFiles (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([this.log.close(), this.#indexFile.close(), this.#timeIndexFile.close()])
  }
}

async function readWhole (file: StorageFile, bytesMax: number): Promise<Buffer> {
  const length = Math.min(file.sizeBytes, bytesMax)
  const buffer = Buffer.allocUnsafe(length)
  const read = await file.read(buffer, 0, length, 0)
  return buffer.subarray(0, read)
}

async function persistEntries (file: StorageFile, onDisk: number, entryBytes: number, count: number,
  encode: (from: number, to: number) => Buffer): Promise<void> {
  if (file.sizeBytes !== onDisk * entryBytes) await file.truncate(onDisk * entryBytes)
  if (count > onDisk) await file.writev([encode(onDisk, count)], onDisk * entryBytes)
}
