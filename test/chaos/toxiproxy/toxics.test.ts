// Every toxic of the embedded Toxiproxy, observed from a real TCP client through a real
// proxy to a real echo server on 127.0.0.1. Timing assertions have generous upper bounds
// (the machine is shared) and lower bounds a little under the configured delay (timers
// have millisecond resolution).

import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import type { ICreateToxicBody, Proxy } from 'toxiproxy-node-client'
import { startToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import { portOf, sleep, startUpstream, TestClient } from './helpers.ts'
import type { TestUpstream } from './helpers.ts'

const SLACK_MS = 1000
const EARLY_MS = 5

let server: ToxiproxyServer
let toxiproxy: Toxiproxy
let upstream: TestUpstream
let proxyCount = 0

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

async function newProxy (upstreamAddress = upstream.address): Promise<{ proxy: Proxy, port: number }> {
  proxyCount++
  const proxy = await toxiproxy.createProxy({ name: `p${proxyCount}`, listen: '127.0.0.1:0', upstream: upstreamAddress })
  return { proxy, port: portOf(proxy.listen) }
}

function toxic<T> (body: { type: string, attributes: Partial<T>, name?: string, stream?: string, toxicity?: number }): ICreateToxicBody<T> {
  return body as unknown as ICreateToxicBody<T>
}

/** Milliseconds from sending `message` on a fresh write to receiving its echo. */
async function roundTripMs (client: TestClient, message = 'x'): Promise<number> {
  const expected = client.receivedBytes + message.length
  const startMs = performance.now()
  client.socket.write(message)
  return await client.waitForBytes(expected, 10_000) - startMs
}

describe('latency', () => {
  it('delays each chunk by the latency', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 200 } }))
    const client = await TestClient.connect(port)
    const elapsedMs = await roundTripMs(client)
    expect(elapsedMs).toBeGreaterThanOrEqual(200 - EARLY_MS)
    expect(elapsedMs).toBeLessThan(200 + SLACK_MS)
    client.destroy()
  })

  it('does not add up delays of pipelined chunks', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 200 } }))
    const client = await TestClient.connect(port)
    const sentMs: number[] = []
    for (let index = 0; index < 5; index++) {
      sentMs.push(performance.now())
      client.socket.write('y')
      await sleep(40)
    }
    await client.waitForBytes(5)
    for (let index = 0; index < 5; index++) {
      expect(client.reachedMs(index + 1)! - sentMs[index]!).toBeGreaterThanOrEqual(200 - EARLY_MS)
    }
    // Cumulative delays would put the last byte at least 5 x 200 ms after the first was sent.
    expect(client.reachedMs(5)! - sentMs[0]!).toBeLessThan(160 + 200 + 400)
    client.destroy()
  })

  it('adds up across chained toxics and applies to the upstream direction', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', name: 'up', stream: 'upstream', attributes: { latency: 100 } }))
    await proxy.addToxic(toxic({ type: 'latency', name: 'up2', stream: 'upstream', attributes: { latency: 100 } }))
    const client = await TestClient.connect(port)
    const elapsedMs = await roundTripMs(client)
    expect(elapsedMs).toBeGreaterThanOrEqual(200 - EARLY_MS)
    expect(elapsedMs).toBeLessThan(200 + SLACK_MS)
    client.destroy()
  })

  it('applies to a live connection at once, and removal lets held data through at once', async () => {
    const { proxy, port } = await newProxy()
    const client = await TestClient.connect(port)
    expect(await roundTripMs(client)).toBeLessThan(1000)
    const lag = await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 5000 } }))
    const startMs = performance.now()
    client.socket.write('held')
    expect(await client.becomes(() => client.receivedBytes > 1, 300)).toBe(false)
    await lag.remove()
    const arrivedMs = await client.waitForBytes(5)
    expect(arrivedMs - startMs).toBeLessThan(2500)
    expect(client.text()).toBe('xheld')
    client.destroy()
  })

  it('keeps jittered delays within latency +/- jitter', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 150, jitter: 100 } }))
    const client = await TestClient.connect(port)
    for (let index = 0; index < 3; index++) {
      const elapsedMs = await roundTripMs(client)
      expect(elapsedMs).toBeGreaterThanOrEqual(50 - EARLY_MS)
      expect(elapsedMs).toBeLessThan(250 + SLACK_MS)
    }
    client.destroy()
  })

  it('rolls toxicity per connection', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', toxicity: 0.5, attributes: { latency: 1000 } }))
    const clients = await Promise.all(Array.from({ length: 20 }, () => TestClient.connect(port)))
    const elapsedMs = await Promise.all(clients.map((client) => roundTripMs(client)))
    // With 20 fair coin flips, all-slow or all-fast has a probability of 2 in a million.
    expect(elapsedMs.filter((ms) => ms >= 1000 - EARLY_MS).length).toBeGreaterThan(0)
    expect(elapsedMs.filter((ms) => ms < 700).length).toBeGreaterThan(0)
    for (const client of clients) client.destroy()
  })

  it('is skipped entirely at toxicity 0', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', toxicity: 0, attributes: { latency: 2000 } }))
    const client = await TestClient.connect(port)
    expect(await roundTripMs(client)).toBeLessThan(1000)
    client.destroy()
  })
})

