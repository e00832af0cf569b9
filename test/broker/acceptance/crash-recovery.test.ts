// Crash and recovery: SIGKILL during a produce stream loses nothing acknowledged and never
// reuses an offset; a torn tail (file cut mid-batch) and a flipped byte in the last batch
// are truncated at recovery and never served.

import { open, readdir, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { makeDataDir, removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic, readPartition } from '../../helpers/topics.ts'

const TOPIC = 'crash'

function batchOf (values: number[]): Buffer {
  return encodeRecordBatch({ records: values.map(v => ({ key: Buffer.from(`k${v % 7}`), value: Buffer.from(String(v)) })) })
}

async function produce (conn: RawConnection, values: number[]): Promise<number> {
  const { response } = await conn.request(Produce, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, records: batchOf(values) }] }],
  })
  const p = response.topics[0]!.partitions[0]!
  if (p.errorCode !== 0) throw new Error(`produce failed with error ${p.errorCode}`)
  return p.baseOffset
}

async function segmentFile (dataDir: string): Promise<string> {
  const dir = join(dataDir, `${TOPIC}-0`)
  const logs = (await readdir(dir)).filter(f => f.endsWith('.log')).sort()
  return join(dir, logs[logs.length - 1]!)
}

describe('crash and recovery', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  async function start (dataDir: string): Promise<BrokerProcess> {
    const broker = await startBrokerProcess({ dataDir, httpPort: 'none' })
    cleanups.push(() => broker.kill())
    return broker
  }

  it('keeps every acknowledged message across SIGKILL mid-stream and continues offsets without reuse', async () => {
    const dataDir = await makeDataDir()
    cleanups.push(() => removeDir(dataDir))
    let broker = await start(dataDir)
    await createTopic(broker.kafkaPort, TOPIC, 1)
    const acked = new Map<number, number>()
    const conn = await RawConnection.open(broker.kafkaPort)
    let next = 0
    let stop = false
    const stream = (async () => {
      while (!stop) {
        const values = Array.from({ length: 50 }, () => next++)
        try {
          const base = await produce(conn, values)
          values.forEach((v, i) => acked.set(base + i, v))
        } catch {
          return
        }
      }
    })()
    while (acked.size < 20_000) await new Promise(resolve => setTimeout(resolve, 20))
    await broker.kill()
    stop = true
    await stream
    conn.close()
    expect(acked.size).toBeGreaterThan(0)

    broker = await start(dataDir)
    const records = await readPartition(broker.kafkaPort, TOPIC, 0)
    const byOffset = new Map(records.map(r => [r.offset, Number(r.value!.toString())]))
    for (const [offset, value] of acked) expect(byOffset.get(offset)).toBe(value)
    const lastRead = records[records.length - 1]!.offset
    const maxAcked = Math.max(...acked.keys())
    expect(lastRead).toBeGreaterThanOrEqual(maxAcked)

    const conn2 = await RawConnection.open(broker.kafkaPort)
    const base = await produce(conn2, [1_000_000])
    conn2.close()
    expect(base).toBe(lastRead + 1)
  })

  for (const damage of ['cut mid-batch', 'flip a byte in the last batch'] as const) {
    it(`truncates a torn tail at recovery (${damage}) and never serves it`, async () => {
      const dataDir = await makeDataDir()
      cleanups.push(() => removeDir(dataDir))
      let broker = await start(dataDir)
      await createTopic(broker.kafkaPort, TOPIC, 1)
      const conn = await RawConnection.open(broker.kafkaPort)
      for (let b = 0; b < 10; b++) await produce(conn, Array.from({ length: 10 }, (_, i) => b * 10 + i))
      conn.close()
      await broker.kill()

      const file = await segmentFile(dataDir)
      const size = (await stat(file)).size
      if (damage === 'cut mid-batch') {
        await truncate(file, size - 17)
      } else {
        const fh = await open(file, 'r+')
        const byte = Buffer.alloc(1)
        await fh.read(byte, 0, 1, size - 5)
        byte[0] = byte[0]! ^ 0xff
        await fh.write(byte, 0, 1, size - 5)
        await fh.close()
      }

      broker = await start(dataDir)
      const records = await readPartition(broker.kafkaPort, TOPIC, 0)
      expect(records.map(r => Number(r.value!.toString()))).toEqual(Array.from({ length: 90 }, (_, i) => i))
      const conn2 = await RawConnection.open(broker.kafkaPort)
      expect(await produce(conn2, [999])).toBe(90)
      conn2.close()
      const after = await readPartition(broker.kafkaPort, TOPIC, 0)
      expect(after.map(r => r.offset)).toEqual(Array.from({ length: 91 }, (_, i) => i))
    })
  }
})
