// The metadata log stays bounded: with a small sluice.metadata.snapshot.interval.records the
// nodes write snapshot files next to __cluster_metadata-0's segments and drop the prefix; a
// node restarted afterwards loads its snapshot and still knows every topic.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { eventually, kafkaOf, startCluster, topicNamesAt, waitForHealthy } from './helpers.ts'

describe('a three-node cluster: metadata snapshots', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster({ 'sluice.metadata.snapshot.interval.records': 20 }) }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('snapshots the metadata log and restarts from the snapshot with every topic', async () => {
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    const names = Array.from({ length: 12 }, (_, i) => `snap-${i}`)
    try {
      await admin.createTopics({ topics: names.map(topic => ({ topic, numPartitions: 2, replicationFactor: 3 })) })
    } finally {
      await admin.disconnect()
    }
    const node = cluster.brokers[2]!
    const metadataDir = join(node.dataDir, '__cluster_metadata-0')
    const { value: snapshots } = await eventually('a snapshot file', 20_000, async () => {
      const files = readdirSync(metadataDir).filter(f => f.endsWith('.checkpoint'))
      return files.length > 0 ? files : undefined
    })
    expect(snapshots[0]).toMatch(/^\d{20}-\d{10}\.checkpoint$/)
    await node.kill()
    await node.restart()
    await waitForHealthy(cluster)
    const seen = await topicNamesAt(node.kafkaAddress)
    for (const name of names) expect(seen).toContain(name)
  }, 90_000)
})
