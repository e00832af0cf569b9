// SyncGroup v0-3 (min 0 for librdkafka). Followers wait here until the leader's SyncGroup
// brings the assignment; it is written to __consumer_offsets before anyone gets it, and then
// the group is Stable. A leader assignment over 1 MiB for one member gets INVALID_REQUEST.
// Asked during PreparingRebalance: REBALANCE_IN_PROGRESS; wrong generation: ILLEGAL_GENERATION.

import { SyncGroup } from '../../protocol/14-sync-group.ts'
import { defineHandler } from '../handler.ts'

export const syncGroupHandler = defineHandler(SyncGroup, async ({ broker }, request) => ({
  throttleTimeMs: 0,
  ...await broker.groups.sync(request),
}))
