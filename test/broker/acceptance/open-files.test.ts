// Issue 17 item 2: segments kept three files open each, so a wide topic or many segments ran
// the broker out of descriptors (EMFILE for new topics, error 56, and a restart that failed
// with EMFILE). Here the broker runs under a real RLIMIT_NOFILE far below three files per
// segment: it creates the topic, serves everyone, and restarts cleanly.

import { readdir } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { CreateTopics } from '../../../broker/protocol/19-create-topics.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { makeDataDir, removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const FILE_LIMIT = 160
const PARTITIONS = 150
const OVERRIDES = { 'sluice.log.open.files.max': 32, 'offsets.topic.num.partitions': 1, 'log.segment.bytes': 1024 }

async function openFds (pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length
}

describe('open files', () => {
  let dataDir: string
  let broker: BrokerProcess | undefined

  afterAll(async () => {
    await broker?.kill()
    await removeDir(dataDir)
  })

  it(`creates ${PARTITIONS} partitions and many segments under a ${FILE_LIMIT}-descriptor limit, serves others, and restarts`, async () => {
    dataDir = await makeDataDir()
    broker = await startBrokerProcess({ dataDir, httpPort: 'none', fileLimit: FILE_LIMIT, overrides: OVERRIDES })
    const conn = await RawConnection.open(broker.kafkaPort)
    const created = await conn.request(CreateTopics, 4, {
      topics: [{ name: 'wide', numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 60_000, validateOnly: false,
    })
    expect(created.response.topics[0]!.errorCode).toBe(0)
    // Small segments: about ten batches each, so one partition alone holds ten segments.
    await createTopic(broker.kafkaPort, 'deep', 1)
    for (let i = 0; i < 150; i++) {
      const topic = i % 3 === 0 ? 'wide' : 'deep'
      const partitionIndex = i % 3 === 0 ? (i * 7) % PARTITIONS : 0
      const { response } = await conn.request(Produce, 8, {
        transactionalId: null, acks: 1, timeoutMs: 5000,
        topics: [{ name: topic, partitions: [{ partitionIndex, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`m${i}`) }] }) }] }],
      })
      expect(response.topics[0]!.partitions[0]!.errorCode, `produce ${i}`).toBe(0)
    }
    conn.close()
    expect(await openFds(broker.child.pid!)).toBeLessThan(FILE_LIMIT / 2)
    expect(await readPartition(broker.kafkaPort, 'deep', 0)).toHaveLength(100)

    await broker.stop()
    expect(await broker.exited, broker.stderr()).toBe(0)
    broker = await startBrokerProcess({ dataDir, httpPort: 'none', fileLimit: FILE_LIMIT, overrides: OVERRIDES })
    expect((await readPartition(broker.kafkaPort, 'deep', 0)).map(r => r.value!.toString()).slice(0, 2)).toEqual(['m1', 'm2'])
    expect((await readPartition(broker.kafkaPort, 'wide', 21)).map(r => r.value!.toString())).toEqual(['m3'])
    expect(await openFds(broker.child.pid!)).toBeLessThan(FILE_LIMIT / 2)
  })
})
