// Bad input never takes the broker down: malformed frames close only their connection,
// a batch with a wrong CRC fails only its partition with CORRUPT_MESSAGE, and thousands
// of random mutations of valid requests leave the broker up with bounded memory.

import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { Fetch } from '../../../broker/protocol/01-fetch.ts'
import { Metadata } from '../../../broker/protocol/03-metadata.ts'
import { ListOffsets } from '../../../broker/protocol/02-list-offsets.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const TOPIC = 'bad-input'

async function rssBytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

/** A seeded generator so a failing fuzz run can be replayed. */
function xorshift (seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x / 0x1_0000_0000
  }
}

describe('bad input', () => {
  let broker: BrokerProcess
  let bystander: RawConnection

  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'auto.create.topics.enable': false, 'socket.request.max.bytes': 1024 * 1024 } })
    await createTopic(broker.kafkaPort, TOPIC, 2)
    bystander = await RawConnection.open(broker.kafkaPort)
  })
  afterAll(async () => {
    bystander?.close()
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  async function expectBystanderServed (): Promise<void> {
    const { response } = await bystander.request(ApiVersions, 2, { clientSoftwareName: null, clientSoftwareVersion: null })
    expect(response.errorCode).toBe(0)
    expect(broker.child.exitCode).toBeNull()
  }

  const frames: Record<string, Buffer> = {
    'an oversized length prefix': Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0]),
    'a frame too short for a header': Buffer.from([0, 0, 0, 3, 0, 18, 0]),
    'a truncated request body': (() => {
      const body = Buffer.from([0, 3, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0])
      const frame = Buffer.alloc(4 + body.length)
      frame.writeInt32BE(body.length)
      body.copy(frame, 4)
      return frame
    })(),
    'an unknown api key': (() => {
      const frame = Buffer.alloc(14)
      frame.writeInt32BE(10); frame.writeInt16BE(999, 4); frame.writeInt16BE(0, 6); frame.writeInt32BE(1, 8); frame.writeInt16BE(-1, 12)
      return frame
    })(),
    'garbage bytes': Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
  }

  for (const [what, bytes] of Object.entries(frames)) {
    it(`closes the connection on ${what} and keeps serving others`, async () => {
      const conn = await RawConnection.open(broker.kafkaPort)
      conn.writeBytes(bytes)
      expect(await conn.waitClosed()).toBe(true)
      await expectBystanderServed()
    })
  }

  it('fails only the partition whose batch has a wrong CRC, with CORRUPT_MESSAGE', async () => {
    const good = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('good') }] })
    const bad = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('bad!') }] })
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0x55
    const { response } = await bystander.request(Produce, 7, {
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records: bad }, { partitionIndex: 1, records: good }] }],
    })
    const [p0, p1] = response.topics[0]!.partitions
    expect(p0!.errorCode).toBe(2)
    expect(p1!.errorCode).toBe(0)
    expect(await readPartition(broker.kafkaPort, TOPIC, 0)).toHaveLength(0)
    expect((await readPartition(broker.kafkaPort, TOPIC, 1)).map(r => r.value!.toString())).toEqual(['good'])
  })

  it('refuses client writes to the internal __consumer_offsets topic and leaves it unchanged', async () => {
    const before = await readPartition(broker.kafkaPort, '__consumer_offsets', 0)
    const { response } = await bystander.request(Produce, 7, {
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records: [{ key: Buffer.from('x'), value: Buffer.from('y') }] }) }] }],
    })
    expect(response.topics[0]!.partitions[0]!.errorCode).toBe(17)
    expect(await readPartition(broker.kafkaPort, '__consumer_offsets', 0)).toHaveLength(before.length)
  })

  it('survives thousands of random mutations of valid requests with bounded memory', async () => {
    const random = xorshift(20261121)
    const enc = (conn: RawConnection): Buffer[] => [
      conn.encode(ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
      conn.encode(Metadata, 8, { topics: [TOPIC], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
      conn.encode(Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 100, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('fuzz') }] }) }] }] }),
      conn.encode(Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 65536, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 65536 }] }], forgottenTopics: [], rackId: '' }),
      conn.encode(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1 }] }] }),
    ]
    const rssBefore = await rssBytes(broker.child.pid!)
    let conn = await RawConnection.open(broker.kafkaPort)
    const templates = enc(conn)
    const MUTATIONS = 3000
    let closedByBroker = 0
    for (let i = 0; i < MUTATIONS; i++) {
      const frame = Buffer.from(templates[Math.floor(random() * templates.length)]!)
      const flips = 1 + Math.floor(random() * 4)
      for (let f = 0; f < flips; f++) {
        // Keep the size prefix intact so the broker has the whole frame to judge.
        const at = 4 + Math.floor(random() * (frame.length - 4))
        frame[at] = Math.floor(random() * 256)
      }
      conn.writeBytes(frame)
      if (i % 50 === 49) {
        // Let the broker answer or close, then carry on with a fresh connection.
        await new Promise(resolve => setTimeout(resolve, 10))
        if (conn.closed) closedByBroker++
        conn.close()
        conn = await RawConnection.open(broker.kafkaPort)
      }
    }
    conn.close()
    await expectBystanderServed()
    expect(closedByBroker).toBeGreaterThan(0)
    const rssAfter = await rssBytes(broker.child.pid!)
    // Generous: the point is that mutated lengths cannot make the broker allocate wildly.
    expect(rssAfter - rssBefore).toBeLessThan(256 * 1024 * 1024)
  })
})
