// KIP-207 on real broker processes: the latest offset a client sees never goes back when the
// leader changes. A new leader can hold a high watermark below the one its predecessor
// showed (it learns the HW a fetch late); until its own HW reaches the start of its epoch it
// answers ListOffsets with OFFSET_NOT_AVAILABLE, as Kafka does, instead of the older offset.
// Without it, a consumer that clamps its committed position into [earliest, latest] after a
// leader change commits an offset lower than one already committed (the chaos runs' exactly-
// once `commit-backwards` case on acks=all workloads).
//
// Five nodes, all quorum voters, so two paused ones leave a majority. The partition is placed
// on three brokers other than the active controller (pausing it would start a quorum
// election in the middle), as [a, b, c] in that order, so a controlled shutdown of a elects
// b. b is paused holding every record but an old HW, c catches up and the HW moves on at a,
// then c is paused too, so nobody can move b's HW once it leads.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection } from '../../../../broker/client/connection.ts'
import { ListOffsets, ListOffsetsTimestamp } from '../../../../broker/protocol/02-list-offsets.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { ProcessBackend, type ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { CLUSTER_CONFIG, describeQuorum, eventually, kafkaOf, logEndOffsetAt, waitForHealthy } from './helpers.ts'

const TOPIC = 'kip-207'

/** ListOffsets latest for partition 0, asked of one broker. */
async function latestAt (address: string): Promise<{ errorCode: number, offset: number }> {
  const [host, port] = address.split(':')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'kip-207-test', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: ListOffsetsTimestamp.latest }] }] })
    const p = r.topics[0]!.partitions[0]!
    return { errorCode: p.errorCode, offset: p.offset }
  } finally {
    conn.close()
  }
}

describe('ListOffsets across a leader change (KIP-207)', () => {
  let cluster: ProcessCluster
  let order: number[] = []

  beforeAll(async () => {
    cluster = await new ProcessBackend().start({
      brokers: 5,
      // Paused followers stay in the ISR and unfenced for the whole test.
      brokerConfig: { ...CLUSTER_CONFIG, 'replica.lag.time.max.ms': 60_000, 'broker.session.timeout.ms': 30_000 },
    })
    await waitForHealthy(cluster)
    const { leaderId } = await describeQuorum(cluster.bootstrap[0]!)
    order = cluster.brokers.map(b => b.id).filter(id => id !== leaderId).slice(0, 3)
    const admin = kafkaOf(cluster).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: order }] }], waitForLeaders: true })
    await admin.disconnect()
  }, 90_000)

  afterAll(async () => { await cluster?.stop() })

  it('answers OFFSET_NOT_AVAILABLE, never an older offset, until the new leader\'s HW reaches its epoch start', async () => {
    const [a, b, c] = order.map(id => cluster.brokers[id]!)
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `v${i}` }))
    await producer.send({ topic: TOPIC, acks: -1, messages: messages(10) })

    await c.pause()
    await producer.send({ topic: TOPIC, acks: 1, messages: messages(5) })
    await producer.disconnect()
    await eventually('b holding all 15 records', 10_000, async () => (await logEndOffsetAt(b.httpUrl!, TOPIC, 0)) === 15 ? true : undefined)
    await b.pause()
    await c.resume()
    await eventually('the HW at a reaching 15', 10_000, async () => (await latestAt(a.kafkaAddress)).offset === 15 ? true : undefined)
    await c.pause()

    await a.stop() // controlled shutdown: the controller moves the leadership to b
    await b.resume()
    // Until b knows it leads it answers NOT_LEADER_OR_FOLLOWER; then, with c paused, its HW
    // stays below its epoch start (15). Before KIP-207 it answered 10 here.
    const first = await eventually('b answering as the leader', 20_000, async () => {
      const answer = await latestAt(b.kafkaAddress)
      return answer.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? undefined : answer
    })
    expect(first.value).toEqual({ errorCode: ErrorCode.OFFSET_NOT_AVAILABLE, offset: -1 })

    await c.resume()
    const after = await eventually('the HW at b reaching 15', 20_000, async () => {
      const answer = await latestAt(b.kafkaAddress)
      return answer.errorCode === ErrorCode.NONE ? answer : undefined
    })
    expect(after.value.offset).toBe(15)
  }, 120_000)
})
