// Shared pieces of the three-node cluster tests: fast cluster timings, a kafkajs admin,
// the quorum's view through DescribeQuorum, and polling with a deadline that reports
// the last thing seen when it fails.

import { Kafka, logLevel } from 'kafkajs'
import { ProcessBackend, type ProcessCluster } from '../../../../harness/cluster/process-backend.ts'

/** Kafka's defaults are 1 s election, 2 s fetch, 9 s session; these keep the tests short. */
export const TIMINGS = {
  electionTimeoutMs: 500,
  fetchTimeoutMs: 1000,
  sessionTimeoutMs: 3000,
}

export const CLUSTER_CONFIG = {
  'controller.quorum.election.timeout.ms': TIMINGS.electionTimeoutMs,
  'controller.quorum.fetch.timeout.ms': TIMINGS.fetchTimeoutMs,
  'broker.session.timeout.ms': TIMINGS.sessionTimeoutMs,
  'broker.heartbeat.interval.ms': 500,
  'group.initial.rebalance.delay.ms': 0,
  'offsets.topic.num.partitions': 3,
  'auto.leader.rebalance.enable': false,
}

export async function startCluster (extra: Record<string, string | number | boolean> = {}): Promise<ProcessCluster> {
  return await new ProcessBackend().start({ brokers: 3, brokerConfig: { ...CLUSTER_CONFIG, ...extra } })
}

export function kafkaOf (cluster: ProcessCluster, brokers = cluster.bootstrap): Kafka {
  return new Kafka({ clientId: 'sluice-cluster-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } })
}

/** Polls `probe` until it returns a value other than undefined, or fails naming the last value seen. */
export async function eventually<T> (what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<{ value: T, elapsedMs: number }> {
  const startMs = Date.now()
  let last: unknown = 'nothing'
  while (Date.now() - startMs < timeoutMs) {
    try {
      const value = await probe()
      if (value !== undefined) return { value, elapsedMs: Date.now() - startMs }
    } catch (err) {
      last = (err as Error).message
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last seen: ${typeof last === 'string' ? last : JSON.stringify(last)})`)
}

export { describeQuorum } from '../../../../harness/cluster/quorum.ts'

/** The topic names one broker's Metadata lists (asked of that broker alone, whatever the others do). */
export async function topicNamesAt (address: string): Promise<string[]> {
  const { Connection } = await import('../../../../broker/client/connection.ts')
  const { Metadata } = await import('../../../../broker/protocol/03-metadata.ts')
  const [host, port] = address.split(':')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'sluice-cluster-test', requestTimeoutMs: 3000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(Metadata, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    return r.topics.map(t => t.name)
  } finally {
    conn.close()
  }
}

/** Waits until every broker reports all brokers live, a controller, and every partition led. */
export async function waitForHealthy (cluster: ProcessCluster, timeoutMs = 30_000): Promise<void> {
  const { waitForClusterReady } = await import('../../../../harness/cluster/ready.ts')
  await waitForClusterReady(cluster.bootstrap, cluster.brokers.length, timeoutMs)
}

/** A partition's log end on one broker (written, not only replicated), from its /metrics. */
export async function logEndOffsetAt (httpUrl: string, topic: string, partition: number): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(`sluice_log_end_offset{topic="${topic}",partition="${partition}"}`))
  if (line === undefined) throw new Error(`no sluice_log_end_offset for ${topic}-${partition} at ${httpUrl}`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}
