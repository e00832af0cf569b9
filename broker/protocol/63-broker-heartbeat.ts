// BrokerHeartbeat v0-1 (flexible from v0): a broker tells the active controller it is
// alive and how far it has replayed the metadata log; the controller answers whether it
// is caught up, fenced, and whether it may finish a controlled shutdown. v1 adds the
// offline log directories as tagged field 0.
//
//   BrokerHeartbeatRequest => broker_id broker_epoch current_metadata_offset want_fence
//                             want_shut_down TAG_BUFFER
//     broker_id => INT32, broker_epoch => INT64, current_metadata_offset => INT64
//     want_fence => BOOLEAN, want_shut_down => BOOLEAN
//     tag 0 (v1+): offline_log_dirs => COMPACT_ARRAY of UUID
//
//   BrokerHeartbeatResponse => throttle_time_ms error_code is_caught_up is_fenced should_shut_down
//     throttle_time_ms => INT32, error_code => INT16
//     is_caught_up => BOOLEAN, is_fenced => BOOLEAN, should_shut_down => BOOLEAN

import { type ApiCodec, readTags, writeTags } from './api.ts'
import { readTagged, writeTagged } from './tagged.ts'
import { readUuidText as readUuidItem, writeUuidText as writeUuidItem } from './uuid.ts'

export interface BrokerHeartbeatRequest {
  brokerId: number
  brokerEpoch: number
  currentMetadataOffset: number
  wantFence: boolean
  wantShutDown: boolean
  /** v1+ (tagged); empty below. */
  offlineLogDirs: string[]
}

export interface BrokerHeartbeatResponse {
  throttleTimeMs: number
  errorCode: number
  isCaughtUp: boolean
  isFenced: boolean
  shouldShutDown: boolean
}

export const BrokerHeartbeat: ApiCodec<BrokerHeartbeatRequest, BrokerHeartbeatResponse> = {
  key: 63,
  name: 'BrokerHeartbeat',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: 0,

  encodeRequest (w, version, req) {
    w.writeInt32(req.brokerId).writeInt64(req.brokerEpoch).writeInt64(req.currentMetadataOffset)
    w.writeBoolean(req.wantFence).writeBoolean(req.wantShutDown)
    const dirs = version >= 1 ? req.offlineLogDirs : []
    writeTagged(w, dirs.length > 0 ? [[0, w => { w.writeCompactArray(dirs, writeUuidItem) }]] : [])
  },

  decodeRequest (r, version) {
    const brokerId = r.readInt32()
    const brokerEpoch = r.readInt64()
    const currentMetadataOffset = r.readInt64()
    const wantFence = r.readBoolean()
    const wantShutDown = r.readBoolean()
    let offlineLogDirs: string[] = []
    readTagged(r, (tag, f) => {
      if (tag === 0 && version >= 1) offlineLogDirs = f.readCompactArray(readUuidItem)
      else f.readRaw(f.remaining)
    })
    return { brokerId, brokerEpoch, currentMetadataOffset, wantFence, wantShutDown, offlineLogDirs }
  },

  encodeResponse (w, _version, res) {
    w.writeInt32(res.throttleTimeMs).writeInt16(res.errorCode)
    w.writeBoolean(res.isCaughtUp).writeBoolean(res.isFenced).writeBoolean(res.shouldShutDown)
    writeTags(w, true)
  },

  decodeResponse (r) {
    const res = { throttleTimeMs: r.readInt32(), errorCode: r.readInt16(), isCaughtUp: r.readBoolean(), isFenced: r.readBoolean(), shouldShutDown: r.readBoolean() }
    readTags(r, true)
    return res
  },
}
