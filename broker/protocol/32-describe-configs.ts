// DescribeConfigs v0-3 (flexible from v4, which this codec also handles). v0 says whether
// a value is a default with is_default; v1+ say where it came from with config_source and
// may list synonyms. configuration_keys null = every key of the resource.
//
//   DescribeConfigsRequest => [resources] include_synonyms include_documentation
//     resources => resource_type INT8, resource_name STRING, [configuration_keys STRING] (nullable)
//     include_synonyms => BOOLEAN (v1+)
//     include_documentation => BOOLEAN (v3+)
//
//   DescribeConfigsResponse => throttle_time_ms [results]
//     throttle_time_ms => INT32
//     results => error_code error_message resource_type resource_name [configs]
//       error_code => INT16
//       error_message => NULLABLE_STRING
//       resource_type => INT8
//       resource_name => STRING
//       configs => name value read_only is_default config_source is_sensitive [synonyms] config_type documentation
//         name => STRING
//         value => NULLABLE_STRING
//         read_only => BOOLEAN
//         is_default => BOOLEAN (v0 only)
//         config_source => INT8 (v1+, default -1)
//         is_sensitive => BOOLEAN
//         synonyms => name STRING, value NULLABLE_STRING, source INT8 (v1+)
//         config_type => INT8 (v3+, default 0)
//         documentation => NULLABLE_STRING (v3+)

import {
  type ApiCodec, readArr, readNullableArr, readNullableStr, readStr, readTags,
  writeArr, writeErrorMessage, writeNullableArr, writeNullableStr, writeStr, writeTags,
} from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

const FLEXIBLE_VERSION = 4

export const ConfigResourceType = { unknown: 0, topic: 2, broker: 4, brokerLogger: 8 } as const

export const ConfigSource = {
  unknown: 0,
  dynamicTopicConfig: 1,
  dynamicBrokerConfig: 2,
  dynamicDefaultBrokerConfig: 3,
  staticBrokerConfig: 4,
  defaultConfig: 5,
  dynamicBrokerLoggerConfig: 6,
} as const

export const ConfigType = {
  unknown: 0, boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9,
} as const

export interface DescribeConfigsResource {
  resourceType: number
  resourceName: string
  /** null = all keys. */
  configurationKeys: string[] | null
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[]
  includeSynonyms: boolean
  includeDocumentation: boolean
}

export interface DescribeConfigsSynonym {
  name: string
  value: string | null
  source: number
}

export interface DescribeConfigsEntry {
  name: string
  value: string | null
  readOnly: boolean
  /** Sent in v0 only; false when decoding v1+. */
  isDefault: boolean
  /** Sent in v1+ only; -1 when decoding v0. */
  configSource: number
  isSensitive: boolean
  synonyms: DescribeConfigsSynonym[]
  configType: number
  documentation: string | null
}

export interface DescribeConfigsResult {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
  configs: DescribeConfigsEntry[]
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number
  results: DescribeConfigsResult[]
}

function writeEntry (w: Writer, version: number, c: DescribeConfigsEntry): void {
  const flexible = version >= FLEXIBLE_VERSION
  writeStr(w, flexible, c.name)
  writeNullableStr(w, flexible, c.value)
  w.writeBoolean(c.readOnly)
  if (version === 0) w.writeBoolean(c.isDefault)
  else w.writeInt8(c.configSource)
  w.writeBoolean(c.isSensitive)
  if (version >= 1) {
    writeArr(w, flexible, c.synonyms, (w, s) => {
      writeStr(w, flexible, s.name)
      writeNullableStr(w, flexible, s.value)
      w.writeInt8(s.source)
      writeTags(w, flexible)
    })
  }
  if (version >= 3) {
    w.writeInt8(c.configType)
    writeNullableStr(w, flexible, c.documentation)
  }
  writeTags(w, flexible)
}

function readEntry (r: Reader, version: number): DescribeConfigsEntry {
  const flexible = version >= FLEXIBLE_VERSION
  const name = readStr(r, flexible)
  const value = readNullableStr(r, flexible)
  const readOnly = r.readBoolean()
  const isDefault = version === 0 ? r.readBoolean() : false
  const configSource = version >= 1 ? r.readInt8() : -1
  const isSensitive = r.readBoolean()
  const synonyms = version >= 1
    ? readArr(r, flexible, r => {
      const s = { name: readStr(r, flexible), value: readNullableStr(r, flexible), source: r.readInt8() }
      readTags(r, flexible)
      return s
    })
    : []
  const configType = version >= 3 ? r.readInt8() : ConfigType.unknown
  const documentation = version >= 3 ? readNullableStr(r, flexible) : null
  readTags(r, flexible)
  return { name, value, readOnly, isDefault, configSource, isSensitive, synonyms, configType, documentation }
}

export const DescribeConfigs: ApiCodec<DescribeConfigsRequest, DescribeConfigsResponse> = {
  key: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: FLEXIBLE_VERSION,

  encodeRequest (w, version, req) {
    const flexible = version >= FLEXIBLE_VERSION
    writeArr(w, flexible, req.resources, (w, res) => {
      w.writeInt8(res.resourceType)
      writeStr(w, flexible, res.resourceName)
      writeNullableArr(w, flexible, res.configurationKeys, (w, k) => writeStr(w, flexible, k))
      writeTags(w, flexible)
    })
    if (version >= 1) w.writeBoolean(req.includeSynonyms)
    if (version >= 3) w.writeBoolean(req.includeDocumentation)
    writeTags(w, flexible)
  },

  decodeRequest (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const resources = readArr(r, flexible, r => {
      const resourceType = r.readInt8()
      const resourceName = readStr(r, flexible)
      const configurationKeys = readNullableArr(r, flexible, r => readStr(r, flexible))
      readTags(r, flexible)
      return { resourceType, resourceName, configurationKeys }
    })
    const includeSynonyms = version >= 1 ? r.readBoolean() : false
    const includeDocumentation = version >= 3 ? r.readBoolean() : false
    readTags(r, flexible)
    return { resources, includeSynonyms, includeDocumentation }
  },

  encodeResponse (w, version, res) {
    const flexible = version >= FLEXIBLE_VERSION
    w.writeInt32(res.throttleTimeMs)
    writeArr(w, flexible, res.results, (w, result) => {
      w.writeInt16(result.errorCode)
      writeErrorMessage(w, flexible, result.errorMessage)
      w.writeInt8(result.resourceType)
      writeStr(w, flexible, result.resourceName)
      writeArr(w, flexible, result.configs, (w, c) => writeEntry(w, version, c))
      writeTags(w, flexible)
    })
    writeTags(w, flexible)
  },

  decodeResponse (r, version) {
    const flexible = version >= FLEXIBLE_VERSION
    const throttleTimeMs = r.readInt32()
    const results = readArr(r, flexible, r => {
      const errorCode = r.readInt16()
      const errorMessage = readNullableStr(r, flexible)
      const resourceType = r.readInt8()
      const resourceName = readStr(r, flexible)
      const configs = readArr(r, flexible, r => readEntry(r, version))
      readTags(r, flexible)
      return { errorCode, errorMessage, resourceType, resourceName, configs }
    })
    readTags(r, flexible)
    return { throttleTimeMs, results }
  },
}
