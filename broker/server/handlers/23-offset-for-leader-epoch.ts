// OffsetForLeaderEpoch v2-4: where a leader epoch ended on this leader's log (KIP-101/279).
// Followers ask it before fetching from a new leader, to truncate what diverged; consumers
// ask it after a leader change to detect truncation (KIP-320). Only the partition's leader
// answers; current_leader_epoch is checked as for Fetch (not for followers with the debug
// key sluice.debug.replication.skip.fetch.epoch.check, historical bug 4).

import { ErrorCode } from '../../protocol/errors.ts'
import { OffsetForLeaderEpoch, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from '../../protocol/23-offset-for-leader-epoch.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

function answer (broker: Broker, replicaId: number, topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number): EpochEndOffset {
  const lookup = broker.leaderLog(topic, partition, broker.followerLeaderEpoch(replicaId, currentLeaderEpoch))
  if (lookup.errorCode !== undefined) return { errorCode: lookup.errorCode, partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
  const end = lookup.log.endOffsetForEpoch(leaderEpoch)
  if (end === null) return { errorCode: ErrorCode.NONE, partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: end.epoch, endOffset: end.endOffset }
}

export const offsetForLeaderEpochHandler = defineHandler(OffsetForLeaderEpoch, ({ broker }, request) => ({
  throttleTimeMs: 0,
  topics: request.topics.map(t => ({
    topic: t.topic,
    partitions: t.partitions.map(p => answer(broker, request.replicaId, t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch)),
  })),
}))
