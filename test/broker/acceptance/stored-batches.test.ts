// Batches that are well-formed outside and wrong inside, and the readers of stored batches
// (issue 17 items 1, 3, 8; issue 16 bug 4). Each test: the input is refused or read with a
// reason, the broker stays up and serves other clients, data is kept, and a restart is clean.

import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fetch } from '../../../broker/protocol/01-fetch.ts'
import { ListOffsets } from '../../../broker/protocol/02-list-offsets.ts'
import { Produce, type ProducePartitionResponse } from '../../../broker/protocol/00-produce.ts'
import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES,
  batchMaxTimestamp, checkBatch, encodeRecordBatch, splitBatches,
} from '../../../broker/protocol/record-batch.ts'
import { compressBatch } from '../../../broker/client/compression.ts'
import { makeDataDir, removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { batchWithoutMaxTimestamp, bombBatch, resealed } from '../../helpers/hostile-batches.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const T0 = Date.now() - 60_000
/** One __consumer_offsets partition: these tests start brokers often and need no groups. */
const OVERRIDES = { 'auto.create.topics.enable': false, 'offsets.topic.num.partitions': 1 }

async function produce (port: number, topic: string, partitions: Array<{ partitionIndex: number, records: Buffer }>): Promise<ProducePartitionResponse[]> {
  const conn = await RawConnection.open(port)
  try {
    const { response } = await conn.request(Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 5000, topics: [{ name: topic, partitions }] })
    return response.topics[0]!.partitions
  } finally {
    conn.close()
  }
}

/** The raw stored batches of a partition from `offset`, as Fetch serves them. */
async function fetchBatches (port: number, topic: string, offset: number): Promise<{ errorCode: number, batches: Buffer[] }> {
  const conn = await RawConnection.open(port)
  try {
    const { response } = await conn.request(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopics: [], rackId: '',
    })
    const p = response.topics[0]!.partitions[0]!
    const bytes = p.records === null ? Buffer.alloc(0) : Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records as Buffer[])
    return { errorCode: p.errorCode, batches: splitBatches(bytes) }
  } finally {
    conn.close()
  }
}

async function offsetForTimestamp (port: number, topic: string, timestamp: number): Promise<{ errorCode: number, offset: number }> {
  const conn = await RawConnection.open(port)
  try {
    const { response } = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })
    return response.topics[0]!.partitions[0]!
  } finally {
    conn.close()
  }
}

async function httpRecords (broker: BrokerProcess, topic: string, partition: number, offset: number): Promise<{ status: number, body: unknown }> {
  const res = await fetch(`${broker.httpUrl}/topics/${topic}/partitions/${partition}/records?offset=${offset}`)
  return { status: res.status, body: await res.json() }
}

const values = (body: unknown): string[] => (body as Array<{ value: string }>).map(r => r.value)

function plain (value: string, timestamp: number): Buffer {
  return encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value), timestamp }] })
}

