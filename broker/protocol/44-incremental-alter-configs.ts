// IncrementalAlterConfigs v0-1 (flexible from v1). platformatic sends v1. Changes only the
// named keys: SET (0) a value, DELETE (1) back to the default, APPEND (2) / SUBTRACT (3)
// items of a list-typed key. The response is AlterConfigs' (33).
//
//   Request  => resources [resource_type int8, resource_name string,
//                          configs [name string, config_operation int8, value nullable string]],
//               validate_only boolean
//   Response => throttle_time_ms int32, responses [error_code int16, error_message nullable string,
//                                                  resource_type int8, resource_name string]

import { type ApiCodec, readArr, readNullableStr, readStr, readTags, writeArr, writeNullableStr, writeStr, writeTags } from './api.ts'
import { readAlterConfigsResponse, writeAlterConfigsResponse, type AlterConfigsResponse } from './33-alter-configs.ts'

export const ConfigOperation = { set: 0, delete: 1, append: 2, subtract: 3 } as const

export interface IncrementalAlterConfigsResource {
  resourceType: number
  resourceName: string
  configs: Array<{ name: string, configOperation: number, value: string | null }>
}

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsResource[]
  validateOnly: boolean
}

const FLEXIBLE_VERSION = 1

export const IncrementalAlterConfigs: ApiCodec<IncrementalAlterConfigsRequest, AlterConfigsResponse> = {
  key: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeArr(w, flex, req.resources, (w, res) => {
      w.writeInt8(res.resourceType)
      writeStr(w, flex, res.resourceName)
      writeArr(w, flex, res.configs, (w, c) => {
        writeStr(w, flex, c.name)
        w.writeInt8(c.configOperation)
        writeNullableStr(w, flex, c.value)
        writeTags(w, flex)
      })
      writeTags(w, flex)
    })
    w.writeBoolean(req.validateOnly)
    writeTags(w, flex)
  },

  decodeRequest (r, version) {
    const flex = version >= FLEXIBLE_VERSION
    const resources = readArr(r, flex, r => {
      const resourceType = r.readInt8()
      const resourceName = readStr(r, flex)
      const configs = readArr(r, flex, r => {
        const name = readStr(r, flex)
        const configOperation = r.readInt8()
        const value = readNullableStr(r, flex)
        readTags(r, flex)
        return { name, configOperation, value }
      })
      readTags(r, flex)
      return { resourceType, resourceName, configs }
    })
    const validateOnly = r.readBoolean()
    readTags(r, flex)
    return { resources, validateOnly }
  },

  encodeResponse (w, version, res) { writeAlterConfigsResponse(w, version >= FLEXIBLE_VERSION, res) },
  decodeResponse (r, version) { return readAlterConfigsResponse(r, version >= FLEXIBLE_VERSION) },
}
