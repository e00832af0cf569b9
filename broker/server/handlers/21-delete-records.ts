// DeleteRecords v0-2. Moves each named partition's log start offset up to `offset` (-1: the
// high watermark) and answers the new low watermark. An offset above the high watermark is
// OFFSET_OUT_OF_RANGE, an unknown partition UNKNOWN_TOPIC_OR_PARTITION; the internal topic
// is refused (POLICY_VIOLATION), since group state lives there. Whole segments below the new
// start are deleted at once; the rest stays on disk but is no longer served.

import { ErrorCode } from '../../protocol/errors.ts'
import { DeleteRecords, type DeleteRecordsPartitionResult } from '../../protocol/21-delete-records.ts'
import { LogError } from '../../log/errors.ts'
import { INTERNAL_TOPICS, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

async function deleteBefore (broker: Broker, topic: string, partitionIndex: number, offset: number): Promise<DeleteRecordsPartitionResult> {
  const fail = (errorCode: number): DeleteRecordsPartitionResult => ({ partitionIndex, lowWatermark: -1, errorCode })
  if (INTERNAL_TOPICS.has(topic)) return fail(ErrorCode.POLICY_VIOLATION)
  if (broker.partition(topic, partitionIndex) === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  try {
    return { partitionIndex, lowWatermark: await broker.logs.deleteRecords(topic, partitionIndex, offset), errorCode: ErrorCode.NONE }
  } catch (err) {
    if (err instanceof LogError) return fail(err.errorCode)
    throw err
  }
}

export const deleteRecordsHandler = defineHandler(DeleteRecords, async ({ broker }, request) => {
  const topics = []
  for (const topic of request.topics) {
    const partitions = []
    for (const p of topic.partitions) partitions.push(await deleteBefore(broker, topic.name, p.partitionIndex, p.offset))
    topics.push({ name: topic.name, partitions })
  }
  return { throttleTimeMs: 0, topics }
})
