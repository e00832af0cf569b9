// Failover figures of a three-node reference cluster for the README (issue #8's benchmark):
//   - partition leader: SIGKILL the leader of a one-partition topic while a client produces
//     to it; time from the kill to the first produce acknowledged by the new leader
//     (the client refreshes metadata and retries every 10 ms, as a tight Kafka client would);
//   - controller: SIGKILL the active controller; time until DescribeQuorum names another.
// Each is repeated (--kills, default 20) and reported as median and p99, with the timings
// used (Kafka's defaults unless given: election 1000 ms, fetch 2000 ms, session 9000 ms).
//
//   node bench/failover.ts [--kills 20] [--election-ms 1000] [--fetch-ms 2000] [--session-ms 9000]

import { parseArgs } from 'node:util'
import { encodeRecordBatch } from '../broker/protocol/record-batch.ts'
import { KafkaClient } from '../broker/client/kafka-client.ts'
import { ProcessBackend, type ProcessCluster } from '../harness/cluster/process-backend.ts'
import { describeQuorum } from '../harness/cluster/quorum.ts'

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    'election-ms': { type: 'string', default: '1000' },
    'fetch-ms': { type: 'string', default: '2000' },
    'session-ms': { type: 'string', default: '9000' },
  },
})
const kills = Number(values.kills)
const timing = { election: Number(values['election-ms']), fetch: Number(values['fetch-ms']), session: Number(values['session-ms']) }
const TOPIC = 'failover'

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

function summary (what: string, samplesMs: number[]): string {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  return `${what}: median ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (${sorted.length} kills)`
}

const batch = (): Buffer => encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }] })

/** Produces to partition 0 of TOPIC until one send is acknowledged by a leader other than `oldLeader`. */
async function firstProduceOnNewLeader (client: KafkaClient, oldLeader: number): Promise<void> {
  for (;;) {
    try {
      const info = await client.topic(TOPIC, true)
      const leader = info.partitions[0]?.leaderId ?? -1
      if (leader >= 0 && leader !== oldLeader) {
        const response = await client.produce(leader, TOPIC, [{ partition: 0, batch: batch() }], { acks: 1, timeoutMs: 500 })
        if (response?.topics[0]?.partitions[0]?.errorCode === 0) return
      }
    } catch {}
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function leaderKills (cluster: ProcessCluster): Promise<number[]> {
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'failover-bench', requestTimeoutMs: 2000 })
  await client.createTopics([{ name: TOPIC, partitions: 1, replicationFactor: 3 }], { existingOk: true })
  const samples: number[] = []
  try {
    for (let i = 0; i < kills; i++) {
      const leader = (await client.topic(TOPIC, true)).partitions[0]!.leaderId
      const startMs = performance.now()
      await cluster.brokers[leader]!.kill()
      await firstProduceOnNewLeader(client, leader)
      samples.push(Math.round(performance.now() - startMs))
      process.stderr.write(`leader kill ${i + 1}/${kills}: ${samples.at(-1)} ms\n`)
      await cluster.brokers[leader]!.restart()
      await new Promise(resolve => setTimeout(resolve, timing.session / 3))
    }
  } finally {
    client.close()
  }
  return samples
}

async function controllerKills (cluster: ProcessCluster): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < kills; i++) {
    const before = await describeQuorum(cluster.bootstrap[0]!)
    const survivor = cluster.brokers.find(b => b.id !== before.leaderId)!.kafkaAddress
    const startMs = performance.now()
    await cluster.brokers[before.leaderId]!.kill()
    for (;;) {
      const q = await describeQuorum(survivor).catch(() => null)
      if (q !== null && q.leaderId >= 0 && q.leaderId !== before.leaderId) break
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    samples.push(Math.round(performance.now() - startMs))
    process.stderr.write(`controller kill ${i + 1}/${kills}: ${samples.at(-1)} ms\n`)
    await cluster.brokers[before.leaderId]!.restart()
    await new Promise(resolve => setTimeout(resolve, timing.fetch))
  }
  return samples
}

const cluster = await new ProcessBackend().start({
  brokers: 3,
  brokerConfig: {
    'controller.quorum.election.timeout.ms': timing.election,
    'controller.quorum.fetch.timeout.ms': timing.fetch,
    'broker.session.timeout.ms': timing.session,
    'auto.leader.rebalance.enable': false,
  },
})
try {
  const leader = await leaderKills(cluster)
  const controller = await controllerKills(cluster)
  process.stdout.write(`timings: election ${timing.election} ms, fetch ${timing.fetch} ms, session ${timing.session} ms\n`)
  process.stdout.write(summary('SIGKILL of a partition leader -> first produce acknowledged by the new leader', leader) + '\n')
  process.stdout.write(summary('SIGKILL of the active controller -> DescribeQuorum names a new one', controller) + '\n')
} finally {
  await cluster.stop()
}
