// The metadata log as the quorum core sees it. Calls are synchronous: appends land in the
// log's write buffer (what the page cache is to Kafka) and only become durable when the
// driver fsyncs and reports it with `RaftNode.onFlushed`. The core never counts an
// unflushed entry towards the high watermark and a follower never reports one to the
// leader, so a crash that loses the unflushed tail cannot lose a committed entry.
//
// The real implementation will sit on broker/log's PartitionLog for `__cluster_metadata-0`:
// entries become record batches whose partitionLeaderEpoch is the entry's epoch, the
// epoch -> start offset cache is the leader-epoch-checkpoint, `truncateTo` is the
// partition log's truncation, and snapshots are `<offset>-<epoch>.checkpoint` files next to
// the segments (KIP-630). It keeps the tail it has not yet written in memory so that reads
// stay synchronous for the core.

import type { Entry, OffsetAndEpoch, Snapshot } from './types.ts'

export interface RaftLog {
  /** First offset still held as entries; equals the latest snapshot's endOffset once the prefix is dropped. */
  startOffset (): number
  /** The log end offset (next offset to write). */
  endOffset (): number
  /** Everything below this offset is on disk. */
  flushedEndOffset (): number
  /** Epoch of the last entry, or of the snapshot when no entry follows it, or 0 for an empty log. */
  lastEpoch (): number
  /** Appends entries whose offsets continue endOffset(); throws on a gap or an epoch going backwards. */
  append (entries: readonly Entry[]): void
  /** Drops every entry at or above `offset` (the flushed end offset follows it down). */
  truncateTo (offset: number): void
  /** Up to `maxEntries` entries from `fromOffset` (which must be within [startOffset, endOffset]). */
  read (fromOffset: number, maxEntries: number): Entry[]
  /**
   * Kafka's endOffsetForEpoch: for the largest epoch <= `epoch` held, that epoch and the
   * offset where the next higher epoch starts (or the end offset). Null when `epoch` is
   * older than everything held (the answer is then in the snapshot).
   */
  endOffsetForEpoch (epoch: number): OffsetAndEpoch | null
  latestSnapshot (): Snapshot | null
  /** Stores a snapshot of the committed prefix and drops the entries below its endOffset. */
  storeSnapshot (snapshot: Snapshot): void
  /** A follower replaces its whole log with a snapshot fetched from the leader. */
  installSnapshot (snapshot: Snapshot): void
}
