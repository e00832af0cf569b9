// CreatePartitions v0-3 (flexible from v2). kafkajs sends v1 (admin.createPartitions),
// platformatic v3. Raises a topic's partition count to `count`; manual assignments name
// broker ids per new partition (one node here, so only [[nodeId], ...] can be honoured).
//
//   Request  => topics [name string, count int32, assignments nullable [broker_ids [int32]]],
//               timeout_ms int32, validate_only boolean
//   Response => throttle_time_ms int32, results [name string, error_code int16, error_message nullable string]

import {
  type ApiCodec, readArr, readInt32Arr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeInt32Arr, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'

export interface CreatePartitionsTopic {
  name: string
  /** The new total number of partitions. */
  count: number
  /** Broker ids for each new partition; null lets the broker choose. */
  assignments: Array<{ brokerIds: number[] }> | null
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[]
  timeoutMs: number
  validateOnly: boolean
}

export interface CreatePartitionsResult {
  name: string
  errorCode: number
  errorMessage: string | null
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number
  results: CreatePartitionsResult[]
}

const FLEXIBLE_VERSION = 2

export const CreatePartitions: ApiCodec<CreatePartitionsRequest, CreatePartitionsResponse> = {
  key: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeArr(w, flex, req.topics, (w, t) => {
      writeStr(w, flex, t.name)
      w.writeInt32(t.count)
      writeNullableArr(w, flex, t.assignments, (w, a) => {
        writeInt32Arr(w, flex, a.brokerIds)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    w.writeInt32(req.timeoutMs).writeBoolean(req.validateOnly)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const readAssignment = (r: Reader): { brokerIds: number[] } => {
      const brokerIds = readInt32Arr(r, flex)
      readTags(r, flex)
      return { brokerIds }
    }
    const topics = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const count = r.readInt32()
      const assignments = readNullableArr(r, flex, readAssignment)
      readTags(r, flex)
      return { name, count, assignments }
    })
    const timeoutMs = r.readInt32()
    const validateOnly = r.readBoolean()
    readTags(r, flex)
    return { topics, timeoutMs, validateOnly }
  },

  encodeResponse (w, version, res) {
    const flex = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    writeArr(w, flex, res.results, (w, t) => {
      writeStr(w, flex, t.name)
      w.writeInt16(t.errorCode)
      writeNullableStr(w, flex, t.errorMessage)
      writeTags(w, flex)
    })
    writeTags(w, flex)
  },

  decodeResponse (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const results = readArr(r, flex, r => {
      const name = readStr(r, flex)
      const errorCode = r.readInt16()
      const errorMessage = readNullableStr(r, flex)
      readTags(r, flex)
      return { name, errorCode, errorMessage }
    })
    readTags(r, flex)
    return { throttleTimeMs, results }
  },
}
