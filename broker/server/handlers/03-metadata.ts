// Metadata v0-8. A null topic list (v1+) means every topic, an empty one none. Unknown
// topics are auto-created when the request allows it (v4+, always before v4) and
// auto.create.topics.enable is on. Brokers, leaders, replicas, ISR and epochs come from the
// cluster view: the metadata image in a cluster; on a one-node broker itself, leading every
// partition at epoch 0 at its advertised.listeners address (a proxy's, in chaos runs).

import { ErrorCode } from '../../protocol/errors.ts'
import { AUTHORIZED_OPERATIONS_OMITTED, Metadata, type MetadataTopic } from '../../protocol/03-metadata.ts'
import { INTERNAL_TOPICS, topicNameProblem, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

function describeTopic (broker: Broker, name: string, errorCode: number): MetadataTopic {
  const count = errorCode === ErrorCode.NONE ? broker.partitionCount(name) ?? 0 : 0
  const partitions = []
  for (let partitionIndex = 0; partitionIndex < count; partitionIndex++) {
    const p = broker.cluster.partition(name, partitionIndex)
    if (p === undefined) continue
    partitions.push({
      errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [...p.offline],
    })
  }
  return { errorCode, name, isInternal: INTERNAL_TOPICS.has(name), partitions, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
}

export const metadataHandler = defineHandler(Metadata, async ({ broker }, request, version) => {
  const names = request.topics ?? broker.cluster.topicNames()
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
    brokers: broker.cluster.liveBrokers().map(b => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
    clusterId: broker.clusterId,
    controllerId: broker.cluster.controllerId(),
    topics,
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
})
