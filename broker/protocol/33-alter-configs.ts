// AlterConfigs v0-2 (flexible from v2). kafkajs sends v1 (admin.alterConfigs), platformatic
// v2. Replaces a resource's configs: every key not named goes back to its default. The
// response shape is shared with IncrementalAlterConfigs (44).
//
//   Request  => resources [resource_type int8, resource_name string,
//                          configs [name string, value nullable string]], validate_only boolean
//   Response => throttle_time_ms int32, responses [error_code int16, error_message nullable string,
//                                                  resource_type int8, resource_name string]

import { type ApiCodec, readArr, readNullableStr, readStr, readTags, writeArr, writeNullableStr, writeStr, writeTags } from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export interface AlterConfigsResource {
  resourceType: number
  resourceName: string
  configs: Array<{ name: string, value: string | null }>
}

export interface AlterConfigsRequest {
  resources: AlterConfigsResource[]
  validateOnly: boolean
}

export interface AlterConfigsResourceResponse {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
}

export interface AlterConfigsResponse {
  throttleTimeMs: number
  responses: AlterConfigsResourceResponse[]
}

const FLEXIBLE_VERSION = 2

export function writeAlterConfigsResponse (w: Writer, flex: boolean, res: AlterConfigsResponse): void {
  w.writeInt32(res.throttleTimeMs)
  writeArr(w, flex, res.responses, (w, r) => {
    w.writeInt16(r.errorCode)
    writeNullableStr(w, flex, r.errorMessage)
    w.writeInt8(r.resourceType)
    writeStr(w, flex, r.resourceName)
    writeTags(w, flex)
  })
  writeTags(w, flex)
}

export function readAlterConfigsResponse (r: Reader, flex: boolean): AlterConfigsResponse {
  const throttleTimeMs = r.readInt32()
  const responses = readArr(r, flex, r => {
    const errorCode = r.readInt16()
    const errorMessage = readNullableStr(r, flex)
    const resourceType = r.readInt8()
    const resourceName = readStr(r, flex)
    readTags(r, flex)
    return { errorCode, errorMessage, resourceType, resourceName }
  })
  readTags(r, flex)
  return { throttleTimeMs, responses }
}

export const AlterConfigs: ApiCodec<AlterConfigsRequest, AlterConfigsResponse> = {
  key: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flex = version >= FLEXIBLE_VERSION
    writeArr(w, flex, req.resources, (w, res) => {
      w.writeInt8(res.resourceType)
      writeStr(w, flex, res.resourceName)
      writeArr(w, flex, res.configs, (w, c) => {
        writeStr(w, flex, c.name)
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
        const value = readNullableStr(r, flex)
        readTags(r, flex)
        return { name, value }
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
