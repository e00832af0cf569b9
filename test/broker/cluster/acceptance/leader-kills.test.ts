// RF=3, min ISR 2, acks=all under leader kills, with four clients producing keyed records
// and retrying: kafkajs, @platformatic/kafka, kcat (librdkafka) and Sluice's own client.
// The leader of every partition is SIGKILLed in turn (and restarted once the partition has a
// new leader). Afterwards: every record acknowledged with an offset is at that offset with
// that value; per key, acknowledged records keep their send order; every record kcat says it
// delivered is there; and no record a consumer read during the run has vanished.

import { spawn } from 'node:child_process'
import { Producer, stringSerializers } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeRecordBatch } from '../../../../broker/protocol/record-batch.ts'
import { KafkaClient } from '../../../../broker/client/kafka-client.ts'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { readPartition } from '../../../helpers/topics.ts'
import { eventually, kafkaOf, startCluster, waitForHealthy } from './helpers.ts'

const TOPIC = 'kills'
const PARTITIONS = 3
const KEYS = 6

interface Ack { partition: number, offset: number, value: string }

async function leaders (client: KafkaClient): Promise<number[]> {
  return (await client.topic(TOPIC, true)).partitions.map(p => p.leaderId)
}

/** The final contents of every partition, read from its leader. */
async function finalLogs (cluster: ProcessCluster, client: KafkaClient): Promise<Map<number, Map<number, string>>> {
  const out = new Map<number, Map<number, string>>()
  const led = await leaders(client)
  for (let p = 0; p < PARTITIONS; p++) {
    const port = Number(cluster.brokers[led[p]!]!.kafkaAddress.split(':')[1])
    out.set(p, new Map((await readPartition(port, TOPIC, p)).map(r => [r.offset, r.value!.toString()])))
  }
  return out
}

function runProducers (cluster: ProcessCluster, client: KafkaClient): { stop: () => Promise<{ acks: Ack[], kcatSent: string[] }> } {
  let running = true
  const acks: Ack[] = []
  const kafkajs = (async () => {
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 })
    await producer.connect()
    for (let n = 0; running; n++) {
      const key = `kj-${n % KEYS}`
      const value = `kafkajs:${key}:${n}`
      try {
        const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key, value }] })
        acks.push({ partition: meta!.partition, offset: Number(meta!.baseOffset), value })
      } catch {}
    }
    await producer.disconnect()
  })()
  const platformatic = (async () => {
    const producer = new Producer({ clientId: 'kills-pf', bootstrapBrokers: [...cluster.bootstrap], serializers: stringSerializers, retries: 20, retryDelay: 200 })
    for (let n = 0; running; n++) {
      const key = `pf-${n % KEYS}`
      const value = `platformatic:${key}:${n}`
      try {
        const result = await producer.send({ messages: [{ topic: TOPIC, key, value }], acks: -1 })
        const at = result.offsets?.[0]
        if (at !== undefined) acks.push({ partition: at.partition, offset: Number(at.offset), value })
      } catch {}
    }
    await producer.close()
  })()
  const native = (async () => {
    for (let n = 0; running; n++) {
      const partition = n % PARTITIONS
      const value = `native:n-${partition}:${n}`
      try {
        const leader = (await client.topic(TOPIC, true)).partitions[partition]!.leaderId
        const r = await client.produce(leader, TOPIC, [{ partition, batch: encodeRecordBatch({ records: [{ key: Buffer.from(`n-${partition}`), value: Buffer.from(value) }] }) }], { acks: -1, timeoutMs: 2000 })
        const p = r?.topics[0]?.partitions[0]
        if (p?.errorCode === 0) acks.push({ partition, offset: p.baseOffset, value })
      } catch {}
      await new Promise(resolve => setTimeout(resolve, 5))
    }
  })()
  const kcatSent: string[] = []
  const kcat = (async () => {
    for (let round = 0; running; round++) {
      const lines = Array.from({ length: 50 }, (_, i) => `kc-${i % KEYS}:kcat:kc-${i % KEYS}:${round * 50 + i}`)
      const ok = await new Promise<boolean>(resolve => {
        const child = spawn('kcat', ['-P', '-b', cluster.bootstrap.join(','), '-t', TOPIC, '-K:', '-X', 'acks=all', '-X', 'message.send.max.retries=100', '-X', 'retry.backoff.ms=200', '-X', 'partitioner=murmur2_random'], { stdio: ['pipe', 'ignore', 'ignore'] })
        child.on('exit', code => resolve(code === 0))
        child.stdin.end(lines.join('\n') + '\n')
      })
      if (ok) kcatSent.push(...lines.map(l => l.slice(l.indexOf(':') + 1)))
    }
  })()
  return {
    stop: async () => {
      running = false
      await Promise.all([kafkajs, platformatic, native, kcat])
      return { acks, kcatSent }
    },
  }
}

