// A three-node cluster from the process backend, seen by three real clients: kcat -L
// (librdkafka), kafkajs's admin and @platformatic/kafka all see three brokers and a
// controller, and a topic of 6 partitions at replication factor 3 has every broker leading
// 2 partitions with 3 distinct replicas each.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Admin } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { describeQuorum, kafkaOf, startCluster } from './helpers.ts'

const run = promisify(execFile)

describe('a three-node cluster: metadata', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster() }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('kafkajs describes three brokers and a controller, and places 6x3 replicas evenly', async () => {
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    try {
      const described = await admin.describeCluster()
      expect(described.brokers.map(b => b.nodeId).sort()).toEqual([0, 1, 2])
      expect([0, 1, 2]).toContain(described.controller)
      expect(await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 6, replicationFactor: 3 }] })).toBe(true)
      const { topics } = await admin.fetchTopicMetadata({ topics: ['spread'] })
      const partitions = topics[0]!.partitions
      expect(partitions).toHaveLength(6)
      const led = new Map<number, number>()
      for (const p of partitions) {
        expect(new Set(p.replicas).size).toBe(3)
        expect(p.isr.sort()).toEqual([...p.replicas].sort())
        expect(p.leader).toBe(p.replicas[0])
        led.set(p.leader, (led.get(p.leader) ?? 0) + 1)
      }
      expect([...led.entries()].sort()).toEqual([[0, 2], [1, 2], [2, 2]])
    } finally {
      await admin.disconnect()
    }
  })

  it('refuses a replication factor above the live brokers with INVALID_REPLICATION_FACTOR', async () => {
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    try {
      await expect(admin.createTopics({ topics: [{ topic: 'too-many', numPartitions: 1, replicationFactor: 4 }] }))
        .rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })] })
    } finally {
      await admin.disconnect()
    }
  })

  it('kcat -L sees three brokers, from any of them', async () => {
    for (const address of cluster.bootstrap) {
      const { stdout } = await run('kcat', ['-L', '-J', '-b', address, '-m', '5'])
      const meta = JSON.parse(stdout) as { brokers: Array<{ id: number }>, controllerid: number }
      expect(meta.brokers.map(b => b.id).sort()).toEqual([0, 1, 2])
      expect([0, 1, 2]).toContain(meta.controllerid)
    }
  })

  it('@platformatic/kafka sees the brokers, the controller and the replicas', async () => {
    const admin = new Admin({ clientId: 'sluice-cluster-test', bootstrapBrokers: [cluster.bootstrap[1]!] })
    try {
      const meta = await admin.metadata({ topics: ['spread'] })
      expect([...meta.brokers.keys()].sort()).toEqual([0, 1, 2])
      expect([0, 1, 2]).toContain(meta.controllerId)
      const partitions = meta.topics.get('spread')!.partitions
      expect(partitions).toHaveLength(6)
      for (const p of partitions) expect(new Set(p.replicas).size).toBe(3)
    } finally {
      await admin.close()
    }
  })

  it('DescribeQuorum names the same leader from every broker, with all three voters', async () => {
    const answers = await Promise.all(cluster.bootstrap.map(a => describeQuorum(a)))
    for (const a of answers) {
      expect(a.leaderId).toBe(answers[0]!.leaderId)
      expect(a.voters.sort()).toEqual([0, 1, 2])
    }
  })
})
