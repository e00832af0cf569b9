// Brokers leaving and coming back, with clients producing throughout: after SIGKILL of a
// broker its partitions get new leaders with bumped epochs within the session timeout
// (plus a margin, printed) and kafkajs follows them; SIGTERM moves leaderships away before
// the process exits, so a producer sees no failed send; after a restart, preferred leader
// election (ElectLeaders, forwarded to the controller) gives the original leaders back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Producer } from 'kafkajs'
import { Connection } from '../../../../broker/client/connection.ts'
import { ElectLeaders } from '../../../../broker/protocol/43-elect-leaders.ts'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { eventually, kafkaOf, startCluster, TIMINGS } from './helpers.ts'

const TOPIC = 'moving'
const PARTITIONS = 6

interface Led { partition: number, leader: number, leaderEpoch: number, replicas: number[] }

async function leaders (cluster: ProcessCluster, via: string): Promise<Led[]> {
  const [host, port] = via.split(':')
  const { Metadata } = await import('../../../../broker/protocol/03-metadata.ts')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'test', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(Metadata, { topics: [TOPIC], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    return r.topics[0]!.partitions.map(p => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes })).sort((a, b) => a.partition - b.partition)
  } finally {
    conn.close()
  }
}

/** Sends one message to every partition, every 20 ms, counting sends that failed after kafkajs's own retries. */
function keepProducing (producer: Producer): { stop: () => Promise<{ sent: number, failed: string[] }> } {
  let running = true
  const failed: string[] = []
  let sent = 0
  const loop = (async () => {
    while (running) {
      try {
        await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: `m${sent}` })) })
        sent++
      } catch (err) {
        failed.push((err as Error).message)
      }
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  })()
  return { stop: async () => { running = false; await loop; return { sent, failed } } }
}

describe('a three-node cluster: brokers failing over', () => {
  let cluster: ProcessCluster
  let original: Led[]
  beforeAll(async () => {
    cluster = await startCluster()
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] })
    await admin.disconnect()
    original = await leaders(cluster, cluster.bootstrap[0]!)
  }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('moves the leaderships of a SIGKILLed broker, with bumped epochs, and kafkajs follows', async () => {
    const victim = cluster.brokers[2]!
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    const traffic = keepProducing(producer)
    await new Promise(resolve => setTimeout(resolve, 300))
    await victim.kill()
    const survivor = cluster.brokers[0]!.kafkaAddress
    const { value: moved, elapsedMs } = await eventually('new leaders', TIMINGS.sessionTimeoutMs * 3, async () => {
      const now = await leaders(cluster, survivor)
      return now.every(p => p.leader >= 0 && p.leader !== victim.id) ? now : undefined
    })
    process.stdout.write(`broker failover: every partition led again ${elapsedMs} ms after SIGKILL (session timeout ${TIMINGS.sessionTimeoutMs} ms)\n`)
    for (const p of moved) {
      const was = original[p.partition]!
      if (was.leader === victim.id) expect(p.leaderEpoch).toBeGreaterThan(was.leaderEpoch)
    }
    const sentBefore = (await traffic.stop()).sent
    const after = keepProducing(producer)
    await new Promise(resolve => setTimeout(resolve, 500))
    const result = await after.stop()
    await producer.disconnect()
    expect(sentBefore).toBeGreaterThan(0)
    expect(result.sent).toBeGreaterThan(0)
    expect(result.failed).toEqual([])
    await victim.restart()
  }, 60_000)

  it('moves leaderships before a SIGTERMed broker exits: the producer never fails', async () => {
    await eventually('every broker back', 20_000, async () => {
      const now = await leaders(cluster, cluster.bootstrap[0]!)
      return now.every(p => p.leader >= 0) ? true : undefined
    })
    const victim = cluster.brokers[1]!
    const producer = kafkaOf(cluster, [cluster.brokers[0]!.kafkaAddress]).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    const traffic = keepProducing(producer)
    await new Promise(resolve => setTimeout(resolve, 300))
    await victim.stop!()
    const now = await leaders(cluster, cluster.brokers[0]!.kafkaAddress)
    expect(now.filter(p => p.leader === victim.id)).toEqual([])
    await new Promise(resolve => setTimeout(resolve, 500))
    const result = await traffic.stop()
    await producer.disconnect()
    expect(result.failed).toEqual([])
    await victim.restart()
  }, 60_000)

  it('gives the original leaders back by preferred leader election once the broker rejoined', async () => {
    const via = cluster.brokers[0]!.kafkaAddress
    await eventually('all three brokers in every ISR', 20_000, async () => {
      const [host, port] = via.split(':')
      const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'test', requestTimeoutMs: 5000, connectTimeoutMs: 2000 })
      try {
        const r = await conn.request(ElectLeaders, { electionType: 0, topicPartitions: [{ topic: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, i) => i) }], timeoutMs: 5000 })
        const now = await leaders(cluster, via)
        return r.errorCode === 0 && now.every(p => p.leader === p.replicas[0]) ? now : undefined
      } finally {
        conn.close()
      }
    })
    const now = await leaders(cluster, via)
    expect(now.map(p => p.leader)).toEqual(original.map(p => p.leader))
  }, 60_000)
})
