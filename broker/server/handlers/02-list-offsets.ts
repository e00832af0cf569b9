// ListOffsets v1-5. -1 = latest (the high watermark, which is also the last stable offset
// while no transactions exist), -2 = earliest (log start), -3 = the offset of the largest
// timestamp; any other timestamp finds the first offset whose batch reaches it.
//
// KIP-207: a leader elected moments ago may hold a high watermark below the one its
// predecessor showed (followers learn the HW a fetch late). Until its own HW reaches the start
// of its epoch it answers clients OFFSET_NOT_AVAILABLE (retriable), so the offsets a client
// sees never go back across a leader change. Followers (replica_id >= 0) are answered as before.

import { ErrorCode } from '../../protocol/errors.ts'
import { ListOffsets, type ListOffsetsPartitionResponse } from '../../protocol/02-list-offsets.ts'
import { LogError } from '../../log/errors.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

async function lookUp (broker: Broker, replicaId: number, topic: string, partitionIndex: number, timestamp: number, currentLeaderEpoch: number): Promise<ListOffsetsPartitionResponse> {
  const lookup = broker.leaderLog(topic, partitionIndex, currentLeaderEpoch)
  const answer = (errorCode: number, offset = -1, ts = -1): ListOffsetsPartitionResponse =>
    ({ partitionIndex, errorCode, timestamp: ts, offset, leaderEpoch: lookup.errorCode === undefined && errorCode === ErrorCode.NONE ? lookup.leaderEpoch : -1 })
  if (lookup.errorCode !== undefined) return answer(lookup.errorCode)
  const { log } = lookup
  if (replicaId < 0 && broker.replicas?.offsetsAvailable(topic, partitionIndex) === false) return answer(ErrorCode.OFFSET_NOT_AVAILABLE)
  // Latest: a consumer gets the replicated high watermark, a follower (replica_id >= 0) the log end.
  if (timestamp === -1) return answer(ErrorCode.NONE, replicaId >= 0 ? log.highWatermark : broker.replicas?.highWatermark(topic, partitionIndex) ?? log.highWatermark)
  if (timestamp === -2) return answer(ErrorCode.NONE, log.logStartOffset)
  try {
    const found = await log.offsetForTimestamp(timestamp)
    return found === null ? answer(ErrorCode.NONE, -1, -1) : answer(ErrorCode.NONE, found.offset, found.timestampMs)
  } catch (err) {
    // A failed read fails this partition's answer only; the partition stays online.
    if (!(err instanceof LogError)) throw err
    broker.log(`ListOffsets ${topic}-${partitionIndex} timestamp ${timestamp}: ${err.message}`)
    return answer(err.errorCode)
  }
}

export const listOffsetsHandler = defineHandler(ListOffsets, async ({ broker }, request) => ({
  throttleTimeMs: 0,
  topics: await Promise.all(request.topics.map(async t => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(p => lookUp(broker, request.replicaId, t.name, p.partitionIndex, p.timestamp, p.currentLeaderEpoch))),
  }))),
}))
