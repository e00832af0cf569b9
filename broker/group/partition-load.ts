// Loading and unloading the groups of one __consumer_offsets partition, for a cluster
// coordinator whose leaderships come and go: replay the partition's records into fresh
// groups, and answer the parked requests of groups that leave with this broker.

import { Group } from './group.ts'
import { applyRecord, finishReplay } from './load.ts'
import { joinError } from './member.ts'
import { OFFSETS_TOPIC, type OffsetsStore } from './offsets-store.ts'
import type { OffsetsOwnership } from './ownership.ts'
import { ErrorCode } from '../protocol/errors.ts'
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

/** What loading and unloading partitions needs of the coordinator. */
export interface PartitionHost {
  groups: Map<string, Group>
  ownership: OffsetsOwnership
  store: OffsetsStore
  clock: () => number
  log: (line: string) => void
  isClosed: () => boolean
}

/**
 * Leadership of `partition` began: its groups load from the local log in the background
 * (requests for them get COORDINATOR_LOAD_IN_PROGRESS meanwhile). A load overtaken by a
 * resignation is dropped; one that fails leaves the partition unserved here.
 */
export function electPartition (h: PartitionHost, partition: number, leaderEpoch: number): void {
  if (h.isClosed()) return
  const token = h.ownership.elect(partition, leaderEpoch)
  if (token === null) return
  loadPartition(h.store, partition, h.clock, h.log).then(({ groups, records }) => {
    if (h.isClosed() || !h.ownership.finishLoad(partition, token)) return
    for (const group of groups) h.groups.set(group.groupId, group)
    h.log(`group coordinator: ${OFFSETS_TOPIC}-${partition} loaded in leader epoch ${leaderEpoch}: ${groups.length} groups from ${records} records`)
  }, (err: Error) => {
    h.log(`group coordinator: loading ${OFFSETS_TOPIC}-${partition} failed (its groups stay unavailable here): ${err.stack ?? err.message}`)
    h.ownership.abandonLoad(partition, token)
  })
}

/** Leadership of `partition` ended: its groups leave; parked members are told NOT_COORDINATOR and find the new one. */
export function resignPartition (h: PartitionHost, partition: number): void {
  if (!h.ownership.resign(partition)) return
  let count = 0
  for (const group of [...h.groups.values()]) {
    if (h.store.partitionFor(group.groupId) !== partition) continue
    answerParked(group, ErrorCode.NOT_COORDINATOR)
    h.groups.delete(group.groupId)
    count++
  }
  h.log(`group coordinator: ${OFFSETS_TOPIC}-${partition} no longer led here; ${count} groups unloaded`)
}
