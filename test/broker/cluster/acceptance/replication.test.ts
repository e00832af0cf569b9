// Replication on a three-node cluster, with real clients: acks=all writes survive the
// SIGKILL of their leader (every acknowledged message is read back from the new leader, in
// order); a follower that stops fetching (SIGSTOP) leaves the ISR after
// replica.lag.time.max.ms and comes back once it catches up; with the ISR below
// min.insync.replicas, acks=all is refused with NOT_ENOUGH_REPLICAS and nothing is appended.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { eventually, kafkaOf, logEndOffsetAt, startCluster, waitForHealthy } from './helpers.ts'
import { Connection } from '../../../../broker/client/connection.ts'
import { Metadata } from '../../../../broker/protocol/03-metadata.ts'
import { encodeRecordBatch } from '../../../../broker/protocol/record-batch.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { KafkaClient } from '../../../../broker/client/kafka-client.ts'

const LAG_MS = 1500

async function partitionState (address: string, topic: string): Promise<Array<{ leader: number, leaderEpoch: number, isr: number[], replicas: number[] }>> {
  const [host, port] = address.split(':')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'test', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(Metadata, { topics: [topic], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    return r.topics[0]!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map(p => ({ leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort(), replicas: p.replicaNodes }))
  } finally {
    conn.close()
  }
}

async function readAll (cluster: ProcessCluster, topic: string, expected: number): Promise<string[]> {
  const consumer = kafkaOf(cluster).consumer({ groupId: `read-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 })
  const seen: string[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()) } })
  try {
    await eventually(`reading ${expected} messages`, 30_000, async () => seen.length >= expected ? true : undefined)
  } finally {
    await consumer.disconnect()
  }
  return seen
}

describe('a three-node cluster: replication', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster({ 'replica.lag.time.max.ms': LAG_MS, 'min.insync.replicas': 2 }) }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('loses no acks=all write when the leader is SIGKILLed, and keeps their order', async () => {
    const topic = 'durable'
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] })
    await admin.disconnect()
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 })
    await producer.connect()
    const acked: string[] = []
    for (let i = 0; i < 200; i++) {
      await producer.send({ topic, acks: -1, messages: [{ value: `v${i}` }] })
      acked.push(`v${i}`)
    }
    const leader = (await partitionState(cluster.bootstrap[0]!, topic))[0]!.leader
    await cluster.brokers[leader]!.kill()
    for (let i = 200; i < 300; i++) {
      await producer.send({ topic, acks: -1, messages: [{ value: `v${i}` }] })
      acked.push(`v${i}`)
    }
    await producer.disconnect()
    const read = await readAll(cluster, topic, acked.length)
    expect(read.slice(0, acked.length)).toEqual(acked)
    await cluster.brokers[leader]!.restart()
  }, 90_000)

  it('drops a stopped follower from the ISR after replica.lag.time.max.ms, and takes it back after it catches up', async () => {
    const topic = 'isr'
    await waitForHealthy(cluster)
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] })
    await admin.disconnect()
    const via = cluster.bootstrap[0]!
    const { value: full } = await eventually('a full ISR', 20_000, async () => {
      const s = (await partitionState(via, topic))[0]!
      return s.isr.length === 3 && s.leader >= 0 ? s : undefined
    })
    const follower = cluster.brokers[full.replicas.find(r => r !== full.leader)!]!
    const leaderAddress = cluster.brokers[full.leader]!.kafkaAddress
    // Our own client, bootstrapped from the leader alone: a client that asks the stopped broker hangs.
    const client = new KafkaClient({ bootstrap: [leaderAddress], clientId: 'isr-test', requestTimeoutMs: 3000 })
    const produce = async (): Promise<void> => {
      await client.produce(full.leader, topic, [{ partition: 0, batch: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }] }) }], { acks: 1, timeoutMs: 1000 })
    }
    await follower.pause()
    try {
      const { elapsedMs } = await eventually('the stopped follower out of the ISR', LAG_MS * 8, async () => {
        await produce()
        const s = (await partitionState(leaderAddress, topic))[0]!
        return s.isr.includes(follower.id) ? undefined : s
      })
      expect(elapsedMs).toBeGreaterThanOrEqual(LAG_MS * 0.5)
    } finally {
      await follower.resume()
    }
    await eventually('the follower back in the ISR', 20_000, async () => {
      await produce()
      const s = (await partitionState(leaderAddress, topic))[0]!
      return s.isr.includes(follower.id) ? s : undefined
    })
    client.close()
    const metrics = await (await fetch(`${cluster.brokers[full.leader]!.httpUrl}/metrics`)).text()
    expect(metrics).toMatch(/^kafka_server_replicamanager_isrshrinks_total [1-9]/m)
    expect(metrics).toMatch(/^kafka_server_replicamanager_isrexpands_total [1-9]/m)
  }, 90_000)

  it('refuses acks=all with NOT_ENOUGH_REPLICAS, appending nothing, once the ISR is below min ISR; acks=1 still works; /metrics shows it', async () => {
    const topic = 'under-min-isr'
    await waitForHealthy(cluster)
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }] })
    await admin.disconnect()
    const via = cluster.bootstrap[0]!
    const { value: full } = await eventually('a full ISR', 20_000, async () => {
      const s = (await partitionState(via, topic))[0]!
      return s.isr.length === 3 && s.leader >= 0 ? s : undefined
    })
    const leader = cluster.brokers[full.leader]!
    const follower = cluster.brokers[full.replicas.find(r => r !== full.leader)!]!
    const client = new KafkaClient({ bootstrap: [leader.kafkaAddress], clientId: 'min-isr-test', requestTimeoutMs: 5000 })
    const produce = async (acks: number): Promise<number> => {
      const r = await client.produce(full.leader, topic, [{ partition: 0, batch: encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`acks${acks}`) }] }) }], { acks, timeoutMs: 3000 })
      return r!.topics[0]!.partitions[0]!.errorCode
    }
    try {
      // The followers may need a few fetch rounds to start on a new partition: only that the write lands matters here.
      await eventually('a first acks=all write', 20_000, async () => await produce(-1) === 0 ? true : undefined)
      await follower.kill()
      await eventually('the ISR below min ISR', 20_000, async () => {
        const s = (await partitionState(leader.kafkaAddress, topic))[0]!
        return s.isr.length === 2 ? s : undefined
      })
      const endBefore = await logEndOffsetAt(leader.httpUrl!, topic, 0)
      expect(await produce(-1)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
      expect(await logEndOffsetAt(leader.httpUrl!, topic, 0)).toBe(endBefore)
      expect(await produce(1)).toBe(0)
      const http = async (acks: string): Promise<number> => (await fetch(`${leader.httpUrl}/topics/${topic}/records?acks=${acks}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ value: 'over-http', partition: 0 }]),
      })).status
      expect(await http('all')).toBe(503)
      expect(await http('1')).toBe(200)
      expect(await http('sometimes')).toBe(400)
      const metrics = await (await fetch(`${leader.httpUrl}/metrics`)).text()
      expect(metrics).toMatch(/^kafka_server_replicamanager_underminisrpartitioncount [1-9]/m)
      expect(metrics).toMatch(/^kafka_server_replicamanager_underreplicatedpartitions [1-9]/m)
    } finally {
      client.close()
      await follower.restart()
    }
  }, 90_000)
})
