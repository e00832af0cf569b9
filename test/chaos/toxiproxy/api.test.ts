// The embedded Toxiproxy's HTTP API, driven the way the harness drives it: through
// toxiproxy-node-client, plus raw fetch for what the client cannot reach (status codes,
// error bodies, PATCH, the toxic list, browser protection).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import type { ICreateToxicBody } from 'toxiproxy-node-client'
import { startToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import {
  connectError, portOf, startUpstream, taggedEcho, TestClient, unusedPort,
} from './helpers.ts'
import type { TestUpstream } from './helpers.ts'

let server: ToxiproxyServer
let toxiproxy: Toxiproxy
let upstream: TestUpstream

beforeAll(async () => {
  server = await startToxiproxyServer({ port: 0 })
  toxiproxy = new Toxiproxy(server.url)
  upstream = await startUpstream()
})

afterEach(async () => {
  for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove()
})

afterAll(async () => {
  await server.close()
  await upstream.close()
})

interface RawResponse {
  status: number
  text: string
  json: unknown
}

async function api (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const response = await fetch(`${server.url}${path}`, init)
  const text = await response.text()
  return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) }
}

/** The client's body types insist on every field and know no `noop`; the server needs only `type`. */
function toxicBody<T> (body: { type: string, attributes: Partial<T>, name?: string, stream?: string, toxicity?: number }): ICreateToxicBody<T> {
  return body as unknown as ICreateToxicBody<T>
}

async function roundTrip (port: number, message: string): Promise<string> {
  const client = await TestClient.connect(port)
  client.socket.write(message)
  await client.waitForBytes(message.length)
  client.destroy()
  return client.text()
}

