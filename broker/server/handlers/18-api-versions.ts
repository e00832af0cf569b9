// ApiVersions v0-3: the version range each API file declares. An unknown version is
// answered by the connection itself (error 35 in v0 framing) before it reaches here.

import { ErrorCode } from '../../protocol/errors.ts'
import { ApiVersions } from '../../protocol/18-api-versions.ts'
import { defineHandler, type HandlerRegistry } from '../handler.ts'

export function apiVersionsHandler (registry: () => HandlerRegistry) {
  return defineHandler(ApiVersions, () => ({ errorCode: ErrorCode.NONE, apiKeys: registry().advertised(), throttleTimeMs: 0 }))
}
