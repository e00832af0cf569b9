// Operating errors of the Toxiproxy-compatible API. Each carries the HTTP status real
// Toxiproxy answers with and the same message text (api.go), so a client that shows the
// server's `error` string reads the same words whichever server it talks to. The `code`
// is stable for our own callers; none is retriable, because repeating the same request
// against the same state fails the same way.

export type ToxiproxyErrorCode =
  | 'ERR_TOXIPROXY_BAD_REQUEST_BODY' // 400: not JSON, wrong field types, bad address
  | 'ERR_TOXIPROXY_MISSING_FIELD' // 400: name or upstream absent
  | 'ERR_TOXIPROXY_INVALID_STREAM' // 400: stream is neither upstream nor downstream
  | 'ERR_TOXIPROXY_INVALID_TOXIC_TYPE' // 400: unknown toxic type
  | 'ERR_TOXIPROXY_LIMIT' // 400: a bound of this server (proxies, toxics, body size)
  | 'ERR_TOXIPROXY_FORBIDDEN' // 403: browser user agent
  | 'ERR_TOXIPROXY_PROXY_NOT_FOUND' // 404
  | 'ERR_TOXIPROXY_TOXIC_NOT_FOUND' // 404
  | 'ERR_TOXIPROXY_ROUTE_NOT_FOUND' // 404: no such path
  | 'ERR_TOXIPROXY_METHOD_NOT_ALLOWED' // 405
  | 'ERR_TOXIPROXY_PROXY_EXISTS' // 409
  | 'ERR_TOXIPROXY_TOXIC_EXISTS' // 409
  | 'ERR_TOXIPROXY_LISTEN' // 500: the listen address could not be bound
  | 'ERR_TOXIPROXY_INTERNAL' // 500: a bug of this server, reported instead of crashing it

/** The JSON body of every error response, as Toxiproxy writes it. */
export interface ToxiproxyErrorBody {
  error: string
  status: number
}

export class ToxiproxyApiError extends Error {
  readonly code: ToxiproxyErrorCode
  readonly status: number
  readonly retriable = false
  constructor (code: ToxiproxyErrorCode, status: number, message: string) {
    super(message)
    this.name = 'ToxiproxyApiError'
    this.code = code
    this.status = status
  }

  toBody (): ToxiproxyErrorBody {
    return { error: this.message, status: this.status }
  }
}

export function badRequestBody (detail: string): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_BAD_REQUEST_BODY', 400, `bad request body: ${detail}`)
}

export function missingField (detail: string): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_MISSING_FIELD', 400, `missing required field: ${detail}`)
}

export function invalidStream (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_INVALID_STREAM', 400,
    'stream was invalid, can be either upstream or downstream')
}

export function invalidToxicType (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_INVALID_TOXIC_TYPE', 400, 'invalid toxic type')
}

export function limitExceeded (detail: string): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_LIMIT', 400, `limit exceeded: ${detail}`)
}

export function forbiddenUserAgent (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_FORBIDDEN', 403, 'User agent not allowed')
}

export function proxyNotFound (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_PROXY_NOT_FOUND', 404, 'proxy not found')
}

export function toxicNotFound (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_TOXIC_NOT_FOUND', 404, 'toxic not found')
}

export function routeNotFound (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_ROUTE_NOT_FOUND', 404, '404 page not found')
}

export function methodNotAllowed (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_METHOD_NOT_ALLOWED', 405, 'method not allowed')
}

export function proxyExists (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_PROXY_EXISTS', 409, 'proxy already exists')
}

export function toxicExists (): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_TOXIC_EXISTS', 409, 'toxic already exists')
}

/** Worded like Go's net.Listen error, e.g. `listen tcp 127.0.0.1:8474: bind: address already in use`. */
export function listenFailed (address: string, cause: NodeJS.ErrnoException): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_LISTEN', 500, `listen tcp ${address}: ${describeListenError(cause)}`)
}

/** Go's wording for the common bind failures, so messages match real Toxiproxy's. */
function describeListenError (error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE': return 'bind: address already in use'
    case 'EADDRNOTAVAIL': return 'bind: cannot assign requested address'
    case 'EACCES': return 'bind: permission denied'
    default: return error.message
  }
}

export function internalError (message: string): ToxiproxyApiError {
  return new ToxiproxyApiError('ERR_TOXIPROXY_INTERNAL', 500, message)
}
