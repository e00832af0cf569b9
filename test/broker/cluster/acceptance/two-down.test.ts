// Two of a partition's three replicas down: acks=all is refused with NOT_ENOUGH_REPLICAS and
// nothing is appended, while acks=1 still succeeds. The cluster has five nodes so that its
// metadata quorum (all five vote) survives the two failures and the ISR can shrink; with
// three combined nodes, losing two also loses the quorum (see the README's known limits).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../../../broker/client/kafka-client.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { encodeRecordBatch } from '../../../../broker/protocol/record-batch.ts'
import { ProcessBackend, type ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { CLUSTER_CONFIG, eventually, kafkaOf, logEndOffsetAt } from './helpers.ts'

const TOPIC = 'two-down'

describe('a five-node cluster: two of three replicas down', () => {
  let cluster: ProcessCluster
  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 5, brokerConfig: { ...CLUSTER_CONFIG, 'min.insync.replicas': 2, 'replica.lag.time.max.ms': 1500 } })
  }, 90_000)
  afterAll(async () => { await cluster?.stop() })

  it('refuses acks=all with nothing appended and takes acks=1', async () => {
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [0, 1, 2] }] }] })
    await admin.disconnect()
    const client = new KafkaClient({ bootstrap: [cluster.brokers[3]!.kafkaAddress], clientId: 'two-down', requestTimeoutMs: 5000 })
    const produce = async (acks: number): Promise<number> => {
      const leader = (await client.topic(TOPIC, true)).partitions[0]!.leaderId
      const r = await client.produce(leader, TOPIC, [{ partition: 0, batch: encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`acks${acks}`) }] }) }], { acks, timeoutMs: 3000 })
      return r!.topics[0]!.partitions[0]!.errorCode
    }
    try {
      await eventually('a first acks=all write', 20_000, async () => await produce(-1) === ErrorCode.NONE ? true : undefined)
      const leader = (await client.topic(TOPIC, true)).partitions[0]!.leaderId
      const others = [0, 1, 2].filter(id => id !== leader)
      for (const id of others) await cluster.brokers[id]!.kill()
      await eventually('the ISR down to the leader', 30_000, async () => {
        const meta = await kafkaOf(cluster, [cluster.brokers[3]!.kafkaAddress]).admin()
        await meta.connect()
        try {
          const p = (await meta.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions[0]!
          return p.isr.length === 1 ? p : undefined
        } finally {
          await meta.disconnect()
        }
      })
      const httpUrl = cluster.brokers[leader]!.httpUrl!
      const before = await logEndOffsetAt(httpUrl, TOPIC, 0)
      expect(await produce(-1)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
      expect(await logEndOffsetAt(httpUrl, TOPIC, 0)).toBe(before)
      expect(await produce(1)).toBe(ErrorCode.NONE)
    } finally {
      client.close()
    }
  }, 120_000)
})
