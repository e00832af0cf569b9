// Request header v1/v2 and response header v0/v1.
//
//   RequestHeader v1 => api_key int16, api_version int16, correlation_id int32, client_id nullable_string
//   RequestHeader v2 => v1 + tagged fields (client_id stays a classic string)
//   ResponseHeader v0 => correlation_id int32
//   ResponseHeader v1 => correlation_id int32, tagged fields
//
// ApiVersions responses always use header v0, whatever their version, so a client that
// sent a version we do not know can still read our UNSUPPORTED_VERSION answer.

import type { ApiCodec } from './api.ts'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export const API_VERSIONS_KEY = 18

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/** Reads the fixed part every request header version shares. */
export function readRequestHeaderPrefix (r: Reader): Omit<RequestHeader, 'clientId'> {
  return { apiKey: r.readInt16(), apiVersion: r.readInt16(), correlationId: r.readInt32() }
}

/** Reads the rest of the header once the codec (and so flexibility) is known. */
export function readRequestHeaderRest (r: Reader, flexible: boolean): string | null {
  const clientId = r.readNullableString()
  if (flexible) r.skipTaggedFields()
  return clientId
}

export function writeRequestHeader (w: Writer, codec: ApiCodec<unknown, unknown>, version: number, correlationId: number, clientId: string | null): void {
  w.writeInt16(codec.key).writeInt16(version).writeInt32(correlationId).writeNullableString(clientId)
  if (version >= codec.flexibleVersion) w.writeTaggedFields()
}

export function responseHeaderIsFlexible (apiKey: number, version: number, flexibleVersion: number): boolean {
  return apiKey !== API_VERSIONS_KEY && version >= flexibleVersion
}

export function writeResponseHeader (w: Writer, codec: ApiCodec<unknown, unknown>, version: number, correlationId: number): void {
  w.writeInt32(correlationId)
  if (responseHeaderIsFlexible(codec.key, version, codec.flexibleVersion)) w.writeTaggedFields()
}

export function readResponseHeader (r: Reader, codec: ApiCodec<unknown, unknown>, version: number): number {
  const correlationId = r.readInt32()
  if (responseHeaderIsFlexible(codec.key, version, codec.flexibleVersion)) r.skipTaggedFields()
  return correlationId
}
