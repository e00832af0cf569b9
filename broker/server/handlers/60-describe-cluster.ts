// DescribeCluster v0-1 (what Admin.describeCluster asks since Kafka 2.8): the cluster id,
// the controller and the live brokers, from the same cluster view Metadata answers from.
// Only broker endpoints are described (endpoint_type 1); asking for controllers gets
// UNSUPPORTED_ENDPOINT_TYPE as in Kafka.

import { ErrorCode } from '../../protocol/errors.ts'
import { AUTHORIZED_OPERATIONS_OMITTED, DescribeCluster, EndpointType } from '../../protocol/60-describe-cluster.ts'
import { defineHandler } from '../handler.ts'

/** Kafka's UNSUPPORTED_ENDPOINT_TYPE (KIP-919). */
const UNSUPPORTED_ENDPOINT_TYPE = 120

export const describeClusterHandler = defineHandler(DescribeCluster, ({ broker }, request) => {
  const base = { throttleTimeMs: 0, endpointType: request.endpointType, clusterId: broker.clusterId, clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  if (request.endpointType !== EndpointType.BROKERS) {
    return { ...base, errorCode: UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'only broker endpoints (endpoint_type 1) are described here', controllerId: -1, brokers: [] }
  }
  return {
    ...base, errorCode: ErrorCode.NONE, errorMessage: null,
    controllerId: broker.cluster.controllerId(),
    brokers: broker.cluster.liveBrokers().map(b => ({ brokerId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
  }
})
