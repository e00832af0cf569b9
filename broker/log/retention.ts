// Which segments retention deletes, as a pure function of the segments and the clock, so the
// policy can be read (and tested) apart from the I/O that carries it out.
//
// Kafka's rules: whole segments only, oldest first, never the active segment. A segment
// expires when its newest batch timestamp is older than retentionMs (a segment without
// timestamps counts from when it was created); then further segments go while the log stays
// at or above retentionBytes without them. Sluice adds: never a segment that is not wholly
// below the high watermark, because its last bytes may not be acknowledged yet.

import type { LogConfig } from './config.ts'
import type { Segment } from './segment.ts'

export interface RetentionPlan {
  /** How many segments, from the oldest, to delete. */
  deleteCount: number
  /** The active segment has expired too: roll it so the next check can delete it (as Kafka does). */
  rollActive: boolean
}

function isExpired (segment: Segment, retentionMs: number, nowMs: number): boolean {
  const newestMs = segment.maxTimestampMs >= 0 ? segment.maxTimestampMs : segment.createdAtMs
  return retentionMs >= 0 && nowMs - newestMs > retentionMs
}

export function planRetention (segments: readonly Segment[], highWatermark: number, config: Readonly<LogConfig>, nowMs: number): RetentionPlan {
  const { retentionMs, retentionBytes } = config
  const candidates = segments.length - 1
  let count = 0
  while (count < candidates && segments[count]!.nextOffset <= highWatermark && isExpired(segments[count]!, retentionMs, nowMs)) count++
  if (retentionBytes >= 0) {
    let excessBytes = -retentionBytes
    for (let i = count; i < segments.length; i++) excessBytes += segments[i]!.writtenBytes
    while (count < candidates && segments[count]!.nextOffset <= highWatermark && excessBytes - segments[count]!.writtenBytes >= 0) {
      excessBytes -= segments[count]!.writtenBytes
      count++
    }
  }
  const active = segments[segments.length - 1]!
  const rollActive = count === candidates && active.writtenBytes > 0 && isExpired(active, retentionMs, nowMs)
  return { deleteCount: count, rollActive }
}
