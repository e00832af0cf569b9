// The Toxiproxy HTTP API over the proxy collection, one handler per route of api.go, with
// the same status codes, defaults and error texts. Handlers run one at a time (server.ts
// serializes them), so a handler may await a listener opening or closing without another
// request seeing a half-changed proxy.

import { normalizeListen } from './address.ts'
import {
  badRequestBody, limitExceeded, methodNotAllowed, missingField, proxyExists, proxyNotFound,
  routeNotFound, toxicNotFound, ToxiproxyApiError,
} from './errors.ts'
import { NAME_LENGTH_MAX, PROXIES_MAX } from './limits.ts'
import { TcpProxy } from './proxy.ts'
import type { ProxyJson } from './proxy.ts'
import { expectObject, optionalBoolean, optionalString, parseToxicCreate, toxicJson } from './toxic-spec.ts'

/** Reported by GET /version: the Toxiproxy API level this server follows, marked as Sluice's. */
export const TOXIPROXY_VERSION = '2.12.0-sluice'

/** Where a proxy listens when a create or populate body gives no listen address. */
const LISTEN_DEFAULT = '127.0.0.1:0'

export interface ApiResponse {
  status: number
  /** Sent as JSON; undefined sends no body (204). */
  body?: unknown
}

export class ProxyCollection {
  readonly proxies = new Map<string, TcpProxy>()
  readonly log: (line: string) => void

  constructor (log: (line: string) => void) {
    this.log = log
  }

  get (name: string): TcpProxy {
    const proxy = this.proxies.get(name)
    if (proxy === undefined) throw proxyNotFound()
    return proxy
  }

  async closeAll (): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()))
  }
}

/** Dispatches one request. `bodyText` is parsed only by routes that read a body. */
export async function route (collection: ProxyCollection, method: string, segments: string[], bodyText: string): Promise<ApiResponse> {
  const body = (): unknown => parseBody(bodyText)
  const [first, name, third, toxicName, ...rest] = segments
  if (rest.length > 0) throw routeNotFound()
  if (segments.length === 1 && first === 'version') {
    return only(method, ['GET'], () => ({ status: 200, body: { version: TOXIPROXY_VERSION } }))
  }
  if (segments.length === 1 && first === 'reset') return onlyAsync(method, ['POST'], () => reset(collection))
  if (segments.length === 1 && first === 'populate') return onlyAsync(method, ['POST'], () => populate(collection, body()))
  if (first !== 'proxies') throw routeNotFound()
  if (name === undefined) {
    if (method === 'GET') return { status: 200, body: proxyIndex(collection) }
    return onlyAsync(method, ['POST'], () => createProxy(collection, body()))
  }
  if (third === undefined) {
    if (method === 'GET') return { status: 200, body: collection.get(name).toJSON() }
    if (method === 'DELETE') return deleteProxy(collection, name)
    return onlyAsync(method, ['POST', 'PATCH'], () => updateProxy(collection, name, body))
  }
  if (third !== 'toxics') throw routeNotFound()
  if (toxicName === undefined) {
    const proxy = collection.get(name)
    if (method === 'GET') return { status: 200, body: proxy.toxics().map(toxicJson) }
    return only(method, ['POST'], () => {
      const spec = parseToxicCreate(body())
      proxy.addToxic(spec)
      return { status: 200, body: toxicJson(spec) }
    })
  }
  const proxy = collection.get(name)
  if (method === 'GET') {
    const spec = proxy.findToxic(toxicName)
    if (spec === undefined) throw toxicNotFound()
    return { status: 200, body: toxicJson(spec) }
  }
  if (method === 'DELETE') {
    proxy.removeToxic(toxicName)
    return { status: 204 }
  }
  return only(method, ['POST', 'PATCH'], () => {
    if (proxy.findToxic(toxicName) === undefined) throw toxicNotFound()
    return { status: 200, body: toxicJson(proxy.updateToxic(toxicName, body())) }
  })
}

function only (method: string, allowed: string[], handler: () => ApiResponse): ApiResponse {
  if (!allowed.includes(method)) throw methodNotAllowed()
  return handler()
}

async function onlyAsync (method: string, allowed: string[], handler: () => Promise<ApiResponse>): Promise<ApiResponse> {
  if (!allowed.includes(method)) throw methodNotAllowed()
  return handler()
}

/** Go's decoder reports an empty body as EOF; we keep its wording. */
function parseBody (text: string): unknown {
  if (text.trim() === '') throw badRequestBody('EOF')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw badRequestBody((error as Error).message)
  }
}

