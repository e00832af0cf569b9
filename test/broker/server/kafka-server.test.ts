// The Kafka listener's connection rules: responses in request order, no response at all
// for acks=0, long-poll Fetch (min_bytes, max_wait_ms), the advertised address in
// Metadata, topic auto-creation, ListOffsets by timestamp, and a clean SIGTERM shutdown.

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Produce, type ProduceRequest } from '../../../broker/protocol/00-produce.ts'
import { Fetch, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { ListOffsets } from '../../../broker/protocol/02-list-offsets.ts'
import { Metadata } from '../../../broker/protocol/03-metadata.ts'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const TOPIC = 'rules'

function produceRequest (acks: number, value: string, timestamp?: number): ProduceRequest {
  return {
    transactionalId: null, acks, timeoutMs: 1000,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value), timestamp }] }) }] }],
  }
}

function fetchRequest (offset: number, minBytes: number, maxWaitMs: number): FetchRequest {
  return {
    replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopics: [], rackId: '',
  }
}

function correlationIdOf (frame: Buffer): number {
  return new Reader(frame).readInt32()
}

describe('Kafka listener', () => {
  let broker: BrokerProcess
  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'advertised.listeners': 'PLAINTEXT://proxy.example:19999', 'num.partitions': 3 } })
    await createTopic(broker.kafkaPort, TOPIC, 1)
  })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  async function logEnd (conn: RawConnection): Promise<number> {
    const { response } = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })
    return response.topics[0]!.partitions[0]!.offset
  }

  it('answers in request order even when a later request finishes first', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    const end = await logEnd(conn)
    // A fetch at the log end that parks for 400 ms, then an ApiVersions that could answer at once.
    const started = Date.now()
    conn.writeBytes(Buffer.concat([
      conn.encode(Fetch, 11, fetchRequest(end, 1, 400), 7),
      conn.encode(ApiVersions, 2, { clientSoftwareName: null, clientSoftwareVersion: null }, 8),
    ]))
    expect(correlationIdOf(await conn.readFrame())).toBe(7)
    expect(Date.now() - started).toBeGreaterThanOrEqual(380)
    expect(correlationIdOf(await conn.readFrame())).toBe(8)
    conn.close()
  })

  it('sends no response for acks=0 but still appends', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    conn.writeBytes(Buffer.concat([
      conn.encode(Produce, 7, produceRequest(0, 'fire-and-forget'), 20),
      conn.encode(ApiVersions, 2, { clientSoftwareName: null, clientSoftwareVersion: null }, 21),
    ]))
    expect(correlationIdOf(await conn.readFrame())).toBe(21)
    const { response } = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })
    expect(response.topics[0]!.partitions[0]!.offset).toBeGreaterThanOrEqual(1)
    conn.close()
  })

  it('parks a fetch until data arrives, and returns empty after max_wait_ms when none does', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    const end = await logEnd(conn)

    let started = Date.now()
    const empty = await conn.request(Fetch, 11, fetchRequest(end, 1, 300))
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
    expect(empty.response.topics[0]!.partitions[0]!.records).toEqual(Buffer.alloc(0))

    started = Date.now()
    const parked = conn.request(Fetch, 11, fetchRequest(end, 1, 10_000))
    const producer = await RawConnection.open(broker.kafkaPort)
    await new Promise(resolve => setTimeout(resolve, 100))
    await producer.request(Produce, 7, produceRequest(1, 'wake-up'))
    const woken = await parked
    const elapsedMs = Date.now() - started
    producer.close()
    conn.close()
    // Woken by the append, far sooner than the 10 s it was willing to wait.
    expect(elapsedMs).toBeLessThan(5000)
    expect((woken.response.topics[0]!.partitions[0]!.records as Buffer).length).toBeGreaterThan(0)
  })

  it('tells clients the advertised address and auto-creates topics with num.partitions', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    const { response } = await conn.request(Metadata, 8, { topics: ['auto-made'], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    expect(response.brokers).toEqual([{ nodeId: 0, host: 'proxy.example', port: 19999, rack: null }])
    expect(response.topics[0]!.errorCode).toBe(0)
    expect(response.topics[0]!.partitions).toHaveLength(3)
    const refused = await conn.request(Metadata, 8, { topics: ['not-made'], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    expect(refused.response.topics[0]!.errorCode).toBe(3)
    conn.close()
  })

  it('finds offsets by timestamp', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    // Later than every record the other tests wrote, so the lookup can only land on these.
    const base = Date.now() + 1_000_000_000
    const offsets: number[] = []
    for (let i = 0; i < 3; i++) {
      const { response } = await conn.request(Produce, 7, produceRequest(1, `t${i}`, base + i * 1000))
      offsets.push(response.topics[0]!.partitions[0]!.baseOffset)
    }
    const { response } = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: base + 1500 }] }] })
    expect(response.topics[0]!.partitions[0]!.offset).toBe(offsets[2])
    conn.close()
  })
})

describe('sluice.sink', () => {
  it('acknowledges produce with advancing offsets but stores nothing', async () => {
    const broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'sluice.sink': true } })
    try {
      await createTopic(broker.kafkaPort, TOPIC, 1)
      const conn = await RawConnection.open(broker.kafkaPort)
      const first = await conn.request(Produce, 7, produceRequest(1, 'a'))
      const second = await conn.request(Produce, 7, produceRequest(1, 'b'))
      expect(first.response.topics[0]!.partitions[0]!.baseOffset).toBe(0)
      expect(second.response.topics[0]!.partitions[0]!.baseOffset).toBe(1)
      const { response } = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })
      expect(response.topics[0]!.partitions[0]!.offset).toBe(0)
      conn.close()
      expect(broker.stderr()).toMatch(/sluice.sink is on/)
    } finally {
      await broker.kill()
      await removeDir(broker.dataDir)
    }
  })
})

describe('SIGTERM', () => {
  it('flushes, writes the recovery-point checkpoint and exits 0', async () => {
    const broker = await startBrokerProcess({ httpPort: 'none' })
    try {
      await createTopic(broker.kafkaPort, TOPIC, 1)
      const conn = await RawConnection.open(broker.kafkaPort)
      for (let i = 0; i < 5; i++) await conn.request(Produce, 7, produceRequest(1, `v${i}`))
      conn.close()
      broker.child.kill('SIGTERM')
      expect(await broker.exited).toBe(0)
      const checkpoint = await readFile(join(broker.dataDir, 'recovery-point-offset-checkpoint'), 'utf8')
      expect(checkpoint).toMatch(new RegExp(`^${TOPIC} 0 5$`, 'm'))
    } finally {
      await broker.kill()
      await removeDir(broker.dataDir)
    }
  })
})
