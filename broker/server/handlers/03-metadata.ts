// Metadata v0-8. A null topic list (v1+) means every topic, an empty one none. Unknown
// topics are auto-created when the request allows it (v4+, always before v4) and
// auto.create.topics.enable is on. This broker leads every partition, at epoch 0, and
// advertises its advertised.listeners address (a proxy's, in chaos runs).

import { ErrorCode } from '../../protocol/errors.ts'
import { AUTHORIZED_OPERATIONS_OMITTED, Metadata, type MetadataTopic } from '../../protocol/03-metadata.ts'
import { INTERNAL_TOPICS, LEADER_EPOCH, topicNameProblem, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

function describeTopic (broker: Broker, name: string, errorCode: number): MetadataTopic {
  const count = errorCode === ErrorCode.NONE ? broker.partitionCount(name) ?? 0 : 0
  const self = [broker.nodeId]
  return {
    errorCode,
    name,
    isInternal: INTERNAL_TOPICS.has(name),
    partitions: Array.from({ length: count }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: broker.nodeId,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: self,
      isrNodes: self,
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
}

export const metadataHandler = defineHandler(Metadata, async ({ broker }, request, version) => {
  const names = request.topics ?? [...broker.logs.topics().keys()]
  const allowCreate = version < 4 || request.allowAutoTopicCreation
  const topics: MetadataTopic[] = []
  for (const name of names) {
    let errorCode: number = ErrorCode.NONE
    if (broker.partitionCount(name) === undefined) {
      if (topicNameProblem(name) !== null) errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION
      else errorCode = allowCreate ? await broker.ensureTopic(name) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    }
    topics.push(describeTopic(broker, name, errorCode))
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
})