describe('proxies', () => {
  it('creates a proxy on the real bound port and forwards through it', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'web', listen: '127.0.0.1:0', upstream: upstream.address })
    expect(proxy.name).toBe('web')
    expect(proxy.enabled).toBe(true)
    expect(proxy.upstream).toBe(upstream.address)
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(portOf(proxy.listen)).toBeGreaterThan(0)
    expect(await roundTrip(portOf(proxy.listen), 'ping')).toBe('ping')
  })

  it('answers 201 with the proxy and its empty toxic list, defaults enabled and listen', async () => {
    const created = await api('POST', '/proxies', { name: 'raw', upstream: upstream.address })
    expect(created.status).toBe(201)
    const body = created.json as Record<string, unknown>
    expect(Object.keys(body)).toEqual(['name', 'listen', 'upstream', 'enabled', 'toxics'])
    expect(body).toMatchObject({ name: 'raw', upstream: upstream.address, enabled: true, toxics: [] })
    expect(body['listen']).toMatch(/^127\.0\.0\.1:[1-9]\d*$/)
  })

  it('creates a disabled proxy without listening', async () => {
    const port = await unusedPort()
    const proxy = await toxiproxy.createProxy({ name: 'off', listen: `127.0.0.1:${port}`, upstream: upstream.address, enabled: false })
    expect(proxy.enabled).toBe(false)
    expect(proxy.listen).toBe(`127.0.0.1:${port}`)
    expect(await connectError(port)).toBe('ECONNREFUSED')
  })

  it('rejects a duplicate name with 409 and the client throws', async () => {
    await toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: upstream.address })
    await expect(toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: upstream.address }))
      .rejects.toThrow(/409/)
    const raw = await api('POST', '/proxies', { name: 'dup', upstream: upstream.address })
    expect(raw.status).toBe(409)
    expect(raw.json).toEqual({ error: 'proxy already exists', status: 409 })
  })

  it('rejects missing fields and bad bodies with 400', async () => {
    expect(await api('POST', '/proxies', { upstream: upstream.address }))
      .toMatchObject({ status: 400, json: { error: 'missing required field: name', status: 400 } })
    expect(await api('POST', '/proxies', { name: 'x' }))
      .toMatchObject({ status: 400, json: { error: 'missing required field: upstream', status: 400 } })
    const notJson = await api('POST', '/proxies', '{nope')
    expect(notJson.status).toBe(400)
    expect((notJson.json as { error: string }).error).toMatch(/^bad request body: /)
    expect((await api('POST', '/proxies', '')).json).toEqual({ error: 'bad request body: EOF', status: 400 })
    expect((await api('POST', '/proxies', { name: 'x', upstream: 'a:1', listen: 'nocolon' })).status).toBe(400)
    expect((await api('POST', '/proxies', { name: 'x', upstream: 'a:1', enabled: 'yes' })).status).toBe(400)
    expect(Object.keys(await toxiproxy.getAll())).toEqual([])
  })

  it('answers 500 when the listen address is taken, and keeps no proxy', async () => {
    const raw = await api('POST', '/proxies', { name: 'taken', listen: upstream.address, upstream: upstream.address })
    expect(raw.status).toBe(500)
    expect(raw.json).toEqual({ error: `listen tcp ${upstream.address}: bind: address already in use`, status: 500 })
    expect((await api('GET', '/proxies/taken')).status).toBe(404)
  })

  it('lists proxies keyed by name with their toxics, and gets one', async () => {
    const a = await toxiproxy.createProxy({ name: 'b-proxy', listen: '127.0.0.1:0', upstream: upstream.address })
    await toxiproxy.createProxy({ name: 'a-proxy', listen: '127.0.0.1:0', upstream: upstream.address })
    await a.addToxic(toxicBody({ type: 'latency', attributes: { latency: 5 } }))
    const all = await toxiproxy.getAll()
    expect(Object.keys(all).sort()).toEqual(['a-proxy', 'b-proxy'])
    expect(all['b-proxy']!.listen).toBe(a.listen)
    const raw = await api('GET', '/proxies')
    expect(raw.status).toBe(200)
    const index = raw.json as Record<string, { toxics: unknown[] }>
    expect(index['b-proxy']!.toxics).toHaveLength(1)
    expect(index['a-proxy']!.toxics).toEqual([])
    const one = await toxiproxy.get('b-proxy')
    expect(one.toJson()).toEqual({ name: 'b-proxy', listen: a.listen, upstream: upstream.address, enabled: true })
  })

  it('answers 404 with the error body for an unknown proxy', async () => {
    await expect(toxiproxy.get('ghost')).rejects.toThrow(/404/)
    for (const [method, path] of [['GET', '/proxies/ghost'], ['DELETE', '/proxies/ghost'], ['GET', '/proxies/ghost/toxics'],
      ['GET', '/proxies/ghost/toxics/t'], ['DELETE', '/proxies/ghost/toxics/t']] as const) {
      const raw = await api(method, path)
      expect(raw.status, `${method} ${path}`).toBe(404)
      expect(raw.json).toEqual({ error: 'proxy not found', status: 404 })
    }
    expect((await api('POST', '/proxies/ghost', { enabled: false })).json).toEqual({ error: 'proxy not found', status: 404 })
  })

  it('deletes a proxy with 204 and closes its listener and connections', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'gone', listen: '127.0.0.1:0', upstream: upstream.address })
    const client = await TestClient.connect(portOf(proxy.listen))
    const raw = await api('DELETE', '/proxies/gone')
    expect(raw.status).toBe(204)
    expect(raw.text).toBe('')
    await client.waitForClose()
    expect(await connectError(portOf(proxy.listen))).toBe('ECONNREFUSED')
    expect((await api('GET', '/proxies/gone')).status).toBe(404)
  })

  it('disables a proxy: drops live connections and refuses new ones; re-enabling reuses the port', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'flappy', listen: '127.0.0.1:0', upstream: upstream.address })
    const port = portOf(proxy.listen)
    const client = await TestClient.connect(port)
    client.socket.write('before')
    await client.waitForBytes(6)
    const upstreamSockets = upstream.sockets.size

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream })
    expect(disabled.enabled).toBe(false)
    expect(disabled.listen).toBe(proxy.listen)
    await client.waitForClose()
    // Both sockets go: the upstream sees its connection closed too.
    await expect.poll(() => upstream.sockets.size).toBeLessThan(upstreamSockets)
    expect(await connectError(port)).toBe('ECONNREFUSED')

    const enabled = await disabled.update({ enabled: true, listen: disabled.listen, upstream: disabled.upstream })
    expect(enabled.enabled).toBe(true)
    expect(enabled.listen).toBe(proxy.listen)
    expect(await roundTrip(port, 'after')).toBe('after')
  })

  it('accepts a partial PATCH and a POST update', async () => {
    await toxiproxy.createProxy({ name: 'patchy', listen: '127.0.0.1:0', upstream: upstream.address })
    const patched = await api('PATCH', '/proxies/patchy', { enabled: false })
    expect(patched.status).toBe(200)
    expect(patched.json).toMatchObject({ name: 'patchy', enabled: false, upstream: upstream.address, toxics: [] })
    const posted = await api('POST', '/proxies/patchy', { enabled: true })
    expect(posted.json).toMatchObject({ enabled: true })
    expect((await api('PATCH', '/proxies/patchy', '[')).status).toBe(400)
  })

  it('restarts on a changed upstream, dropping connections, and forwards to the new one', async () => {
    const other = await startUpstream(taggedEcho('other:'))
    try {
      const proxy = await toxiproxy.createProxy({ name: 'moving', listen: '127.0.0.1:0', upstream: upstream.address })
      const client = await TestClient.connect(portOf(proxy.listen))
      const moved = await proxy.update({ enabled: true, listen: proxy.listen, upstream: other.address })
      expect(moved.upstream).toBe(other.address)
      expect(moved.listen).toBe(proxy.listen)
      await client.waitForClose()
      expect(await roundTrip(portOf(moved.listen), 'x')).toBe('other:x')
    } finally {
      await other.close()
    }
  })

  it('moves to a new listen address when it changes', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'relisten', listen: '127.0.0.1:0', upstream: upstream.address })
    const next = await unusedPort()
    const moved = await proxy.update({ enabled: true, listen: `localhost:${next}`, upstream: proxy.upstream })
    expect(moved.listen).toBe(`127.0.0.1:${next}`)
    expect(await connectError(portOf(proxy.listen))).toBe('ECONNREFUSED')
    expect(await roundTrip(next, 'moved')).toBe('moved')
  })

  it('closes the client when the upstream cannot be reached', async () => {
    const dead = await unusedPort()
    const proxy = await toxiproxy.createProxy({ name: 'dead', listen: '127.0.0.1:0', upstream: `127.0.0.1:${dead}` })
    const client = await TestClient.connect(portOf(proxy.listen))
    await client.waitForClose()
    expect(client.receivedBytes).toBe(0)
  })
})