function proxyIndex (collection: ProxyCollection): Record<string, ProxyJson> {
  const index: Record<string, ProxyJson> = {}
  const names = [...collection.proxies.keys()].sort()
  for (const name of names) index[name] = collection.proxies.get(name)!.toJSON()
  return index
}

interface ProxyInput {
  name: string
  listen: string
  upstream: string
  enabled: boolean
}

/** Validates one proxy of a create or populate body; `where` qualifies missing-field errors. */
function parseProxyInput (value: unknown, where: string): ProxyInput {
  const input = expectObject(value, 'proxy')
  const name = optionalString(input, 'name') ?? ''
  const upstream = optionalString(input, 'upstream') ?? ''
  const listen = optionalString(input, 'listen') ?? ''
  const enabled = optionalBoolean(input, 'enabled') ?? true
  if (name === '') throw missingField(`name${where}`)
  if (upstream === '') throw missingField(`upstream${where}`)
  if (name.length > NAME_LENGTH_MAX) throw badRequestBody(`name is longer than ${NAME_LENGTH_MAX} characters`)
  const normalized = normalizeListen(listen === '' ? LISTEN_DEFAULT : listen)
  return { name, listen: normalized, upstream, enabled }
}

async function createProxy (collection: ProxyCollection, body: unknown): Promise<ApiResponse> {
  const input = parseProxyInput(body, '')
  if (collection.proxies.has(input.name)) throw proxyExists()
  if (collection.proxies.size >= PROXIES_MAX) throw limitExceeded(`at most ${PROXIES_MAX} proxies`)
  const proxy = new TcpProxy({ name: input.name, listen: input.listen, upstream: input.upstream, log: collection.log })
  if (input.enabled) await proxy.start()
  collection.proxies.set(input.name, proxy)
  return { status: 201, body: proxy.toJSON() }
}

async function updateProxy (collection: ProxyCollection, name: string, body: () => unknown): Promise<ApiResponse> {
  const proxy = collection.get(name)
  const input = expectObject(body(), 'proxy')
  const listen = optionalString(input, 'listen') ?? proxy.listen
  const upstream = optionalString(input, 'upstream') ?? proxy.upstream
  const enabled = optionalBoolean(input, 'enabled') ?? proxy.enabled
  if (upstream === '') throw missingField('upstream')
  await proxy.update({ listen: listen === '' ? LISTEN_DEFAULT : listen, upstream, enabled })
  return { status: 200, body: proxy.toJSON() }
}

async function deleteProxy (collection: ProxyCollection, name: string): Promise<ApiResponse> {
  const proxy = collection.get(name)
  await proxy.stop()
  collection.proxies.delete(name)
  return { status: 204 }
}

/**
 * POST /populate: every entry is validated before anything changes. An existing proxy with
 * the same listen and upstream is kept as it is (toxics and enabled state included); a
 * differing one is stopped and replaced by a fresh proxy without toxics. If a listener
 * cannot be opened, the error is returned together with the proxies applied so far.
 */
async function populate (collection: ProxyCollection, body: unknown): Promise<ApiResponse> {
  if (!Array.isArray(body)) throw badRequestBody('expected a JSON array of proxies')
  const inputs = body.map((value, index) => parseProxyInput(value, ` at proxy ${index + 1}`))
  const names = new Set<string>()
  for (const input of inputs) {
    if (names.has(input.name)) throw badRequestBody(`duplicate proxy name ${JSON.stringify(input.name)}`)
    names.add(input.name)
  }
  const added = inputs.filter((input) => !collection.proxies.has(input.name)).length
  if (collection.proxies.size + added > PROXIES_MAX) throw limitExceeded(`at most ${PROXIES_MAX} proxies`)

  const applied: ProxyJson[] = []
  for (const input of inputs) {
    const existing = collection.proxies.get(input.name)
    if (existing !== undefined && !existing.differs(input.listen, input.upstream)) {
      applied.push(existing.toJSON())
      continue
    }
    await existing?.stop()
    const proxy = new TcpProxy({ name: input.name, listen: input.listen, upstream: input.upstream, log: collection.log })
    try {
      if (input.enabled) await proxy.start()
    } catch (error) {
      if (!(error instanceof ToxiproxyApiError)) throw error
      return { status: error.status, body: { ...error.toBody(), proxies: applied } }
    }
    collection.proxies.set(input.name, proxy)
    applied.push(proxy.toJSON())
  }
  return { status: 201, body: { proxies: applied } }
}

/** POST /reset: enables every proxy and removes every toxic; deletes nothing. */
async function reset (collection: ProxyCollection): Promise<ApiResponse> {
  for (const proxy of collection.proxies.values()) {
    await proxy.start()
    proxy.resetToxics()
  }
  return { status: 204 }
}
