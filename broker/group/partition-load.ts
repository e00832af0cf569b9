// Loading and unloading the groups of one __consumer_offsets partition, for a cluster
// coordinator whose leaderships come and go: replay the partition's records into fresh
// groups, and answer the parked requests of groups that leave with this broker.

import { Group } from './group.ts'
import { applyRecord, finishReplay } from './load.ts'
import { joinError } from './member.ts'
import type { OffsetsStore } from './offsets-store.ts'
import { EMPTY_BYTES } from './types.ts'

/** The groups `partition` holds, rebuilt from its local log as a start-up replay would. */
export async function loadPartition (store: OffsetsStore, partition: number, clock: () => number, log: (line: string) => void): Promise<{ groups: Group[], records: number }> {
  const loaded = new Map<string, Group>()
  const groupFor = (groupId: string): Group => {
    let group = loaded.get(groupId)
    if (group === undefined) {
      group = new Group(groupId, clock())
      loaded.set(groupId, group)
    }
    return group
  }
  const records = await store.replayPartition(partition, (record, logOffset, timestampMs) => { applyRecord(record, logOffset, timestampMs, groupFor) }, log)
  return { groups: finishReplay(loaded.values(), clock()), records }
}

/** Answers every parked JoinGroup and SyncGroup of a group this broker stops coordinating. */
export function answerParked (group: Group, errorCode: number): void {
  for (const member of group.members.values()) {
    member.answerJoin(joinError(errorCode, member.memberId))
    member.answerSync({ errorCode, assignment: EMPTY_BYTES })
  }
}
