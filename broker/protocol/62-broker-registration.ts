// BrokerRegistration v0-4 (flexible from v0): a broker announces itself to the active
// controller, which answers with the broker epoch to use in heartbeats. Sent to the
// controller listener only; not in the client-facing ApiVersions list.
//
//   BrokerRegistrationRequest => broker_id cluster_id incarnation_id [listeners] [features]
//                                rack is_migrating_zk_broker [log_dirs] previous_broker_epoch
//     broker_id => INT32
//     cluster_id => COMPACT_STRING
//     incarnation_id => UUID
//     listeners => name host port security_protocol
//       name => COMPACT_STRING, host => COMPACT_STRING, port => UINT16, security_protocol => INT16
//     features => name min_supported_version max_supported_version
//       name => COMPACT_STRING, min_supported_version => INT16, max_supported_version => INT16
//     rack => COMPACT_NULLABLE_STRING
//     is_migrating_zk_broker => BOOLEAN (v1+)
//     log_dirs => UUID (v2+)
//     previous_broker_epoch => INT64 (v3+, default -1)
//
//   BrokerRegistrationResponse => throttle_time_ms error_code broker_epoch
//     throttle_time_ms => INT32, error_code => INT16, broker_epoch => INT64 (-1: none)

import { type ApiCodec, readStr, readNullableStr, readTags, writeStr, writeNullableStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'
import { readUuidText as readUuidItem, writeUuidText as writeUuidItem } from './uuid.ts'

export interface RegistrationListener { name: string, host: string, port: number, securityProtocol: number }
export interface RegistrationFeature { name: string, minSupportedVersion: number, maxSupportedVersion: number }

export interface BrokerRegistrationRequest {
  brokerId: number
  clusterId: string
  incarnationId: string
  listeners: RegistrationListener[]
  features: RegistrationFeature[]
  rack: string | null
  /** v1+; false below. */
  isMigratingZkBroker: boolean
  /** v2+; empty below. */
  logDirs: string[]
  /** v3+; -1 below. */
  previousBrokerEpoch: number
}

export interface BrokerRegistrationResponse {
  throttleTimeMs: number
  errorCode: number
  brokerEpoch: number
}

function readListener (r: Reader): RegistrationListener {
  const l = { name: readStr(r, true), host: readStr(r, true), port: r.readInt16() & 0xffff, securityProtocol: r.readInt16() }
  readTags(r, true)
  return l
}

function readFeature (r: Reader): RegistrationFeature {
  const f = { name: readStr(r, true), minSupportedVersion: r.readInt16(), maxSupportedVersion: r.readInt16() }
  readTags(r, true)
  return f
}

export const BrokerRegistration: ApiCodec<BrokerRegistrationRequest, BrokerRegistrationResponse> = {
  key: 62,
  name: 'BrokerRegistration',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersion: 0,

  encodeRequest (w, version, req) {
    w.writeInt32(req.brokerId)
    writeStr(w, true, req.clusterId)
    writeUuidItem(w, req.incarnationId)
    w.writeCompactArray(req.listeners, (w, l) => {
      writeStr(w, true, l.name)
      writeStr(w, true, l.host)
      w.writeInt16(l.port << 16 >> 16).writeInt16(l.securityProtocol)
      writeTags(w, true)
    })
    w.writeCompactArray(req.features, (w, f) => {
      writeStr(w, true, f.name)
      w.writeInt16(f.minSupportedVersion).writeInt16(f.maxSupportedVersion)
      writeTags(w, true)
    })
    writeNullableStr(w, true, req.rack)
    if (version >= 1) w.writeBoolean(req.isMigratingZkBroker)
    if (version >= 2) w.writeCompactArray(req.logDirs, writeUuidItem)
    if (version >= 3) w.writeInt64(req.previousBrokerEpoch)
    writeTags(w, true)
  },

  decodeRequest (r, version) {
    const brokerId = r.readInt32()
    const clusterId = readStr(r, true)
    const incarnationId = readUuidItem(r)
    const listeners = r.readCompactArray(readListener)
    const features = r.readCompactArray(readFeature)
    const rack = readNullableStr(r, true)
    const isMigratingZkBroker = version >= 1 ? r.readBoolean() : false
    const logDirs = version >= 2 ? r.readCompactArray(readUuidItem) : []
    const previousBrokerEpoch = version >= 3 ? r.readInt64() : -1
    readTags(r, true)
    return { brokerId, clusterId, incarnationId, listeners, features, rack, isMigratingZkBroker, logDirs, previousBrokerEpoch }
  },

  encodeResponse (w, _version, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode).writeInt64(res.brokerEpoch)
    writeTags(w, true)
  },

  decodeResponse (r) {
    const res = { throttleTimeMs: r.readInt32(), errorCode: r.readInt16(), brokerEpoch: r.readInt64() }
    readTags(r, true)
    return res
  },
}