describe('toxics', () => {
  it('adds a toxic with defaults and answers 200, not 201', async () => {
    await toxiproxy.createProxy({ name: 'tox', listen: '127.0.0.1:0', upstream: upstream.address })
    const raw = await api('POST', '/proxies/tox/toxics', { type: 'latency', attributes: { latency: 10 } })
    expect(raw.status).toBe(200)
    expect(raw.json).toEqual({
      attributes: { latency: 10, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1,
    })
    const proxy = await toxiproxy.get('tox')
    const toxic = await proxy.addToxic(toxicBody({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 1000 }, toxicity: 0.5 }))
    expect(toxic.toJson()).toEqual({ attributes: { rate: 1000 }, name: 'bandwidth_upstream', stream: 'upstream', toxicity: 0.5, type: 'bandwidth' })
    const noop = await api('POST', '/proxies/tox/toxics', { type: 'noop', name: 'quiet' })
    expect(noop.json).toMatchObject({ name: 'quiet', attributes: {} })
  })

  it('lists upstream toxics first, then downstream, each in the order added', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'order', listen: '127.0.0.1:0', upstream: upstream.address })
    await proxy.addToxic(toxicBody({ type: 'latency', name: 'd1', attributes: { latency: 1 } }))
    await proxy.addToxic(toxicBody({ type: 'latency', name: 'u1', stream: 'upstream', attributes: { latency: 1 } }))
    await proxy.addToxic(toxicBody({ type: 'slicer', name: 'd2', attributes: { average_size: 10 } }))
    await proxy.addToxic(toxicBody({ type: 'noop', name: 'u2', stream: 'upstream', attributes: {} }))
    const raw = await api('GET', '/proxies/order/toxics')
    expect(raw.status).toBe(200)
    expect((raw.json as Array<{ name: string }>).map((toxic) => toxic.name)).toEqual(['u1', 'u2', 'd1', 'd2'])
    const shown = await api('GET', '/proxies/order')
    expect((shown.json as { toxics: Array<{ name: string }> }).toxics.map((toxic) => toxic.name)).toEqual(['u1', 'u2', 'd1', 'd2'])
  })

  it('rejects duplicate names across directions, unknown types and bad streams', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'strict', listen: '127.0.0.1:0', upstream: upstream.address })
    await proxy.addToxic(toxicBody({ type: 'latency', name: 'same', attributes: { latency: 1 } }))
    await expect(proxy.addToxic(toxicBody({ type: 'latency', name: 'same', stream: 'upstream', attributes: { latency: 1 } })))
      .rejects.toThrow(/409/)
    expect((await api('POST', '/proxies/strict/toxics', { type: 'latency', name: 'same', stream: 'upstream' })).json)
      .toEqual({ error: 'toxic already exists', status: 409 })
    expect((await api('POST', '/proxies/strict/toxics', { type: 'down' })).json)
      .toEqual({ error: 'invalid toxic type', status: 400 })
    expect((await api('POST', '/proxies/strict/toxics', { type: 'latency', stream: 'sideways' })).json)
      .toEqual({ error: 'stream was invalid, can be either upstream or downstream', status: 400 })
    expect((await api('POST', '/proxies/strict/toxics', { type: 'latency', attributes: { latency: 1.5 } })).status).toBe(400)
    expect((await api('POST', '/proxies/strict/toxics', { type: 'latency', attributes: { latency: 'slow' } })).status).toBe(400)
    expect((await api('GET', '/proxies/strict/toxics')).json).toHaveLength(1)
  })

  it('gets, updates (attributes merged) and deletes a toxic', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'cycle', listen: '127.0.0.1:0', upstream: upstream.address })
    await proxy.addToxic(toxicBody({ type: 'latency', name: 'lag', attributes: { latency: 100, jitter: 10 } }))
    const toxic = await proxy.getToxic<{ latency: number, jitter: number }>('lag')
    expect(toxic.toJson()).toMatchObject({ name: 'lag', type: 'latency', attributes: { latency: 100, jitter: 10 } })

    const updated = await toxic.update(toxicBody<{ latency: number, jitter: number }>({ type: 'ignored', name: 'ignored', stream: 'upstream', toxicity: 0.25, attributes: { latency: 7 } }))
    expect(updated.toJson()).toEqual({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 0.25, attributes: { latency: 7, jitter: 10 } })
    const patched = await api('PATCH', '/proxies/cycle/toxics/lag', { attributes: { jitter: 0 } })
    expect(patched.json).toMatchObject({ toxicity: 0.25, attributes: { latency: 7, jitter: 0 } })

    await updated.remove()
    await expect(proxy.getToxic('lag')).rejects.toThrow(/404/)
    expect((await api('GET', '/proxies/cycle/toxics/lag')).json).toEqual({ error: 'toxic not found', status: 404 })
    expect((await api('DELETE', '/proxies/cycle/toxics/lag')).status).toBe(404)
    expect((await api('POST', '/proxies/cycle/toxics/lag', { attributes: {} })).status).toBe(404)
  })

  it('deletes a toxic with 204 and no body', async () => {
    await toxiproxy.createProxy({ name: 'del', listen: '127.0.0.1:0', upstream: upstream.address })
    await api('POST', '/proxies/del/toxics', { type: 'noop' })
    const raw = await api('DELETE', '/proxies/del/toxics/noop_downstream')
    expect(raw).toMatchObject({ status: 204, text: '' })
    expect((await api('GET', '/proxies/del/toxics')).json).toEqual([])
  })
})