describe('a three-node cluster: acks=all through leader kills, four clients', () => {
  let cluster: ProcessCluster
  let client: KafkaClient
  beforeAll(async () => {
    cluster = await startCluster({ 'min.insync.replicas': 2, 'replica.lag.time.max.ms': 3000 })
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] })
    await admin.disconnect()
    client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'kills', requestTimeoutMs: 3000 })
  }, 60_000)
  afterAll(async () => {
    client?.close()
    await cluster?.stop()
  })

  it('keeps every acknowledged record where its ack said, in order per key', async () => {
    const consumed: Ack[] = []
    const consumer = kafkaOf(cluster).consumer({ groupId: 'kills-reader', maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ partition, message }) => { consumed.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) } })
    const producers = runProducers(cluster, client)
    for (let p = 0; p < PARTITIONS; p++) {
      await new Promise(resolve => setTimeout(resolve, 1000))
      const victim = (await leaders(client))[p]!
      await cluster.brokers[victim]!.kill()
      await eventually(`a new leader for partition ${p}`, 20_000, async () => {
        const now = (await leaders(client))[p]!
        return now >= 0 && now !== victim ? now : undefined
      })
      await cluster.brokers[victim]!.restart()
      await waitForHealthy(cluster)
    }
    await new Promise(resolve => setTimeout(resolve, 1000))
    const { acks, kcatSent } = await producers.stop()
    await new Promise(resolve => setTimeout(resolve, 1000))
    await consumer.disconnect()

    const logs = await finalLogs(cluster, client)
    expect(acks.length).toBeGreaterThan(100)
    const where = (value: string): string[] => [...logs].flatMap(([p, m]) => [...m].filter(([, v]) => v === value).map(([o]) => `${p}@${o}`))
    const misplaced = acks.filter(a => logs.get(a.partition)!.get(a.offset) !== a.value)
      .map(a => ({ ...a, found: where(a.value), atThatOffset: logs.get(a.partition)!.get(a.offset) ?? null }))
    expect(misplaced).toEqual([])
    const all = [...logs.values()].flatMap(m => [...m.values()])
    expect(kcatSent.filter(v => !all.includes(v))).toEqual([])
    const vanished = consumed.filter(c => logs.get(c.partition)!.get(c.offset) !== c.value)
    expect(vanished).toEqual([])
    // Per key (one producer each), acknowledged sequence numbers grow with the offset.
    const byKey = new Map<string, Ack[]>()
    for (const a of acks) {
      const key = a.value.split(':')[1]!
      byKey.set(key, [...(byKey.get(key) ?? []), a])
    }
    for (const [key, list] of byKey) {
      const sorted = [...list].sort((x, y) => x.offset - y.offset).map(a => Number(a.value.split(':')[2]))
      expect(sorted, `order of ${key}`).toEqual([...sorted].sort((x, y) => x - y))
    }
  }, 180_000)
})