describe('bandwidth', () => {
  it('limits throughput to the rate in KB/s', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'bandwidth', attributes: { rate: 100 } }))
    const client = await TestClient.connect(port)
    const payload = randomBytes(50_000)
    const elapsedMs = await (async () => {
      const startMs = performance.now()
      client.socket.write(payload)
      return await client.waitForBytes(payload.length, 10_000) - startMs
    })()
    // 50 000 bytes at 100 000 bytes/s is 500 ms.
    expect(elapsedMs).toBeGreaterThanOrEqual(400)
    expect(elapsedMs).toBeLessThan(500 + 2500)
    expect(Buffer.concat(client.received).equals(payload)).toBe(true)
    client.destroy()
  })

  it('pushes back on the sender instead of buffering without bound', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 50 } }))
    const client = await TestClient.connect(port)
    const payloadBytes = 64 * 1024 * 1024
    client.socket.write(Buffer.alloc(payloadBytes, 7))
    await sleep(1500)
    // Kernel buffers on both sides plus the proxy's bound (4 MiB) hold far less than 48 MiB;
    // a proxy that buffered everything would have drained the client completely by now.
    expect(client.socket.writableLength).toBeGreaterThan(16 * 1024 * 1024)
    client.destroy()
  })
})

describe('timeout', () => {
  it('with 0 blackholes data and keeps the connection open until removed, then closes it', async () => {
    const { proxy, port } = await newProxy()
    const hole = await proxy.addToxic(toxic({ type: 'timeout', attributes: { timeout: 0 } }))
    const client = await TestClient.connect(port)
    client.socket.write('lost')
    expect(await client.becomes(() => client.receivedBytes > 0 || client.closed, 600)).toBe(false)
    await hole.remove()
    await client.waitForClose(3000)
    expect(client.receivedBytes).toBe(0)
  })

  it('leaves connections it was not active on open when removed', async () => {
    const { proxy, port } = await newProxy()
    const hole = await proxy.addToxic(toxic({ type: 'timeout', toxicity: 0, attributes: { timeout: 0 } }))
    const client = await TestClient.connect(port)
    expect(await roundTripMs(client)).toBeLessThan(1000)
    await hole.remove()
    expect(await client.becomes(() => client.closed, 300)).toBe(false)
    expect(await roundTripMs(client)).toBeLessThan(1000)
    client.destroy()
  })

  it('closes the connection after the timeout', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'timeout', attributes: { timeout: 300 } }))
    const startMs = performance.now()
    const client = await TestClient.connect(port)
    client.socket.write('lost')
    const closedMs = await client.waitForClose(3000)
    expect(closedMs - startMs).toBeGreaterThanOrEqual(300 - EARLY_MS)
    expect(client.receivedBytes).toBe(0)
  })
})

describe('reset_peer', () => {
  it('resets the connection: the client sees ECONNRESET', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'reset_peer', attributes: { timeout: 0 } }))
    const client = await TestClient.connect(port)
    client.socket.write('boom')
    await client.waitForClose(3000)
    expect(client.error?.code).toBe('ECONNRESET')
    expect(client.receivedBytes).toBe(0)
  })

  it('waits the timeout after the first chunk', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 300 } }))
    const client = await TestClient.connect(port)
    const startMs = performance.now()
    client.socket.write('boom')
    const closedMs = await client.waitForClose(3000)
    expect(closedMs - startMs).toBeGreaterThanOrEqual(300 - EARLY_MS)
    expect(client.error?.code).toBe('ECONNRESET')
  })
})

