// `split` on a real three-node reference cluster: the brokers reach each other only through
// a proxy per directed link (the chaos setup's linkFor), and the split's toxics on those
// proxies really partition them. Isolating a partition's leader (clients still reach it)
// makes the controller elect another leader; cutting what one follower sends drops it from
// the ISR; healing brings it back into the ISR.

import { afterEach, describe, expect, it } from 'vitest'
import { splitGrudge } from '../../../chaos/nemesis/grudge.ts'
import type { FaultTarget, NemesisEntry } from '../../../chaos/nemesis/nemesis.ts'
import { ProxyFleet } from '../../../chaos/nemesis/proxies.ts'
import { startSplit } from '../../../chaos/nemesis/split.ts'
import { startToxiproxyServer, type ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { CLUSTER_CONFIG, eventually, kafkaOf } from '../../broker/cluster/acceptance/helpers.ts'

const TOPIC = 'split-test'
let server: ToxiproxyServer | null = null
let fleet: ProxyFleet | null = null
let cluster: ProcessCluster | null = null

afterEach(async () => {
  await cluster?.stop()
  await fleet?.removeAll()
  await server?.close()
  cluster = null
  fleet = null
  server = null
})

function entry (fields: Partial<NemesisEntry>): NemesisEntry {
  return {
    fault: 'split', targets: 'random', startSeconds: 0, intervalSeconds: 10, durationSeconds: 5,
    latencyMs: null, jitterMs: null, rateKBps: null, resetAfterMs: null, stream: null,
    topology: 'isolate', direction: 'both', clients: 'reach', links: 'both', peers: null, ...fields,
  }
}

async function startRouted (): Promise<{ targets: FaultTarget[], fleet: ProxyFleet, cluster: ProcessCluster }> {
  server = await startToxiproxyServer({ port: 0 })
  const f = fleet = new ProxyFleet(server.url, { prefix: 'split-test-' })
  const c = cluster = await new ProcessBackend().start({
    brokers: 3,
    brokerConfig: { ...CLUSTER_CONFIG, 'replica.lag.time.max.ms': 2000, 'min.insync.replicas': 2 },
    advertisedFor: (index, port) => f.create(index, `127.0.0.1:${port}`),
    ...(process.env.SPLIT_DEBUG_DIR === undefined ? {} : { workDir: process.env.SPLIT_DEBUG_DIR, keepData: true }),
    linkFor: (from, to, listener, port) => f.createLink(from, to, listener, `127.0.0.1:${port}`),
  })
  expect(f.linkCount).toBe(3 * 2 * 2)
  const admin = kafkaOf(c).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true })
  await admin.disconnect()
  const targets = c.brokers.map((broker, index): FaultTarget => ({ name: `broker-${index}`, index, broker, proxy: f.proxy(index) }))
  return { targets, fleet: f, cluster: c }
}

/** Partition 0's leader and ISR as the broker at `index` sees them (clients reach every broker). */
async function partitionSeenBy (c: ProcessCluster, index: number): Promise<{ leader: number, isr: number[] }> {
  const admin = kafkaOf(c, [c.bootstrap[index]!]).admin()
  await admin.connect()
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] })
    const p = topics[0]!.partitions[0]!
    return { leader: p.leader, isr: [...p.isr].sort() }
  } finally {
    await admin.disconnect()
  }
}

describe('split on a reference cluster', () => {
  it('isolating the leader elects another; healing brings it back into the ISR', async () => {
    const { targets, fleet: f, cluster: c } = await startRouted()
    const before = await eventually('a leader with a full ISR', 20_000, async () => {
      const seen = await partitionSeenBy(c, 0)
      return seen.isr.length === 3 ? seen : undefined
    })
    const leader = before.value.leader
    const other = [0, 1, 2].find(i => i !== leader)!
    const fault = await startSplit(f, targets, splitGrudge('isolate', [leader], 3), entry({}), 1)
    expect(fault.detail.groups).toEqual([[`broker-${leader}`], [0, 1, 2].filter(i => i !== leader).map(i => `broker-${i}`)])
    const moved = await eventually('a new leader on the majority side', 30_000, async () => {
      const seen = await partitionSeenBy(c, other)
      return seen.leader >= 0 && seen.leader !== leader ? seen : undefined
    })
    expect(moved.value.isr).not.toContain(leader)
    await fault.heal()
    await eventually('the old leader back in the ISR', 30_000, async () => {
      const seen = await partitionSeenBy(c, other)
      return seen.isr.length === 3 ? seen : undefined
    })
  })

  it('cutting only what a follower sends drops it from the ISR, and healing restores it', async () => {
    const { targets, fleet: f, cluster: c } = await startRouted()
    const before = await eventually('a full ISR', 20_000, async () => {
      const seen = await partitionSeenBy(c, 0)
      return seen.isr.length === 3 ? seen : undefined
    })
    const follower = [0, 1, 2].find(i => i !== before.value.leader)!
    const grudge = splitGrudge('isolate', [follower], 3, 'out')
    expect(grudge.drops.every(([from]) => from === follower)).toBe(true)
    const fault = await startSplit(f, targets, grudge, entry({ direction: 'out' }), 2)
    await eventually('the follower out of the ISR', 30_000, async () => {
      const seen = await partitionSeenBy(c, before.value.leader)
      return seen.isr.includes(follower) ? undefined : seen
    })
    await fault.heal()
    await eventually('the follower back in the ISR', 30_000, async () => {
      const seen = await partitionSeenBy(c, before.value.leader)
      return seen.isr.length === 3 ? seen : undefined
    })
  })

  it('refuses to split a cluster without link proxies, saying which backend builds them', async () => {
    const lone = new ProxyFleet('http://127.0.0.1:9')
    await expect(startSplit(lone, [], splitGrudge('isolate', [0], 3), entry({}), 3)).rejects.toThrow(/only the process backend with brokers > 1 builds/)
  })
}, 120_000)
