// Housekeeping of what the coordinator keeps in __consumer_offsets, run on a slow timer:
//
//   - expiry (KIP-211): offsets of groups without members go once offsets.retention.minutes
//     have passed, and an empty group without offsets goes with them; both leave tombstones
//     so a restart does not bring them back.
//   - keep-alive: Kafka compacts this topic; here it is an ordinary log, and log.retention.ms
//     deletes whole segments whatever they hold. So every live entry whose last copy is
//     older than half that retention is written again, and a segment is never deleted while
//     it holds the only copy of something still in use.

import { expiredOffsets, isExpirable } from './commits.ts'
import type { Group } from './group.ts'
import { toStoredGroup } from './load.ts'
import type { OffsetsEntry, OffsetsStore } from './offsets-store.ts'
import type { GroupConfig } from './types.ts'

export interface Housekeeping {
  readonly groups: Map<string, Group>
  readonly store: OffsetsStore
  readonly config: GroupConfig
  log (line: string): void
}

/** Drops expired offsets and empty groups; resolves to the number of offsets dropped. */
export async function expireOffsets (h: Housekeeping, nowMs: number): Promise<number> {
  const writes: Array<Promise<void>> = []
  let expiredCount = 0
  for (const group of [...h.groups.values()]) {
    if (!isExpirable(group)) continue
    const expired = expiredOffsets(group, nowMs, h.config.offsetsRetentionMs)
    for (const e of expired) group.deleteOffset(e.topic, e.partition)
    expiredCount += expired.length
    const removeGroup = group.offsetCount() === 0
    if (expired.length === 0 && !removeGroup) continue
    if (removeGroup) {
      group.transitionTo('Dead', nowMs)
      h.groups.delete(group.groupId)
    }
    // Memory goes first: a commit arriving meanwhile is appended after the tombstones and wins.
    const tombstones: OffsetsEntry[] = expired.map(e => ({ ...e, value: null }))
    writes.push(h.store.appendRecords(group.groupId, tombstones, removeGroup ? null : undefined).then(() => {}, err => {
      h.log(`writing tombstones for group ${group.groupId} failed (they come back after a restart): ${(err as Error).message}`)
    }))
  }
  await Promise.all(writes)
  return expiredCount
}

/** Rewrites entries older than half of the topic's retention; resolves to the number of records written. */
export async function refreshStale (h: Housekeeping, nowMs: number): Promise<number> {
  if (h.config.offsetsTopicRetentionMs < 0) return 0
  const staleBeforeMs = nowMs - Math.floor(h.config.offsetsTopicRetentionMs / 2)
  const writes: Array<Promise<number>> = []
  for (const group of h.groups.values()) {
    // Anything in flight would be written after what memory shows now, so wait for a quiet moment.
    if (group.pendingCommits > 0 || group.assignmentInFlight !== null || (group.state !== 'Stable' && group.state !== 'Empty')) continue
    const offsets: OffsetsEntry[] = []
    for (const [topic, partitions] of group.offsets) {
      for (const [partition, c] of partitions) {
        if (c.writtenAtMs < staleBeforeMs) offsets.push({ topic, partition, value: { offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata, commitTimestampMs: c.commitTimestampMs } })
      }
    }
    const groupStale = group.metadataWrittenAtMs < staleBeforeMs
    if (offsets.length === 0 && !groupStale) continue
    const assignments = group.state === 'Stable' ? new Map([...group.members.values()].map(m => [m.memberId, m.assignment])) : undefined
    const value = groupStale ? toStoredGroup(group, assignments) : undefined
    group.pendingCommits++
    writes.push(h.store.appendRecords(group.groupId, offsets, value).then(baseOffset => {
      offsets.forEach((e, i) => { group.setOffset(e.topic, e.partition, { ...e.value!, logOffset: baseOffset + i, writtenAtMs: nowMs }) })
      if (groupStale) group.metadataWrittenAtMs = nowMs
      return offsets.length + (groupStale ? 1 : 0)
    }, err => {
      h.log(`rewriting live entries of group ${group.groupId} failed (retried at the next check): ${(err as Error).message}`)
      return 0
    }).finally(() => { group.pendingCommits-- }))
  }
  return (await Promise.all(writes)).reduce((sum, n) => sum + n, 0)
}
