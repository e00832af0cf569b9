// Group commit: turning the appends queued during one event-loop turn into one writev per
// segment. The partition log owns the queue and the timing; this module places batches in
// segments (rolling where log.segment.bytes, log.roll.ms or a full index say so), writes each
// segment's run with a single writev, and does the index bookkeeping once the bytes are in.

import { batchRecordCount, BATCH_OFFSET_MAX_TIMESTAMP, readInt64 } from '../protocol/record-batch.ts'
import type { LogConfig } from './config.ts'
import type { Segment } from './segment.ts'

export interface AppendResult {
  baseOffset: number
  lastOffset: number
}

export interface PendingAppend {
  batches: Buffer[]
  baseOffset: number
  lastOffset: number
  bytes: number
  resolve: (result: AppendResult) => void
  reject: (error: Error) => void
}

/** Consecutive batches bound for one segment, starting at positionBytes. */
export interface Run {
  segment: Segment
  positionBytes: number
  buffers: Buffer[]
}

export interface Placement {
  runs: Run[]
  /** Segments that stopped being active during this group (to flush in the background). */
  rolled: Segment[]
  bytes: number
}

/**
 * Assigns every batch of the group a segment and a position. `roll(baseOffset)` creates the
 * next segment when the active one must not take the batch.
 */
export async function placeGroup (group: readonly PendingAppend[], active: Segment, config: Readonly<LogConfig>, nowMs: number,
  roll: (baseOffset: number) => Promise<Segment>): Promise<Placement> {
  const placement: Placement = { runs: [], rolled: [], bytes: 0 }
  let segment = active
  let placedBytes = segment.writtenBytes
  let run: Run | null = null
  for (const append of group) {
    placement.bytes += append.bytes
    let baseOffset = append.baseOffset
    for (const batch of append.batches) {
      const lastOffset = baseOffset + batchRecordCount(batch) - 1
      if (segment.shouldRoll(placedBytes, batch.length, lastOffset, nowMs, config)) {
        placement.rolled.push(segment)
        segment = await roll(baseOffset)
        placedBytes = 0
        run = null
      }
      if (run === null) {
        run = { segment, positionBytes: placedBytes, buffers: [] }
        placement.runs.push(run)
      }
      run.buffers.push(batch)
      placedBytes += batch.length
      baseOffset = lastOffset + 1
    }
  }
  return placement
}

/** One writev per run; then index and timestamp bookkeeping for what is now in the files. */
export async function writeRuns (runs: readonly Run[]): Promise<void> {
  for (const { segment, positionBytes, buffers } of runs) await segment.log.writev(buffers, positionBytes)
  for (const { segment, positionBytes, buffers } of runs) {
    let position = positionBytes
    for (const batch of buffers) {
      const baseOffset = readInt64(batch, 0)
      segment.recordBatch(position, batch.length, baseOffset, baseOffset + batchRecordCount(batch) - 1, readInt64(batch, BATCH_OFFSET_MAX_TIMESTAMP))
      position += batch.length
    }
  }
}
