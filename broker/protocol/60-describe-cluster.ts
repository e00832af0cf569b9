// DescribeCluster v0-1 (flexible from v0): the cluster id, the controller id and every
// live broker, as kafkajs `admin.describeCluster()` and Kafka's admin client ask for them.
// v1 adds endpoint_type (1 = brokers, 2 = controllers) to both directions.
//
//   DescribeClusterRequest => include_cluster_authorized_operations endpoint_type
//     include_cluster_authorized_operations => BOOLEAN
//     endpoint_type => INT8 (v1+, default 1)
//
//   DescribeClusterResponse => throttle_time_ms error_code error_message endpoint_type
//                              cluster_id controller_id [brokers] cluster_authorized_operations
//     throttle_time_ms => INT32, error_code => INT16, error_message => COMPACT_NULLABLE_STRING
//     endpoint_type => INT8 (v1+, default 1)
//     cluster_id => COMPACT_STRING, controller_id => INT32 (-1: unknown)
//     brokers => broker_id host port rack
//       broker_id => INT32, host => COMPACT_STRING, port => INT32, rack => COMPACT_NULLABLE_STRING
//     cluster_authorized_operations => INT32 (-2147483648: not requested)

import { type ApiCodec, readNullableStr, readStr, readTags, writeNullableStr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'

export const EndpointType = { BROKERS: 1, CONTROLLERS: 2 } as const
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean
  /** v1+; 1 (brokers) below. */
  endpointType: number
}

export interface DescribeClusterBroker { brokerId: number, host: string, port: number, rack: string | null }

export interface DescribeClusterResponse {
  throttleTimeMs: number
  errorCode: number
  errorMessage: string | null
  /** v1+; 1 below. */
  endpointType: number
  clusterId: string
  controllerId: number
  brokers: DescribeClusterBroker[]
  clusterAuthorizedOperations: number
}

function readBroker (r: Reader): DescribeClusterBroker {
  const b = { brokerId: r.readInt32(), host: readStr(r, true), port: r.readInt32(), rack: readNullableStr(r, true) }
  readTags(r, true)
  return b
}

export const DescribeCluster: ApiCodec<DescribeClusterRequest, DescribeClusterResponse> = {
  key: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: 0,

  encodeRequest (w, version, req) {
    w.writeBoolean(req.includeClusterAuthorizedOperations)
    if (version >= 1) w.writeInt8(req.endpointType)
    writeTags(w, true)
  },

  decodeRequest (r, version) {
    const includeClusterAuthorizedOperations = r.readBoolean()
    const endpointType = version >= 1 ? r.readInt8() : EndpointType.BROKERS
    readTags(r, true)
    return { includeClusterAuthorizedOperations, endpointType }
  },

  encodeResponse (w, version, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode)
    writeNullableStr(w, true, res.errorMessage)
    if (version >= 1) w.writeInt8(res.endpointType)
    writeStr(w, true, res.clusterId)
    w.writeInt32(res.controllerId)
    w.writeCompactArray(res.brokers, (w, b) => {
      w.writeInt32(b.brokerId)
      writeStr(w, true, b.host)
      w.writeInt32(b.port)
      writeNullableStr(w, true, b.rack)
      writeTags(w, true)
    })
    w.writeInt32(res.clusterAuthorizedOperations)
    writeTags(w, true)
  },

  decodeResponse (r, version) {
    const throttleTimeMs = r.readInt32()
    const errorCode = r.readInt16()
    const errorMessage = readNullableStr(r, true)
    const endpointType = version >= 1 ? r.readInt8() : EndpointType.BROKERS
    const clusterId = readStr(r, true)
    const controllerId = r.readInt32()
    const brokers = r.readCompactArray(readBroker)
    const clusterAuthorizedOperations = r.readInt32()
    readTags(r, true)
    return { throttleTimeMs, errorCode, errorMessage, endpointType, clusterId, controllerId, brokers, clusterAuthorizedOperations }
  },
}