describe('stored batches', () => {
  let dataDir: string
  let broker: BrokerProcess

  beforeAll(async () => {
    dataDir = await makeDataDir()
    broker = await startBrokerProcess({ dataDir, overrides: OVERRIDES })
  })
  afterAll(async () => {
    await broker?.kill()
    await removeDir(dataDir)
  })

  async function restart (): Promise<void> {
    await broker.stop()
    expect(await broker.exited).toBe(0)
    broker = await startBrokerProcess({ dataDir, overrides: OVERRIDES })
  }

  it('refuses the 2^31-1-record batch with CORRUPT_MESSAGE for its partition only, and GET stays fast (issue 17 item 1)', async () => {
    await createTopic(broker.kafkaPort, 'bomb', 2)
    const [p0, p1] = await produce(broker.kafkaPort, 'bomb', [{ partitionIndex: 0, records: bombBatch() }, { partitionIndex: 1, records: plain('fine', T0) }])
    expect(p0!.errorCode).toBe(2)
    expect(p0!.errorMessage).toMatch(/2147483647 records cannot fit/)
    expect(p1!.errorCode).toBe(0)
    expect(await httpRecords(broker, 'bomb', 0, 0)).toEqual({ status: 200, body: [] })
    expect(values((await httpRecords(broker, 'bomb', 1, 0)).body)).toEqual(['fine'])
  })

  it('stores a batch sent with maxTimestamp -1 with its true max, found by ListOffsets (issue 16 bug 4)', async () => {
    await createTopic(broker.kafkaPort, 'maxts', 1)
    await produce(broker.kafkaPort, 'maxts', [{ partitionIndex: 0, records: plain('before', T0 - 1000) }])
    const [sent] = await produce(broker.kafkaPort, 'maxts', [{ partitionIndex: 0, records: batchWithoutMaxTimestamp([T0 + 5, T0 + 9, T0 + 1]) }])
    expect(sent!.errorCode).toBe(0)
    const { batches } = await fetchBatches(broker.kafkaPort, 'maxts', 1)
    expect(batchMaxTimestamp(batches[0]!)).toBe(T0 + 9)
    expect(checkBatch(batches[0]!, false).errorCode).toBe(0)
    expect(await offsetForTimestamp(broker.kafkaPort, 'maxts', T0 + 7)).toMatchObject({ errorCode: 0, offset: 2 })
    expect(await offsetForTimestamp(broker.kafkaPort, 'maxts', T0 + 10)).toMatchObject({ errorCode: 0, offset: -1 })
  })

  it('GET decodes batches of every codec (issue 17 item 8)', async () => {
    await createTopic(broker.kafkaPort, 'codecs', 1)
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const batch = await compressBatch(encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`${codec}-1`) }, { key: null, value: Buffer.from(`${codec}-2`) }] }), codec)
      const [p] = await produce(broker.kafkaPort, 'codecs', [{ partitionIndex: 0, records: batch }])
      expect(p!.errorCode, codec).toBe(0)
    }
    const { batches } = await fetchBatches(broker.kafkaPort, 'codecs', 0)
    expect(batches.map(b => b.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK)).toEqual([1, 2, 3, 4])
    const { status, body } = await httpRecords(broker, 'codecs', 0, 3)
    expect(status).toBe(200)
    expect(values(body)).toEqual(['snappy-2', 'lz4-1', 'lz4-2', 'zstd-1', 'zstd-2'])
  })

  it('a stored batch with junk records fails no partition: ListOffsets, Produce, Fetch go on, GET names it, restart is clean (issue 17 item 3)', async () => {
    await createTopic(broker.kafkaPort, 'junk', 1)
    for (const [i, value] of ['a', 'b', 'c'].entries()) await produce(broker.kafkaPort, 'junk', [{ partitionIndex: 0, records: plain(value, T0 + i) }])
    // Junk written by an older broker that checked only the CRC: damage the middle batch's
    // records on disk and reseal its CRC, as such a broker would have stored it.
    await broker.stop()
    const file = join(dataDir, 'junk-0', '00000000000000000000.log')
    const log = await readFile(file)
    const middle = splitBatches(log)[1]!
    middle.fill(0xee, BATCH_HEADER_BYTES)
    resealed(middle)
    await writeFile(file, log)
    broker = await startBrokerProcess({ dataDir, overrides: OVERRIDES })

    for (let round = 0; round < 2; round++) {
      expect(await offsetForTimestamp(broker.kafkaPort, 'junk', T0 + 1)).toMatchObject({ errorCode: 0, offset: 1 })
    }
    const [appended] = await produce(broker.kafkaPort, 'junk', [{ partitionIndex: 0, records: plain('d', T0 + 3) }])
    expect(appended).toMatchObject({ errorCode: 0, baseOffset: 3 })
    const fetched = await fetchBatches(broker.kafkaPort, 'junk', 0)
    expect(fetched.errorCode).toBe(0)
    expect(fetched.batches).toHaveLength(4)
    expect(values((await httpRecords(broker, 'junk', 0, 0)).body)).toEqual(['a'])
    const bad = await httpRecords(broker, 'junk', 0, 1)
    expect(bad.status).toBe(500)
    expect((bad.body as { error: string }).error).toMatch(/offsets 1\.\.1 cannot be decoded .*read from offset 2 to skip it/)
    expect(values((await httpRecords(broker, 'junk', 0, 2)).body)).toEqual(['c', 'd'])

    await restart()
    expect(values((await httpRecords(broker, 'junk', 0, 2)).body)).toEqual(['c', 'd'])
    expect(await offsetForTimestamp(broker.kafkaPort, 'junk', T0 + 3)).toMatchObject({ errorCode: 0, offset: 3 })
    expect(values((await httpRecords(broker, 'bomb', 1, 0)).body)).toEqual(['fine'])
  })

  it('LogAppendTime stamps the append time on the stored batch and in the answer', async () => {
    const appendBroker = await startBrokerProcess({ httpPort: 'none', overrides: { ...OVERRIDES, 'log.message.timestamp.type': 'LogAppendTime' } })
    try {
      await createTopic(appendBroker.kafkaPort, 'stamped', 1)
      const before = Date.now()
      const [p] = await produce(appendBroker.kafkaPort, 'stamped', [{ partitionIndex: 0, records: plain('x', T0) }])
      expect(p!.logAppendTimeMs).toBeGreaterThanOrEqual(before)
      expect(p!.logAppendTimeMs).toBeLessThanOrEqual(Date.now())
      const [stored] = (await fetchBatches(appendBroker.kafkaPort, 'stamped', 0)).batches
      expect(stored!.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_TIMESTAMP_TYPE).not.toBe(0)
      expect(batchMaxTimestamp(stored!)).toBe(p!.logAppendTimeMs)
      expect(checkBatch(stored!, false).errorCode).toBe(0)
    } finally {
      await appendBroker.kill()
      await removeDir(appendBroker.dataDir)
    }
  })
})