describe('limit_data', () => {
  it('forwards at most the limit, then closes', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'limit_data', attributes: { bytes: 100 } }))
    const client = await TestClient.connect(port)
    const payload = randomBytes(300)
    client.socket.write(payload)
    await client.waitForClose(3000)
    expect(Buffer.concat(client.received).equals(payload.subarray(0, 100))).toBe(true)
  })

  it('keeps its count across an update', async () => {
    const { proxy, port } = await newProxy()
    const limit = await proxy.addToxic(toxic<{ bytes: number }>({ type: 'limit_data', attributes: { bytes: 10 } }))
    const client = await TestClient.connect(port)
    client.socket.write('12345')
    await client.waitForBytes(5)
    await limit.update(toxic<{ bytes: number }>({ type: 'limit_data', attributes: { bytes: 20 } }))
    client.socket.write('6789abcdef')
    await client.waitForBytes(15)
    expect(client.closed).toBe(false)
    client.socket.write('ghijklmnop')
    await client.waitForClose(3000)
    expect(client.text()).toBe('123456789abcdefghijk')
  })
})

describe('slicer', () => {
  it('delivers the data intact in several slices', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 20_000 } }))
    const client = await TestClient.connect(port)
    const payload = randomBytes(1000)
    const startMs = performance.now()
    client.socket.write(payload)
    const doneMs = await client.waitForBytes(payload.length, 5000)
    expect(Buffer.concat(client.received).equals(payload)).toBe(true)
    expect(client.dataEvents).toBeGreaterThanOrEqual(4)
    // About ten slices with 20 ms between them.
    expect(doneMs - startMs).toBeGreaterThanOrEqual(100)
    client.destroy()
  })
})

describe('slow_close', () => {
  it('holds the close for the delay while data passes at once', async () => {
    const closing = await startUpstream((socket) => socket.once('data', (data) => socket.end(data)))
    try {
      const { proxy, port } = await newProxy(closing.address)
      await proxy.addToxic(toxic({ type: 'slow_close', attributes: { delay: 500 } }))
      const client = await TestClient.connect(port)
      const startMs = performance.now()
      client.socket.write('bye')
      const dataMs = await client.waitForBytes(3)
      const endMs = await client.waitForEnd(3000)
      expect(dataMs - startMs).toBeLessThan(450)
      expect(endMs - startMs).toBeGreaterThanOrEqual(500 - EARLY_MS)
      expect(endMs - startMs).toBeLessThan(500 + SLACK_MS)
    } finally {
      await closing.close()
    }
  })

  it('lets a held close through when removed', async () => {
    const closing = await startUpstream((socket) => socket.once('data', () => socket.end()))
    try {
      const { proxy, port } = await newProxy(closing.address)
      const slow = await proxy.addToxic(toxic({ type: 'slow_close', attributes: { delay: 10_000 } }))
      const client = await TestClient.connect(port)
      const startMs = performance.now()
      client.socket.write('bye')
      expect(await client.becomes(() => client.ended, 300)).toBe(false)
      await slow.remove()
      expect(await client.waitForEnd(3000) - startMs).toBeLessThan(3000)
    } finally {
      await closing.close()
    }
  })
})

describe('pass-through', () => {
  it('noop keeps a large stream intact', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'noop', attributes: {} }))
    await proxy.addToxic(toxic({ type: 'noop', name: 'noop_up', stream: 'upstream', attributes: {} }))
    const client = await TestClient.connect(port)
    const payload = randomBytes(1024 * 1024)
    client.socket.write(payload)
    await client.waitForBytes(payload.length)
    expect(Buffer.concat(client.received).equals(payload)).toBe(true)
    client.destroy()
  })

  it('closes the client when the upstream drops the connection', async () => {
    const rude = await startUpstream((socket) => socket.once('data', () => socket.resetAndDestroy()))
    try {
      const { port } = await newProxy(rude.address)
      const client = await TestClient.connect(port)
      client.socket.write('hello?')
      await client.waitForClose(3000)
      expect(client.receivedBytes).toBe(0)
    } finally {
      await rude.close()
    }
  })

  it('disabling the proxy drops connections whose toxics hold data, without firing their timers later', async () => {
    const { proxy, port } = await newProxy()
    await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 300 } }))
    await proxy.addToxic(toxic({ type: 'slicer', stream: 'upstream', attributes: { average_size: 1, delay: 50_000 } }))
    const client = await TestClient.connect(port)
    client.socket.write('held in two toxics')
    await sleep(100)
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream })
    await client.waitForClose(1000)
    await sleep(400)
    expect(client.receivedBytes).toBe(0)
    // The server is still healthy and the port comes back.
    await toxiproxy.reset()
    const again = await TestClient.connect(port)
    expect(await roundTripMs(again)).toBeLessThan(1000)
    again.destroy()
  })

  it('passes a half-close through both ways', async () => {
    const { port } = await newProxy()
    const client = await TestClient.connect(port)
    client.socket.end('last words')
    await client.waitForEnd()
    expect(client.text()).toBe('last words')
    await client.waitForClose()
  })
})
