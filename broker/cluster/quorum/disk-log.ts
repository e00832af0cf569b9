// The metadata log on disk: a RaftLog (broker/cluster/raft/log.ts) on a PartitionLog for
// `__cluster_metadata-0`, with KIP-630 snapshot files beside the segments.
//
// Synchronous reads, asynchronous disk. The quorum core calls the RaftLog methods
// synchronously, so the entries since the latest snapshot live in memory (a MemoryRaftLog,
// which also gives the exact in-memory semantics the simulator tests) and every change is
// mirrored to disk through one ordered queue of disk operations:
//   append          entries become record batches (entry-batch.ts) handed to
//                   PartitionLog.appendAsFollower with their own offsets and epochs;
//   truncateTo      the memory tail goes at once; PartitionLog.truncateTo is queued;
//   storeSnapshot   the snapshot file is written, then the log prefix is dropped
//                   (deleteRecordsBefore) and older snapshot files go;
//   installSnapshot the snapshot file is written, then the log restarts empty at its end
//                   (truncateFullyAndStartAt) and every other snapshot file goes.
// `flush()` queues a PartitionLog.flush behind everything asked for before it and only then
// moves flushedEndOffset. A truncation lowers the target of every flush still in flight to
// the truncation point, so a flush never vouches for entries appended after a truncation
// it did not wait for.
//
// Why a crash cannot resurrect truncated entries after a later flush: a flush requested
// after truncateTo waits for the queued PartitionLog.truncateTo, which cuts and fsyncs the
// segment file before it resolves. A crash before that flush resolves may bring the old
// tail back, but only as unflushed state: the core never counted it (flushedEndOffset was
// lowered at once) and the follower re-truncates on its next fetch, as after a crash just
// before the truncation. The same holds for snapshots: until the queued work is done a
// crash reopens from the previous snapshot and the log prefix, which are still on disk.
//
// Open: the newest snapshot file that reads back intact (a corrupt one is skipped with a log
// line), then the batches after its end offset; the partition log's recovery has already cut
// any torn tail. A log that does not continue the snapshot is replaced by an empty one at the
// snapshot's end; a batch that is not an entry, or whose epoch goes backwards, cuts the log
// there (with a log line).
//
// A failed disk operation makes every later flush reject with that error; the in-memory
// state stays, so the driver decides (as for any storage failure, restart the node).

import { OffsetCheckpointFile } from '../../log/checkpoint.ts'
import { logConfig } from '../../log/config.ts'
import { CLUSTER_METADATA_TOPIC } from '../../log/log-manager.ts'
import type { LogConfig } from '../../log/config.ts'
import { PartitionLog } from '../../log/partition-log.ts'
import type { Storage } from '../../log/storage.ts'
import { splitBatches } from '../../protocol/record-batch.ts'
import type { RaftLog } from '../raft/log.ts'
import { MemoryRaftLog } from '../raft/memory-log.ts'
import type { Entry, OffsetAndEpoch, Snapshot } from '../raft/types.ts'
import { decodeEntry, encodeEntry } from './entry-batch.ts'
import { deleteOtherSnapshots, loadLatestSnapshot, writeSnapshot } from './snapshot-files.ts'

export const METADATA_TOPIC = CLUSTER_METADATA_TOPIC
export const METADATA_PARTITION = 0
export const METADATA_DIR = `${METADATA_TOPIC}-${METADATA_PARTITION}`
/** The metadata log's own recovery point file, inside its directory. */
const RECOVERY_POINT_FILE = `${METADATA_DIR}/recovery-point-offset-checkpoint`
const READ_CHUNK_BYTES = 1024 * 1024

export interface DiskRaftLogOptions {
  /** The data dir (metadata.log.dir) the metadata partition lives in. */
  storage: Storage
  config?: Partial<LogConfig>
  /** Where notes about skipped snapshots or cut entries go (default: stderr). */
  log?: (line: string) => void
}

interface PendingFlush { target: number }

export class DiskRaftLog implements RaftLog {
  readonly #memory: MemoryRaftLog
  readonly #partition: PartitionLog
  readonly #storage: Storage
  readonly #checkpoint: OffsetCheckpointFile
  readonly #flushes = new Set<PendingFlush>()
  #queue: Promise<void> = Promise.resolve()
  #failure: Error | null = null

  private constructor (memory: MemoryRaftLog, partition: PartitionLog, storage: Storage, checkpoint: OffsetCheckpointFile) {
    this.#memory = memory
    this.#partition = partition
    this.#storage = storage
    this.#checkpoint = checkpoint
  }

