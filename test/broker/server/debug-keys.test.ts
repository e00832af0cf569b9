// The debug-only replication keys (broker/config/debug-keys.ts): each is a real broker key,
// off by default, documented as debug only; a broker started with one on warns loudly; and
// the fetch-epoch one changes what a real broker answers (a follower's Fetch and
// OffsetForLeaderEpoch with a wrong current_leader_epoch are served), while with every key at
// its default the same requests are refused; and the min ISR one lets a one-node broker take
// an acks=all write that min.insync.replicas 2 forbids. The others act inside the cluster's
// replication (broker/cluster/replica/): the replication simulator's tests catch them, and
// the chaos workloads of the README's soak table on real clusters.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFIG_KEYS } from '../../../broker/config/keys.ts'
import { buildConfig } from '../../../broker/config/config.ts'
import { REPLICATION_DEBUG_KEYS, replicationDebugFrom, replicationDebugKeysOn } from '../../../broker/config/debug-keys.ts'
import { Fetch, fetchRecordsBytes, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { OffsetForLeaderEpoch } from '../../../broker/protocol/23-offset-for-leader-epoch.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const TOPIC = 'debug-keys'
/** A one-node broker leads in epoch 0: 7 is a newer epoch it does not know. */
const WRONG_EPOCH = 7

function fetchAs (replicaId: number): FetchRequest {
  return {
    replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: WRONG_EPOCH, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopics: [], rackId: '',
  }
}

async function epochAnswers (conn: RawConnection, replicaId: number): Promise<{ fetch: number, fetchBytes: number, epochQuery: number }> {
  const fetched = (await conn.request(Fetch, 11, fetchAs(replicaId))).response.topics[0]!.partitions[0]!
  const query = { replicaId, topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: WRONG_EPOCH, leaderEpoch: 0 }] }] }
  const epochQuery = (await conn.request(OffsetForLeaderEpoch, 4, query)).response.topics[0]!.partitions[0]!.errorCode
  return { fetch: fetched.errorCode, fetchBytes: fetchRecordsBytes(fetched.records), epochQuery }
}

async function startWithOneRecord (overrides: Record<string, boolean>): Promise<{ broker: BrokerProcess, conn: RawConnection }> {
  const broker = await startBrokerProcess({ httpPort: 'none', overrides })
  await createTopic(broker.kafkaPort, TOPIC, 1)
  const conn = await RawConnection.open(broker.kafkaPort)
  const records = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] })
  const { response } = await conn.request(Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records }] }] })
  expect(response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
  return { broker, conn }
}

async function stderrSettled (broker: BrokerProcess): Promise<string> {
  // The warning follows the ready line; give the pipe a moment.
  await new Promise(resolve => setTimeout(resolve, 300))
  return broker.stderr()
}

describe('debug-only replication keys', () => {
  it('are broker keys, off by default, documented as debug only', () => {
    for (const key of Object.values(REPLICATION_DEBUG_KEYS)) {
      expect(CONFIG_KEYS[key]).toMatchObject({ type: 'bool', default: false })
      expect(CONFIG_KEYS[key]!.doc).toMatch(/^Debug only: re-creates historical bug \d\b.*Never in production\.$/)
    }
    const defaults = replicationDebugFrom(buildConfig({}))
    expect(Object.values(defaults).every(on => !on)).toBe(true)
    expect(replicationDebugKeysOn(defaults)).toEqual([])
    const one = replicationDebugFrom(buildConfig({ 'sluice.debug.replication.ignore.min.isr': 'true' }))
    expect(replicationDebugKeysOn(one)).toEqual(['sluice.debug.replication.ignore.min.isr'])
  })

  describe('at their defaults', () => {
    let broker: BrokerProcess
    let conn: RawConnection
    beforeAll(async () => { ({ broker, conn } = await startWithOneRecord({})) })
    afterAll(async () => { conn?.close(); await broker?.stop(); if (broker !== undefined) await removeDir(broker.dataDir) })

    it('a follower with a wrong current_leader_epoch is refused, and nothing warns', async () => {
      expect(await epochAnswers(conn, 1)).toEqual({ fetch: ErrorCode.UNKNOWN_LEADER_EPOCH, fetchBytes: 0, epochQuery: ErrorCode.UNKNOWN_LEADER_EPOCH })
      expect(await stderrSettled(broker)).not.toContain('DEBUG KEYS')
    })
  })

  it('with sluice.debug.replication.ignore.min.isr on, acks=all is taken below min.insync.replicas (historical bug 3)', async () => {
    const produce = async (overrides: Record<string, boolean | number>): Promise<number> => {
      const broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'min.insync.replicas': 2, ...overrides } })
      const conn = await RawConnection.open(broker.kafkaPort)
      try {
        await createTopic(broker.kafkaPort, TOPIC, 1)
        const records = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] })
        const { response } = await conn.request(Produce, 8, { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records }] }] })
        return response.topics[0]!.partitions[0]!.errorCode
      } finally {
        conn.close()
        await broker.stop()
        await removeDir(broker.dataDir)
      }
    }
    expect(await produce({})).toBe(ErrorCode.NOT_ENOUGH_REPLICAS)
    expect(await produce({ 'sluice.debug.replication.ignore.min.isr': true })).toBe(ErrorCode.NONE)
  })

  describe('with sluice.debug.replication.skip.fetch.epoch.check on', () => {
    let broker: BrokerProcess
    let conn: RawConnection
    beforeAll(async () => { ({ broker, conn } = await startWithOneRecord({ 'sluice.debug.replication.skip.fetch.epoch.check': true })) })
    afterAll(async () => { conn?.close(); await broker?.stop(); if (broker !== undefined) await removeDir(broker.dataDir) })

    it('the broker warns at start, naming the key', async () => {
      expect(await stderrSettled(broker)).toMatch(/WARNING: DEBUG KEYS ON: sluice\.debug\.replication\.skip\.fetch\.epoch\.check: .*never use it in production/)
    })

    it('a follower with a wrong current_leader_epoch is served (historical bug 4)', async () => {
      const answers = await epochAnswers(conn, 1)
      expect(answers).toMatchObject({ fetch: ErrorCode.NONE, epochQuery: ErrorCode.NONE })
      expect(answers.fetchBytes).toBeGreaterThan(0)
    })

    it('a consumer is still checked: the key concerns follower fetches only', async () => {
      expect(await epochAnswers(conn, -1)).toEqual({ fetch: ErrorCode.UNKNOWN_LEADER_EPOCH, fetchBytes: 0, epochQuery: ErrorCode.UNKNOWN_LEADER_EPOCH })
    })
  })
})
