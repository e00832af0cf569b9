// FindCoordinator v0-2 (min 0, or `kcat -G` never finds its coordinator). A one-node broker
// coordinates every group, so a group key is answered with its own advertised address (a
// proxy's, in chaos runs); in a cluster, the leader of the group's __consumer_offsets
// partition coordinates it. Transaction coordinators do not exist yet:
// COORDINATOR_NOT_AVAILABLE, which clients retry.

import { ErrorCode } from '../../protocol/errors.ts'
import { COORDINATOR_KEY_TYPE_GROUP, COORDINATOR_KEY_TYPE_TRANSACTION, FindCoordinator, type FindCoordinatorResponse } from '../../protocol/10-find-coordinator.ts'
import { defineHandler } from '../handler.ts'
import type { Broker } from '../broker.ts'
import { OFFSETS_TOPIC } from '../../group/offsets-store.ts'
import { partitionForGroup } from '../../group/records.ts'

function refuse (errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 }
}

export const findCoordinatorHandler = defineHandler(FindCoordinator, ({ broker }, request) => {
  if (request.keyType === COORDINATOR_KEY_TYPE_TRANSACTION) return refuse(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not implemented yet')
  if (request.keyType !== COORDINATOR_KEY_TYPE_GROUP) return refuse(ErrorCode.INVALID_REQUEST, `unknown key_type ${request.keyType} (0 = group, 1 = transaction)`)
  if (broker.cluster.clustered) return clusterCoordinator(broker, request.key)
  const { host, port } = broker.advertised
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host, port }
})

/** In a cluster the coordinator of a group is the leader of its __consumer_offsets partition. */
function clusterCoordinator (broker: Broker, groupId: string): FindCoordinatorResponse {
  const count = broker.cluster.partitionCount(OFFSETS_TOPIC)
  if (count === undefined) {
    broker.admin?.ensureOffsetsTopic(OFFSETS_TOPIC).catch(err => broker.log(`creating ${OFFSETS_TOPIC}: ${(err as Error).message}`))
    return refuse(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC} is being created`)
  }
  const leader = broker.cluster.partition(OFFSETS_TOPIC, partitionForGroup(groupId, count))?.leader ?? -1
  const address = broker.cluster.liveBrokers().find(b => b.brokerId === leader)
  if (address === undefined) return refuse(ErrorCode.COORDINATOR_NOT_AVAILABLE, `the ${OFFSETS_TOPIC} partition of this group has no live leader`)
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: leader, host: address.host, port: address.port }
}