describe('reset and populate', () => {
  it('reset re-enables every proxy and removes all toxics, deleting nothing', async () => {
    const a = await toxiproxy.createProxy({ name: 'ra', listen: '127.0.0.1:0', upstream: upstream.address })
    const b = await toxiproxy.createProxy({ name: 'rb', listen: '127.0.0.1:0', upstream: upstream.address })
    await a.addToxic(toxicBody({ type: 'timeout', attributes: { timeout: 0 } }))
    await a.addToxic(toxicBody({ type: 'latency', stream: 'upstream', attributes: { latency: 1000 } }))
    await b.update({ enabled: false, listen: b.listen, upstream: b.upstream })
    expect(await connectError(portOf(b.listen))).toBe('ECONNREFUSED')

    const raw = await api('POST', '/reset')
    expect(raw).toMatchObject({ status: 204, text: '' })
    await toxiproxy.reset()
    const all = await toxiproxy.getAll()
    expect(Object.keys(all).sort()).toEqual(['ra', 'rb'])
    expect(all['rb']!.enabled).toBe(true)
    expect(all['rb']!.listen).toBe(b.listen)
    expect(((await api('GET', '/proxies/ra')).json as { toxics: unknown[] }).toxics).toEqual([])
    expect(await roundTrip(portOf(a.listen), 'clean')).toBe('clean')
    expect(await roundTrip(portOf(b.listen), 'back')).toBe('back')
  })

  it('populate creates proxies, keeps an identical one with its toxics and replaces a differing one', async () => {
    const other = await startUpstream(taggedEcho('other:'))
    try {
      const created = await toxiproxy.populate([
        { name: 'p1', listen: '127.0.0.1:0', upstream: upstream.address },
        { name: 'p2', listen: '127.0.0.1:0', upstream: upstream.address },
      ])
      expect(Object.keys(created).sort()).toEqual(['p1', 'p2'])
      const p1 = created['p1']!
      const p2 = created['p2']!
      await p1.addToxic(toxicBody({ type: 'noop', name: 'kept', attributes: {} }))
      await p2.addToxic(toxicBody({ type: 'noop', name: 'dropped', attributes: {} }))

      const raw = await api('POST', '/populate', [
        { name: 'p1', listen: p1.listen, upstream: upstream.address },
        { name: 'p2', listen: p2.listen, upstream: other.address },
        { name: 'p3', listen: '127.0.0.1:0', upstream: upstream.address, enabled: false },
      ])
      expect(raw.status).toBe(201)
      const proxies = (raw.json as { proxies: Array<{ name: string, listen: string, upstream: string, enabled: boolean, toxics: Array<{ name: string }> }> }).proxies
      expect(proxies.map((proxy) => proxy.name)).toEqual(['p1', 'p2', 'p3'])
      expect(proxies[0]!.toxics.map((toxic) => toxic.name)).toEqual(['kept'])
      expect(proxies[1]).toMatchObject({ upstream: other.address, listen: p2.listen, enabled: true, toxics: [] })
      expect(proxies[2]).toMatchObject({ enabled: false })
      expect(await roundTrip(portOf(p2.listen), 'y')).toBe('other:y')
      expect(await roundTrip(portOf(p1.listen), 'z')).toBe('z')
    } finally {
      await other.close()
    }
  })

  it('populate validates every entry before changing anything', async () => {
    await toxiproxy.createProxy({ name: 'stay', listen: '127.0.0.1:0', upstream: upstream.address })
    const raw = await api('POST', '/populate', [
      { name: 'new', upstream: upstream.address },
      { name: 'stay', listen: '127.0.0.1:0' },
    ])
    expect(raw.status).toBe(400)
    expect(raw.json).toEqual({ error: 'missing required field: upstream at proxy 2', status: 400 })
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['stay'])
    expect((await api('POST', '/populate', { name: 'x', upstream: 'a:1' })).status).toBe(400)
    expect((await api('POST', '/populate', [{ name: 'x', upstream: 'a:1' }, { name: 'x', upstream: 'a:1' }])).status).toBe(400)
  })
})

