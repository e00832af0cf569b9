// Sluice's embedded Toxiproxy: a TCP fault-injection proxy that speaks Toxiproxy's HTTP
// API, so the chaos harness drives it with the `toxiproxy-node-client` package exactly as
// it would drive a real Toxiproxy (for example the ghcr.io/shopify/toxiproxy container).
// It exists because no Toxiproxy binary can be installed on our machines.
//
// Implemented, following Shopify/toxiproxy v2 (api.go, proxy.go, link.go, toxics/*.go):
// - Routes: GET /version; POST /reset; GET and POST /proxies; POST /populate; GET, POST,
//   PATCH and DELETE /proxies/{proxy}; GET and POST /proxies/{proxy}/toxics; GET, POST,
//   PATCH and DELETE /proxies/{proxy}/toxics/{toxic}. Status codes, defaults and error
//   bodies (`{"error": "...", "status": N}`) as Toxiproxy's, including 200 (not 201) for a
//   new toxic, 409 for duplicate names and 403 for a User-Agent starting with `Mozilla/`.
// - Proxies: the listen address written back is the bound one (port 0 becomes the real
//   port) and is reused on re-enable; enabled=false closes the listener and both sockets of
//   every connection; a changed listen or upstream restarts the proxy; populate keeps an
//   identical proxy (toxics included) and replaces a differing one.
// - Toxics: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop,
//   with Toxiproxy's attributes and units. Toxicity is rolled per connection and direction
//   when the toxic starts on it. Adding a toxic applies it to live connections; removing
//   one flushes what it holds and splices it out (removing `timeout` closes the connections
//   it was active on).
//
// Differences from real Toxiproxy:
// - A proxy created without `listen` listens on 127.0.0.1:0, not on every interface.
// - A listen address that is not host:port is a 400 (Toxiproxy answers 500); an empty
//   upstream in an update is a 400; duplicate names inside one populate body are a 400.
// - Unknown paths get 404 and wrong methods 405 with the JSON error body; the 403 for
//   browsers has the JSON body too (Toxiproxy sends plain text).
// - A FIN from one side is passed on as a half-close instead of closing the other socket
//   outright; toxic-driven closes (timeout, limit_data) still close both sockets.
// - Toxicity is rolled once per link, and again only when that toxic is updated; Toxiproxy
//   also re-rolls a toxic when another is appended behind it. An update first lets through
//   what the toxic holds, then applies the new attributes. Removing or updating a reset_peer
//   whose reset is pending resets at once.
// - The HTTP-specific and newer experimental toxics are not implemented (400).
// - Everything is bounded (limits.ts): proxies, toxics per proxy, connections per proxy,
//   request body size, and bytes held per connection and direction (the source socket is
//   paused beyond that, so a bandwidth toxic pushes back on the sender instead of buffering).
// - GET /version reports `2.12.0-sluice`; there is no /metrics route.

import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatHostPort } from './address.ts'
import { forbiddenUserAgent, internalError, limitExceeded, listenFailed, routeNotFound, ToxiproxyApiError } from './errors.ts'
import { API_CONNECTIONS_MAX, REQUEST_BODY_BYTES_MAX } from './limits.ts'
import { ProxyCollection, route } from './routes.ts'
import type { ApiResponse } from './routes.ts'

export interface ToxiproxyServerOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 8474, Toxiproxy's; 0 picks any free port. */
  port?: number
  /** Receives one line per notable event (proxy started or stopped, upstream unreachable). */
  log?: (line: string) => void
}

export interface ToxiproxyServer {
  /** http://HOST:PORT, for `new Toxiproxy(url)`. */
  url: string
  port: number
  /** Closes the HTTP server, every proxy listener and every live connection. */
  close (): Promise<void>
}

export const TOXIPROXY_PORT_DEFAULT = 8474

/**
 * Starts the API on host:port. Fails with a ToxiproxyApiError (code ERR_TOXIPROXY_LISTEN)
 * when the address cannot be bound, e.g. a real Toxiproxy already holds 8474.
 */
export async function startToxiproxyServer (options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = options.host ?? '127.0.0.1'
  const log = options.log ?? (() => {})
  const collection = new ProxyCollection(log)
  const queue = new SerialQueue()
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, (request, response) => {
    handle(collection, queue, request, response).catch((error: unknown) => {
      log(`toxiproxy api: ${(error as Error).message}`)
      response.destroy()
    })
  })
  server.maxConnections = API_CONNECTIONS_MAX
  const port = options.port ?? TOXIPROXY_PORT_DEFAULT
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port }, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    throw listenFailed(formatHostPort(host, port), error as NodeJS.ErrnoException)
  }
  const address = server.address() as AddressInfo
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  log(`toxiproxy api listening on ${urlHost}:${address.port}`)

  let closing: Promise<void> | null = null
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close () {
      closing ??= (async () => {
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        // Behind any request still being served, so no proxy starts after we stopped them all.
        await queue.run(() => collection.closeAll())
        await httpClosed
      })()
      return closing
    },
  }
}

async function handle (collection: ProxyCollection, queue: SerialQueue, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let result: ApiResponse
  try {
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) throw forbiddenUserAgent()
    const bodyText = await readBody(request)
    const segments = pathSegments(request.url ?? '/')
    const method = request.method ?? 'GET'
    result = await queue.run(() => route(collection, method, segments, bodyText))
  } catch (error) {
    if (!(error instanceof ToxiproxyApiError)) collection.log(`toxiproxy api: unexpected error: ${(error as Error).stack ?? String(error)}`)
    const apiError = error instanceof ToxiproxyApiError ? error : internalError((error as Error).message)
    result = { status: apiError.status, body: apiError.toBody() }
  }
  if (result.body === undefined) {
    response.writeHead(result.status).end()
    return
  }
  const text = JSON.stringify(result.body)
  response.writeHead(result.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  response.end(text)
}

/**
 * Reads the whole request body as UTF-8. Past REQUEST_BODY_BYTES_MAX the rest is read and
 * dropped (so the error response can still be sent on the same connection) and the
 * request fails with a 400.
 */
function readBody (request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let sizeBytes = 0
    request.on('data', (part: Buffer) => {
      sizeBytes += part.length
      if (sizeBytes <= REQUEST_BODY_BYTES_MAX) parts.push(part)
    })
    request.once('error', reject)
    request.once('end', () => {
      if (sizeBytes > REQUEST_BODY_BYTES_MAX) {
        reject(limitExceeded(`request body is larger than ${REQUEST_BODY_BYTES_MAX} bytes`))
      } else {
        resolve(Buffer.concat(parts).toString('utf8'))
      }
    })
  })
}

/** `/proxies/a%2Fb/toxics` -> ['proxies', 'a/b', 'toxics']; an empty segment matches no route. */
function pathSegments (url: string): string[] {
  const pathname = new URL(url, 'http://localhost').pathname
  const segments = pathname.split('/').slice(1)
  if (segments.some((segment) => segment === '')) throw routeNotFound()
  try {
    return segments.map((segment) => decodeURIComponent(segment))
  } catch {
    throw routeNotFound()
  }
}

/** Runs async tasks one after another, in the order they were queued. */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()

  run<T> (task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task)
    this.#tail = result.catch(() => {})
    return result
  }
}
