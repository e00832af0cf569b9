// Bad input never takes the broker down: malformed frames close only their connection,
// a batch with a wrong CRC fails only its partition with CORRUPT_MESSAGE, and a short run
// of the fuzz campaign (bench/fuzz: hostile-but-valid requests for every API and version
// plus mutations of recorded kcat and kafkajs traffic; `npm run fuzz` is the long run)
// leaves the broker up, answering, without internal errors, with bounded memory and files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { createRegistry } from '../../../broker/server/handlers/index.ts'
import { FUZZ_TOPIC } from '../../../bench/fuzz/hostile-requests.ts'
import { driveRealClients, startRecordingProxy, type RecordingProxy } from '../../../bench/fuzz/record-traffic.ts'
import { runFuzz } from '../../../bench/fuzz/runner.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const TOPIC = 'bad-input'

/** Frames in the CI run of the fuzz campaign; `npm run fuzz` sends 1,000,000. */
const FUZZ_FRAMES = 12_000
const MiB = 1024 * 1024

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
})

describe('fuzz campaign (short run)', () => {
  let proxy: RecordingProxy
  let broker: BrokerProcess

  beforeAll(async () => {
    proxy = await startRecordingProxy()
    broker = await startBrokerProcess({ httpPort: 'none', overrides: { 'socket.request.max.bytes': MiB, 'num.partitions': 3, 'advertised.listeners': `127.0.0.1:${proxy.port}` } })
    proxy.forwardTo(broker.kafkaPort)
    await driveRealClients(`127.0.0.1:${proxy.port}`, FUZZ_TOPIC)
    await proxy.close()
  })
  afterAll(async () => {
    await proxy?.close()
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  it(`survives ${FUZZ_FRAMES} hostile requests and mutated kcat/kafkajs recordings: no crash, hang or internal error, bounded RSS and files`, async () => {
    expect(proxy.frames.length).toBeGreaterThan(20)
    const stats = await runFuzz({
      port: broker.kafkaPort, pid: broker.child.pid!, registry: createRegistry(), frames: FUZZ_FRAMES, seed: 20261204, corpus: proxy.frames, frameBytesMax: MiB, workers: 16,
    })
    expect(stats.brokerAlive).toBe(true)
    expect(stats.healthFailures).toEqual([])
    expect(broker.stderr()).not.toMatch(/internal error in/)
    // Valid requests never close their connection; mutated ones often do.
    expect(stats.hostileRunsClosed).toBe(0)
    expect(stats.closedByBroker).toBeGreaterThan(0)
    expect(stats.answers).toBeGreaterThan(100)
    expect(stats.rssEndBytes - stats.rssStartBytes).toBeLessThan(256 * MiB)
    expect(stats.fdsEnd - stats.fdsStart).toBeLessThan(100)
  })
})
