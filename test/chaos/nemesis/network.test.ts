// Network nemeses against the embedded Toxiproxy, driven (like the chaos runner drives it)
// through toxiproxy-node-client: each fault is observed on real sockets through the proxy,
// and after healing the proxy passes data promptly again.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FaultTarget, NemesisEntry } from '../../../chaos/nemesis/nemesis.ts'
import { startBandwidth, startBlackhole, startDelay, startProxyDown, startReset } from '../../../chaos/nemesis/network.ts'
import { ProxyFleet } from '../../../chaos/nemesis/proxies.ts'
import { startToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { BrokerHandle } from '../../../harness/cluster/cluster.ts'
import { connectError, portOf, startUpstream, TestClient } from '../toxiproxy/helpers.ts'
import type { TestUpstream } from '../toxiproxy/helpers.ts'

let server: ToxiproxyServer
let upstream: TestUpstream
let fleet: ProxyFleet
let target: FaultTarget
let port: number

/** A healed proxy answers well within this, even on a loaded machine; faults add more. */
const HEALED_MS = 750

/** Network faults never touch the broker handle; any call would be a bug. */
const noBroker = new Proxy({}, { get: (_t, name) => { throw new Error(`network fault used broker.${String(name)}`) } }) as BrokerHandle

function entry (fields: Partial<NemesisEntry> & Pick<NemesisEntry, 'fault'>): NemesisEntry {
  return {
    targets: 'random', startSeconds: 0, intervalSeconds: 10, durationSeconds: 1,
    latencyMs: null, jitterMs: null, rateKBps: null, resetAfterMs: null, stream: 'both', topology: null, direction: null, clients: null, links: null, peers: null, ...fields,
  }
}

async function roundTripMs (message = 'ping'): Promise<number> {
  const client = await TestClient.connect(port)
  const started = performance.now()
  client.socket.write(message)
  await client.waitForBytes(message.length, 10_000)
  client.destroy()
  return performance.now() - started
}

beforeAll(async () => {
  server = await startToxiproxyServer({ port: 0 })
  upstream = await startUpstream()
  fleet = new ProxyFleet(server.url, { prefix: 'test-' })
  port = portOf(await fleet.create(0, upstream.address))
  target = { name: 'broker-0', index: 0, broker: noBroker, proxy: fleet.proxy(0) }
})

afterEach(async () => {
  await fleet.healAll()
})

afterAll(async () => {
  await fleet.removeAll()
  await server.close()
  await upstream.close()
})

describe('network nemeses', () => {
  it('delay adds latency on both directions until healed', async () => {
    const fault = await startDelay(target, entry({ fault: 'delay', latencyMs: 800, jitterMs: 0 }), 1)
    expect(fault.detail.toxics).toEqual(['delay-1-upstream', 'delay-1-downstream'])
    expect(await roundTripMs()).toBeGreaterThanOrEqual(1550)
    await fault.heal()
    await fault.heal() // healing twice is harmless
    expect(await roundTripMs()).toBeLessThan(HEALED_MS)
  })

  it('delay on one stream only adds one toxic', async () => {
    const fault = await startDelay(target, entry({ fault: 'delay', latencyMs: 800, stream: 'downstream' }), 2)
    expect(fault.detail.toxics).toEqual(['delay-2-downstream'])
    const ms = await roundTripMs()
    expect(ms).toBeGreaterThanOrEqual(780)
    expect(ms).toBeLessThan(1550)
    await fault.heal()
  })

  it('blackhole drops data while the connection stays open', async () => {
    const fault = await startBlackhole(target, entry({ fault: 'blackhole' }), 3)
    const client = await TestClient.connect(port)
    client.socket.write('lost')
    expect(await client.becomes(() => client.receivedBytes > 0 || client.closed, 500)).toBe(false)
    await fault.heal()
    client.destroy()
    expect(await roundTripMs()).toBeLessThan(HEALED_MS)
  })

  it('bandwidth caps throughput', async () => {
    const fault = await startBandwidth(target, entry({ fault: 'bandwidth', rateKBps: 10, stream: 'downstream' }), 4)
    // 5000 bytes at 10 KB/s take about half a second.
    expect(await roundTripMs('x'.repeat(5000))).toBeGreaterThanOrEqual(350)
    await fault.heal()
  })

  it('reset closes connections with a TCP RST after the first data', async () => {
    const fault = await startReset(target, entry({ fault: 'reset', resetAfterMs: 0, stream: 'downstream' }), 5)
    const client = await TestClient.connect(port)
    client.socket.write('hello')
    await client.waitForClose(5000)
    expect(client.error?.code).toBe('ECONNRESET')
    expect(client.receivedBytes).toBe(0)
    await fault.heal()
    expect(await roundTripMs()).toBeLessThan(HEALED_MS)
  })

  it('proxy-down refuses connections until healed, on the same address', async () => {
    const fault = await startProxyDown(target)
    expect(await connectError(port)).toBe('ECONNREFUSED')
    await fault.heal()
    expect(await roundTripMs()).toBeLessThan(HEALED_MS)
  })

  it('healAll removes every toxic and re-enables the proxy', async () => {
    await startDelay(target, entry({ fault: 'delay', latencyMs: 1000 }), 6)
    await startProxyDown(target)
    await fleet.healAll()
    expect(await roundTripMs()).toBeLessThan(HEALED_MS)
  })
})
