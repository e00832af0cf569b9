// Regression (issue 16 bug 2, issue 17 item 7): Fetch ignored the response-level
// max_bytes (a 1 MB request got 19 MB back) and had no broker-side cap (1,000 copies of
// one partition returned 909 MB). Only the first batch of the first partition with data
// may exceed max_bytes; fetch.max.bytes bounds every response whatever the request asks.
// Checked for every advertised Fetch version, then with a real consumer (kcat) that sets a
// small fetch.max.bytes and must still read everything.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fetch, fetchRecordsBytes, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const run = promisify(execFile)
const TOPIC = 'fetch-limits'
const PARTITIONS = 3
const BATCHES = 10
const VALUE_BYTES = 10_000
const BROKER_FETCH_MAX_BYTES = 64 * 1024

function fetchRequest (maxBytes: number, partitionIndexes: number[], partitionMaxBytes = 20 * 1024 * 1024): FetchRequest {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ name: TOPIC, partitions: partitionIndexes.map(partitionIndex => ({ partitionIndex, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes })) }],
    forgottenTopics: [], rackId: '',
  }
}

describe('Fetch byte limits', () => {
  let broker: BrokerProcess
  let conn: RawConnection
  let batchBytes = 0

  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'fetch.max.bytes': BROKER_FETCH_MAX_BYTES } })
    await createTopic(broker.kafkaPort, TOPIC, PARTITIONS)
    conn = await RawConnection.open(broker.kafkaPort)
    for (let partitionIndex = 0; partitionIndex < PARTITIONS; partitionIndex++) {
      for (let i = 0; i < BATCHES; i++) {
        const records = encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(VALUE_BYTES, 48 + i) }] })
        batchBytes = records.length
        const { response } = await conn.request(Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ name: TOPIC, partitions: [{ partitionIndex, records }] }] })
        expect(response.topics[0]!.partitions[0]!.errorCode).toBe(0)
      }
    }
  })
  afterAll(async () => {
    conn?.close()
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  for (let version = Fetch.minVersion; version <= Fetch.maxVersion; version++) {
    it(`v${version}: max_bytes bounds the response; only the first batch of the first partition with data may exceed it`, async () => {
      // 2.5 batches' worth: partition 0 gets two whole batches, the others nothing (the next batch does not fit what is left).
      const fit = await conn.request(Fetch, version, fetchRequest(Math.floor(batchBytes * 2.5), [0, 1, 2]))
      const sizes = fit.response.topics[0]!.partitions.map(p => fetchRecordsBytes(p.records))
      expect(sizes).toEqual([2 * batchBytes, 0, 0])
      // max_bytes below one batch: exactly one batch of the first partition, nothing else.
      const tiny = await conn.request(Fetch, version, fetchRequest(100, [0, 1, 2]))
      expect(tiny.response.topics[0]!.partitions.map(p => fetchRecordsBytes(p.records))).toEqual([batchBytes, 0, 0])
      // An empty first partition does not use up the exemption: the first partition with data gets it.
      const fromEnd = fetchRequest(100, [0, 1])
      fromEnd.topics[0]!.partitions[0]!.fetchOffset = BATCHES
      const skipped = await conn.request(Fetch, version, fromEnd)
      expect(skipped.response.topics[0]!.partitions.map(p => fetchRecordsBytes(p.records))).toEqual([0, batchBytes])
    })
  }

  it('fetch.max.bytes caps a response that asks for 2^31-1 bytes of 1,000 copies of one partition', async () => {
    const request = fetchRequest(2 ** 31 - 1, Array.from({ length: 1000 }, () => 1))
    const { response } = await conn.request(Fetch, 11, request)
    const total = response.topics[0]!.partitions.reduce((n, p) => n + fetchRecordsBytes(p.records), 0)
    expect(total).toBeGreaterThan(0)
    expect(total).toBeLessThanOrEqual(BROKER_FETCH_MAX_BYTES)
    const first = response.topics[0]!.partitions[0]!.records
    expect(splitBatches(Buffer.isBuffer(first) ? first : Buffer.concat(first as Buffer[])).length).toBe(Math.floor(BROKER_FETCH_MAX_BYTES / batchBytes))
  })

  it('a real consumer with a small fetch.max.bytes reads every record', async () => {
    const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-e', '-q', '-o', 'beginning', '-f', '%p %o\n',
      '-X', `fetch.max.bytes=${batchBytes + 1000}`, '-X', `message.max.bytes=${batchBytes + 1000}`, '-X', 'fetch.message.max.bytes=20000000'], { maxBuffer: 16 * 1024 * 1024 })
    const rows = stdout.split('\n').filter(l => l !== '')
    expect(rows.length).toBe(PARTITIONS * BATCHES)
  })
})