describe('server', () => {
  it('reports a version', async () => {
    const version = JSON.parse(await toxiproxy.getVersion()) as { version: string }
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('fails to start with a typed error when the API port is taken', async () => {
    await expect(startToxiproxyServer({ port: server.port })).rejects.toMatchObject({
      code: 'ERR_TOXIPROXY_LISTEN',
      message: `listen tcp 127.0.0.1:${server.port}: bind: address already in use`,
    })
  })

  it('refuses browsers with 403', async () => {
    const raw = await api('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' })
    expect(raw.status).toBe(403)
    expect(raw.json).toEqual({ error: 'User agent not allowed', status: 403 })
    expect((await api('GET', '/proxies', undefined, { 'User-Agent': 'curl/8.0' })).status).toBe(200)
  })

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    expect((await api('GET', '/nope')).status).toBe(404)
    expect((await api('GET', '/proxies/a/b')).status).toBe(404)
    expect((await api('GET', '/proxies/')).status).toBe(404)
    expect((await api('GET', '/reset')).status).toBe(405)
    expect((await api('DELETE', '/proxies')).json).toEqual({ error: 'method not allowed', status: 405 })
  })

  it('close() shuts the API, every listener and every live connection', async () => {
    const own = await startToxiproxyServer({ port: 0 })
    const ownClient = new Toxiproxy(own.url)
    const proxy = await ownClient.createProxy({ name: 'mine', listen: '127.0.0.1:0', upstream: upstream.address })
    const client = await TestClient.connect(portOf(proxy.listen))
    client.socket.write('hi')
    await client.waitForBytes(2)
    await own.close()
    await client.waitForClose()
    expect(await connectError(portOf(proxy.listen))).toBe('ECONNREFUSED')
    expect(await connectError(own.port)).toBe('ECONNREFUSED')
    await own.close()
  })

  it('serves concurrent requests one at a time without losing any', async () => {
    const names = Array.from({ length: 20 }, (_, index) => `c${index}`)
    await Promise.all(names.map((name) => toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: upstream.address })))
    const all = await toxiproxy.getAll()
    expect(Object.keys(all).sort()).toEqual([...names].sort())
    expect(new Set(Object.values(all).map((proxy) => proxy.listen)).size).toBe(20)
  })
})
