// CreatePartitions v0-3 on a single node: raises a topic's partition count. A count not
// above the current one is INVALID_PARTITIONS, an unknown topic UNKNOWN_TOPIC_OR_PARTITION,
// the internal topic is refused (groups are placed by its partition count). Manual
// assignments must give this node, and only it, for each new partition.

import { ErrorCode } from '../../protocol/errors.ts'
import { CreatePartitions, type CreatePartitionsResult, type CreatePartitionsTopic } from '../../protocol/37-create-partitions.ts'
import { LogError } from '../../log/errors.ts'
import { PARTITIONS_PER_TOPIC_MAX } from '../../log/log-manager.ts'
import { INTERNAL_TOPICS, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

function problem (broker: Broker, topic: CreatePartitionsTopic): CreatePartitionsResult | null {
  const fail = (errorCode: number, errorMessage: string): CreatePartitionsResult => ({ name: topic.name, errorCode, errorMessage })
  const current = broker.partitionCount(topic.name)
  if (current === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'topic does not exist')
  if (INTERNAL_TOPICS.has(topic.name)) return fail(ErrorCode.INVALID_REQUEST, 'the partition count of an internal topic cannot change')
  if (topic.count <= current || topic.count > PARTITIONS_PER_TOPIC_MAX) {
    return fail(ErrorCode.INVALID_PARTITIONS, `topic has ${current} partitions; the new count must be in [${current + 1}, ${PARTITIONS_PER_TOPIC_MAX}] (got ${topic.count})`)
  }
  if (topic.assignments !== null) {
    const valid = topic.assignments.length === topic.count - current && topic.assignments.every(a => a.brokerIds.length === 1 && a.brokerIds[0] === broker.nodeId)
    if (!valid) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `give one assignment per new partition, each [${broker.nodeId}] (this single node)`)
  }
  return null
}

async function grow (broker: Broker, topic: CreatePartitionsTopic, validateOnly: boolean): Promise<CreatePartitionsResult> {
  const refused = problem(broker, topic)
  if (refused !== null || validateOnly) return refused ?? { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
  try {
    await broker.logs.addPartitions(topic.name, topic.count)
  } catch (err) {
    // Two requests growing one topic at once: the log manager refuses the second.
    if (err instanceof LogError) return { name: topic.name, errorCode: err.errorCode, errorMessage: err.message }
    throw err
  }
  return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
}

export const createPartitionsHandler = defineHandler(CreatePartitions, async ({ broker }, request) => {
  if (broker.admin !== null) return await broker.admin.createPartitions(request)
  const seen = new Set<string>()
  const results: CreatePartitionsResult[] = []
  for (const topic of request.topics) {
    if (seen.has(topic.name)) {
      results.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named twice in one request' })
      continue
    }
    seen.add(topic.name)
    results.push(await grow(broker, topic, request.validateOnly))
  }
  return { throttleTimeMs: 0, results }
})
