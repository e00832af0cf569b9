// What a follower does to its local partition log, in one place: read the leader-epoch
// cache, append the leader's batches as they are, truncate. The partition log provides the
// operations; this adapter is the follower's only way to them, so the fetcher and the
// FollowerPartition state machine see one LocalLogView.

import type { PartitionLog } from '../../log/partition-log.ts'
import type { LocalLogView } from '../replica/follower-state.ts'

export function logView (log: PartitionLog): LocalLogView {
  return { logEndOffset: log.highWatermark, epochs: log.leaderEpochs() }
}

export async function appendAsFollower (log: PartitionLog, batches: Buffer[]): Promise<void> {
  if (batches.length > 0) await log.appendAsFollower(batches)
}

export async function truncateTo (log: PartitionLog, offset: number): Promise<void> {
  await log.truncateTo(offset)
}

export async function truncateFullyAndStartAt (log: PartitionLog, offset: number): Promise<void> {
  await log.truncateFullyAndStartAt(offset)
}
