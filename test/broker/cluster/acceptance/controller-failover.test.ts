// The metadata quorum under process kills: SIGKILL the active controller and another is
// elected within twice the election timeout plus the fetch timeout (with a margin for this
// shared machine, printed), DescribeQuorum reports it and topics can still be created.
// With two of three voters gone no metadata change is accepted (no split brain), and it
// resumes when one comes back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { describeQuorum, eventually, kafkaOf, startCluster, TIMINGS, topicNamesAt } from './helpers.ts'

/** Process start-up, detection and scheduling on 2 shared cores: the bound is multiplied by this. */
const MARGIN = 3

async function createTopic (cluster: ProcessCluster, via: string, topic: string, timeoutMs: number): Promise<boolean> {
  const admin = kafkaOf(cluster, [via]).admin({ retry: { retries: 0 } })
  await admin.connect()
  try {
    return await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], timeout: timeoutMs })
  } finally {
    await admin.disconnect()
  }
}

describe('a three-node cluster: controller failover', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster() }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('elects a new controller after SIGKILL of the active one, and keeps creating topics', async () => {
    const before = await describeQuorum(cluster.bootstrap[0]!)
    const victim = cluster.brokers[before.leaderId]!
    await victim.kill()
    const survivor = cluster.brokers.find(b => b.id !== victim.id)!.kafkaAddress
    const boundMs = 2 * TIMINGS.electionTimeoutMs + TIMINGS.fetchTimeoutMs
    const { value: after, elapsedMs } = await eventually('a new controller', boundMs * MARGIN, async () => {
      const q = await describeQuorum(survivor)
      return q.leaderId !== victim.id && q.leaderId >= 0 ? q : undefined
    })
    process.stdout.write(`controller failover: new controller ${after.leaderId} (epoch ${after.leaderEpoch}) ${elapsedMs} ms after SIGKILL of ${victim.id}; bound ${boundMs} ms\n`)
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch)
    expect(await createTopic(cluster, survivor, 'after-failover', 10_000)).toBe(true)
    await victim.restart()
  }, 60_000)

  it('accepts no metadata change with two of three voters down, and resumes when one returns', async () => {
    const [a, b, c] = cluster.brokers
    await b!.kill()
    await c!.kill()
    await expect(createTopic(cluster, a!.kafkaAddress, 'no-quorum', 3000)).rejects.toThrow()
    expect(await topicNamesAt(a!.kafkaAddress)).not.toContain('no-quorum')
    await b!.restart()
    const { value } = await eventually('topic creation with the quorum back', 20_000, async () =>
      (await createTopic(cluster, a!.kafkaAddress, 'quorum-back', 3000)) ? true : undefined)
    expect(value).toBe(true)
    await c!.restart()
  }, 90_000)
})
