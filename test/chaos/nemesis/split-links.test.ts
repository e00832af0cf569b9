// Which link proxies a split puts its toxics on, read back from a real (embedded) Toxiproxy
// server: `links` picks the replication or controller listener, `peers` narrows the other
// side of an isolate. No brokers are needed: the proxies point at a closed port and the test
// reads the toxics the API holds.

import { afterEach, describe, expect, it } from 'vitest'
import { splitGrudge } from '../../../chaos/nemesis/grudge.ts'
import type { NemesisEntry } from '../../../chaos/nemesis/nemesis.ts'
import { ProxyFleet } from '../../../chaos/nemesis/proxies.ts'
import { startSplit } from '../../../chaos/nemesis/split.ts'
import { startToxiproxyServer, type ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'

const BROKERS = 3
let server: ToxiproxyServer | null = null
let fleet: ProxyFleet | null = null

afterEach(async () => {
  await fleet?.removeAll()
  await server?.close()
  fleet = null
  server = null
})

function entry (fields: Partial<NemesisEntry>): NemesisEntry {
  return {
    fault: 'split', targets: ['broker-0'], startSeconds: 1, intervalSeconds: 10, durationSeconds: 5,
    latencyMs: null, jitterMs: null, rateKBps: null, resetAfterMs: null, stream: null,
    topology: 'isolate', direction: 'both', clients: 'reach', links: 'both', peers: null, ...fields,
  }
}

async function startFleet (): Promise<ProxyFleet> {
  server = await startToxiproxyServer({ port: 0 })
  const f = fleet = new ProxyFleet(server.url, { prefix: 'links-test-' })
  for (let from = 0; from < BROKERS; from++) {
    for (let to = 0; to < BROKERS; to++) {
      if (from === to) continue
      await f.createLink(from, to, 'kafka', '127.0.0.1:9')
      await f.createLink(from, to, 'controller', '127.0.0.1:9')
    }
  }
  return f
}

/** The link proxies holding at least one toxic, as "from-to-kind", sorted. */
async function cutLinks (): Promise<string[]> {
  const response = await fetch(`${server!.url}/proxies`)
  const proxies = await response.json() as Record<string, { toxics: unknown[] }>
  return Object.entries(proxies)
    .filter(([, proxy]) => proxy.toxics.length > 0)
    .map(([name]) => name.replace('links-test-link-', ''))
    .sort()
}

describe('split links and peers', () => {
  it('links: controller cuts the controller listener only, both ways', async () => {
    const f = await startFleet()
    const fault = await startSplit(f, [], splitGrudge('isolate', [0], BROKERS), entry({ links: 'controller' }), 1)
    expect(fault.detail.links).toBe('controller')
    expect(await cutLinks()).toEqual(['0-1-controller', '0-2-controller', '1-0-controller', '2-0-controller'])
    await fault.heal()
    expect(await cutLinks()).toEqual([])
  })

  it('links: replication cuts the replication listener only', async () => {
    const f = await startFleet()
    const fault = await startSplit(f, [], splitGrudge('isolate', [2], BROKERS), entry({ links: 'replication' }), 2)
    expect(await cutLinks()).toEqual(['0-2-kafka', '1-2-kafka', '2-0-kafka', '2-1-kafka'])
    await fault.heal()
  })

  it('peers cuts the targets from the named brokers and leaves the others whole', async () => {
    const f = await startFleet()
    const grudge = splitGrudge('isolate', [1], BROKERS, 'both', [0])
    expect(grudge.groups).toEqual([[1], [0]])
    const fault = await startSplit(f, [], grudge, entry({ targets: ['broker-1'], peers: ['broker-0'] }), 3)
    expect(await cutLinks()).toEqual(['0-1-controller', '0-1-kafka', '1-0-controller', '1-0-kafka'])
    await fault.heal()
  })
})
