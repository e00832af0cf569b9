// CreateTopics v0-4. In a cluster the controller creates topics (forwarded, with replica
// placement or an explicit assignment). On a one-node broker: num_partitions -1 means
// num.partitions; replication factor must be -1 or 1; manual replica assignments are refused. Topic configs are
// checked (INVALID_CONFIG names an unknown key or bad value) and kept per topic.

import { ErrorCode } from '../../protocol/errors.ts'
import { CreateTopics, type CreatableTopic, type CreatableTopicResult } from '../../protocol/19-create-topics.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

const REPLICAS_AVAILABLE = 1

async function create (broker: Broker, topic: CreatableTopic, validateOnly: boolean): Promise<CreatableTopicResult> {
  const result = (errorCode: number, errorMessage: string | null): CreatableTopicResult => ({ name: topic.name, errorCode, errorMessage })
  if (topic.assignments.length > 0) return result(ErrorCode.INVALID_REQUEST, 'manual replica assignments are not supported; give num_partitions instead')
  if (topic.replicationFactor !== -1 && topic.replicationFactor !== REPLICAS_AVAILABLE) {
    return result(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${topic.replicationFactor} is larger than the ${REPLICAS_AVAILABLE} available broker`)
  }
  const partitions = topic.numPartitions === -1 ? broker.config.int('num.partitions') : topic.numPartitions
  const { errorCode, message } = await broker.createTopic(topic.name, partitions, validateOnly, topic.configs)
  return result(errorCode, message)
}

export const createTopicsHandler = defineHandler(CreateTopics, async ({ broker }, request) => {
  if (broker.admin !== null) return await broker.admin.createTopics(request)
  const seen = new Set<string>()
  const topics: CreatableTopicResult[] = []
  for (const topic of request.topics) {
    if (seen.has(topic.name)) {
      topics.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named twice in one request' })
      continue
    }
    seen.add(topic.name)
    topics.push(await create(broker, topic, request.validateOnly))
  }
  return { throttleTimeMs: 0, topics }
})
