// A new partition leader names its leader epoch in its leader-epoch cache when elected,
// before it writes anything (Kafka's makeLeader, KAFKA-7415), on real broker processes.
// Without it the new leader answers OffsetForLeaderEpoch for the epoch an old leader holds
// with UNDEFINED until its first append, and an old leader asking in that window keeps a
// tail the new leader never had (soak safe-rf3 run 12: the replicas then disagreed at
// offset 0 below the HW). The ordering is shown deterministically in
// test/harness/repl-sim/epoch-start-race.test.ts; this test pins the broker's half.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { fetchReplicas, type ReplicaReport } from '../../../../harness/cluster/replica-admin.ts'
import { eventually, kafkaOf, startCluster, waitForHealthy } from './helpers.ts'

const TOPIC = 'epoch-start'

async function leaderReport (cluster: ProcessCluster, minEpoch: number): Promise<(ReplicaReport & { brokerId: number }) | undefined> {
  for (const broker of cluster.brokers) {
    if (!broker.alive()) continue
    const report = await fetchReplicas(broker.httpUrl!, { topic: TOPIC, checksum: false }, { attemptsMax: 1, timeoutMs: 2000 }).catch(() => null)
    const led = report?.replicas.find(r => r.role === 'leader' && r.leaderEpoch >= minEpoch)
    if (led !== undefined) return { ...led, brokerId: report!.brokerId }
  }
  return undefined
}

describe('leader election on a real cluster', () => {
  let cluster: ProcessCluster

  beforeAll(async () => {
    cluster = await startCluster()
    await waitForHealthy(cluster)
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true })
    await admin.disconnect()
  }, 60_000)

  afterAll(async () => { await cluster?.stop() })

  it('puts the new epoch in the leader-epoch cache at its log end before any write in it', async () => {
    const first = (await eventually('a leader of epoch 0', 20_000, async () => await leaderReport(cluster, 0))).value
    expect(first.leaderEpochs).toEqual([{ epoch: first.leaderEpoch, startOffset: 0 }])
    await cluster.brokers[first.brokerId]!.kill()
    const next = (await eventually('a new leader after the kill', 30_000, async () => await leaderReport(cluster, first.leaderEpoch + 1))).value
    expect(next.brokerId).not.toBe(first.brokerId)
    expect(next.logEndOffset).toBe(0) // nothing was written in any epoch
    // Before the fix: [] until the first append, so OffsetForLeaderEpoch(0) answered UNDEFINED.
    expect(next.leaderEpochs.at(-1)).toEqual({ epoch: next.leaderEpoch, startOffset: 0 })
  }, 90_000)
})
