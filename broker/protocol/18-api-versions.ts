// ApiVersions v0-3. Flexible from v3 (librdkafka and platformatic send v3 first).
//
//   Request v0-2 => (empty)
//   Request v3   => client_software_name compact_string, client_software_version compact_string, tags
//   Response v0  => error_code int16, api_keys [api_key int16, min_version int16, max_version int16]
//   Response v1-2 => v0 + throttle_time_ms int32
//   Response v3  => compact arrays with tags per entry, throttle_time_ms, tags
//
// The response header is always v0. A request version we do not know is answered with
// UNSUPPORTED_VERSION in v0 framing (see the server); the client then steps down.

import { type ApiCodec } from './api.ts'

export interface ApiVersionsRequest {
  clientSoftwareName: string | null
  clientSoftwareVersion: string | null
}

export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface ApiVersionsResponse {
  errorCode: number
  apiKeys: ApiVersionRange[]
  throttleTimeMs: number
}

export const ApiVersions: ApiCodec<ApiVersionsRequest, ApiVersionsResponse> = {
  key: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: 3,

  encodeRequest (w, version, req) {
    if (version >= 3) {
      w.writeCompactNullableString(req.clientSoftwareName)
      w.writeCompactNullableString(req.clientSoftwareVersion)
      w.writeTaggedFields()
    }
  },

  decodeRequest (r, version) {
    if (version < 3) return { clientSoftwareName: null, clientSoftwareVersion: null }
    // Clients send free-form names here; accept anything, including nulls.
    const clientSoftwareName = r.readCompactNullableString()
    const clientSoftwareVersion = r.readCompactNullableString()
    r.skipTaggedFields()
    return { clientSoftwareName, clientSoftwareVersion }
  },

  encodeResponse (w, version, res) {
    w.writeInt16(res.errorCode)
    if (version >= 3) {
      w.writeCompactArray(res.apiKeys, (w, k) => {
        w.writeInt16(k.apiKey).writeInt16(k.minVersion).writeInt16(k.maxVersion).writeTaggedFields()
      })
    } else {
      w.writeArray(res.apiKeys, (w, k) => { w.writeInt16(k.apiKey).writeInt16(k.minVersion).writeInt16(k.maxVersion) })
    }
    if (version >= 1) w.writeInt32(res.throttleTimeMs)
    if (version >= 3) w.writeTaggedFields()
  },

  decodeResponse (r, version) {
    const errorCode = r.readInt16()
    const readRange = (r: import('./reader.ts').Reader): ApiVersionRange => {
      const range = { apiKey: r.readInt16(), minVersion: r.readInt16(), maxVersion: r.readInt16() }
      if (version >= 3) r.skipTaggedFields()
      return range
    }
    const apiKeys = version >= 3 ? r.readCompactArray(readRange) : r.readArray(readRange)
    const throttleTimeMs = version >= 1 && r.remaining > 0 ? r.readInt32() : 0
    if (version >= 3) r.skipTaggedFields()
    return { errorCode, apiKeys, throttleTimeMs }
  },
}