  /** Opens (creating if needed) the metadata log in the storage's data dir and recovers it. */
  static async open (options: DiskRaftLogOptions): Promise<DiskRaftLog> {
    const { storage } = options
    const logLine = options.log ?? ((line: string) => { process.stderr.write(line + '\n') })
    const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_FILE)
    const partition = await PartitionLog.open({
      storage, topic: METADATA_TOPIC, partition: METADATA_PARTITION, config: logConfig(options.config ?? {}), checkpoint,
    })
    const snapshot = await loadLatestSnapshot(storage, METADATA_DIR, logLine)
    const memory = new MemoryRaftLog()
    if (snapshot !== null) memory.installSnapshot(snapshot)
    await alignWithSnapshot(partition, snapshot, logLine)
    await loadEntries(partition, memory, logLine)
    memory.flush()
    return new DiskRaftLog(memory, partition, storage, checkpoint)
  }

  startOffset (): number { return this.#memory.startOffset() }
  endOffset (): number { return this.#memory.endOffset() }
  flushedEndOffset (): number { return this.#memory.flushedEndOffset() }
  lastEpoch (): number { return this.#memory.lastEpoch() }
  read (fromOffset: number, maxEntries: number): Entry[] { return this.#memory.read(fromOffset, maxEntries) }
  endOffsetForEpoch (epoch: number): OffsetAndEpoch | null { return this.#memory.endOffsetForEpoch(epoch) }
  latestSnapshot (): Snapshot | null { return this.#memory.latestSnapshot() }

  append (entries: readonly Entry[]): void {
    const from = this.#memory.endOffset()
    try {
      this.#memory.append(entries)
    } finally {
      // MemoryRaftLog.append stops at the first bad entry: mirror what it took.
      const taken = entries.slice(0, this.#memory.endOffset() - from)
      if (taken.length > 0) {
        const batches = taken.map(encodeEntry)
        void this.#enqueue(() => { this.#partition.appendAsFollower(batches).catch(error => { this.#fail(error) }) })
      }
    }
  }

  truncateTo (offset: number): void {
    const before = this.#memory.endOffset()
    this.#memory.truncateTo(offset)
    if (offset >= before) return
    for (const flush of this.#flushes) flush.target = Math.min(flush.target, offset)
    void this.#enqueue(async () => { await this.#partition.truncateTo(offset) })
  }

  storeSnapshot (snapshot: Snapshot): void {
    const before = this.#memory.latestSnapshot()
    this.#memory.storeSnapshot(snapshot)
    if (this.#memory.latestSnapshot() === before) return
    void this.#enqueue(async () => {
      await writeSnapshot(this.#storage, METADATA_DIR, snapshot)
      await this.#partition.deleteRecordsBefore(snapshot.endOffset)
      await deleteOtherSnapshots(this.#storage, METADATA_DIR, snapshot)
    })
  }

  installSnapshot (snapshot: Snapshot): void {
    this.#memory.installSnapshot(snapshot)
    for (const flush of this.#flushes) flush.target = Math.min(flush.target, snapshot.endOffset)
    void this.#enqueue(async () => {
      await writeSnapshot(this.#storage, METADATA_DIR, snapshot)
      await this.#partition.truncateFullyAndStartAt(snapshot.endOffset)
      await deleteOtherSnapshots(this.#storage, METADATA_DIR, snapshot)
    })
  }

  /**
   * Makes every entry appended before the call durable (and every truncation and snapshot
   * asked for before it), then moves flushedEndOffset. Rejects after a failed disk operation.
   */
  async flush (): Promise<void> {
    const pending: PendingFlush = { target: this.#memory.endOffset() }
    this.#flushes.add(pending)
    try {
      let partitionFlush: Promise<void> = Promise.resolve()
      await this.#enqueue(() => { partitionFlush = this.#partition.flush() })
      await partitionFlush
      if (this.#failure !== null) throw this.#failure
      this.#memory.flushTo(pending.target)
    } finally {
      this.#flushes.delete(pending)
    }
  }

  /** Finishes the queued disk work, flushes and closes the partition log (not the storage). */
  async close (): Promise<void> {
    await this.#queue
    await this.#partition.close()
    await this.#checkpoint.write()
  }

  /** Stops as a crash would: queued disk work is dropped, nothing more is flushed. For tests. */
  async halt (): Promise<void> {
    this.#failure ??= new Error('metadata log halted')
    await this.#partition.halt()
  }

  /** The partition log underneath (for tests and DescribeQuorum-style introspection). */
  get partitionLog (): PartitionLog { return this.#partition }

  // Runs `op` after every operation queued before it; a failure stops all later ones and is
  // kept for flush() to report. The returned promise (the op's end) never rejects.
  #enqueue (op: () => Promise<void> | void): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      if (this.#failure !== null) return
      await op()
    }).catch(error => { this.#fail(error) })
    return this.#queue
  }

  #fail (error: unknown): void {
    this.#failure ??= error instanceof Error ? error : new Error(String(error))
  }
}

// Makes the partition log start where the snapshot ends: the prefix below it goes (a
// storeSnapshot whose deleteRecordsBefore a crash interrupted); a log that does not reach
// the snapshot, or starts after it, cannot continue it and restarts empty at its end.
async function alignWithSnapshot (partition: PartitionLog, snapshot: Snapshot | null, logLine: (line: string) => void): Promise<void> {
  const snapshotEnd = snapshot?.endOffset ?? 0
  if (partition.logStartOffset <= snapshotEnd && partition.logEndOffset >= snapshotEnd) {
    if (partition.logStartOffset < snapshotEnd) await partition.deleteRecordsBefore(snapshotEnd)
    return
  }
  logLine(`metadata log: log [${partition.logStartOffset}, ${partition.logEndOffset}) does not continue the snapshot ending at ${snapshotEnd}; restarting it empty there`)
  await partition.truncateFullyAndStartAt(snapshotEnd)
}

// Reads the batches from the memory log's start on into it; cuts the disk log at the first
// batch that is not a valid next entry.
async function loadEntries (partition: PartitionLog, memory: MemoryRaftLog, logLine: (line: string) => void): Promise<void> {
  let offset = memory.endOffset()
  while (offset < partition.logEndOffset) {
    const result = await partition.read(offset, READ_CHUNK_BYTES)
    try {
      for (const batch of splitBatches(Buffer.concat(result.buffers))) {
        const entry = decodeEntry(batch)
        if (entry.offset < offset) continue
        memory.append([entry])
      }
    } catch (error) {
      logLine(`metadata log: cutting the log at ${memory.endOffset()}: ${(error as Error).message}`)
      await partition.truncateTo(memory.endOffset())
      return
    }
    if (result.nextOffset <= offset) break
    offset = result.nextOffset
  }
}
