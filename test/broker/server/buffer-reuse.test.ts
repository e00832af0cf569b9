// The broker lends the memory of large Produce frames and of Fetch log reads again once a
// request is done (protocol/buffer-pool.ts). Released too early, that memory would be
// overwritten while still in use: a Produce frame before its batches reach the file, or a
// Fetch read before the socket has sent it. Either would show here as a record whose bytes
// are not the ones produced. Producers pipeline requests of large frames while a consumer
// long-polls the same partitions, every record is checked as fetched and again from disk
// at the end, and /metrics must show that memory was in fact lent again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import { decodeRecordBatch, encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { readPartition } from '../../helpers/topics.ts'

const TOPIC = 'buffer-reuse'
const PARTITIONS = 4
const ROUNDS = 80
const IN_FLIGHT = 8
const RECORDS_PER_BATCH = 12
const VALUE_BYTES = 2_000

/** Record `seq` of `partition`: a key naming it and a value no other record has. */
function expectedValue (partition: number, seq: number): Buffer {
  const value = Buffer.allocUnsafe(VALUE_BYTES)
  for (let i = 0; i < VALUE_BYTES; i++) value[i] = (seq * 131 + partition * 17 + i) & 0xff
  return value
}

function batchFor (partition: number, round: number): Buffer {
  const records = []
  for (let r = 0; r < RECORDS_PER_BATCH; r++) {
    const seq = round * RECORDS_PER_BATCH + r
    records.push({ key: Buffer.from(`${partition}:${seq}`), value: expectedValue(partition, seq) })
  }
  return encodeRecordBatch({ records })
}

/** Problems with one fetched or stored record, or null when it is the one produced at that offset. */
function recordProblem (partition: number, offset: number, key: Buffer | null, value: Buffer | null): string | null {
  const want = `${partition}:${offset}`
  if (key?.toString() !== want) return `offset ${offset} of partition ${partition} has key ${key?.toString()}, not ${want}`
  if (value === null || !value.equals(expectedValue(partition, offset))) return `offset ${offset} of partition ${partition} has other bytes than produced`
  return null
}

async function metric (httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(`${name} `))
  return line === undefined ? Number.NaN : Number(line.split(' ')[1])
}

describe('buffer reuse in the broker', () => {
  let broker: BrokerProcess
  let client: KafkaClient

  beforeAll(async () => {
    broker = await startBrokerProcess()
    client = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.kafkaPort}`], clientId: 'buffer-reuse-test' })
    await client.createTopics([{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 1 }])
  })
  afterAll(async () => {
    client?.close()
    await broker?.stop()
    if (broker !== undefined) await removeDir(broker.dataDir)
  })

  it('sends and stores every record as produced while frames and fetch reads reuse memory', async () => {
    const leader = (await client.topic(TOPIC, true)).partitions[0]!.leaderId
    const total = ROUNDS * RECORDS_PER_BATCH
    const positions = new Array<number>(PARTITIONS).fill(0)
    const problems: string[] = []
    let producing = true

    const consume = async (): Promise<void> => {
      while (positions.some(p => p < total) && problems.length === 0) {
        const res = await client.fetch(leader, TOPIC, positions.map((offset, partition) => ({ partition, offset, partitionMaxBytes: 1024 * 1024 })),
          { maxWaitMs: producing ? 50 : 0, minBytes: 1, maxBytes: 8 * 1024 * 1024 })
        for (const p of res.topics[0]!.partitions) {
          expect(p.errorCode).toBe(0)
          if (p.records === null) continue
          const bytes = Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records as Buffer[])
          for (const batch of splitBatches(bytes)) {
            for (const record of decodeRecordBatch(batch)) {
              if (record.offset < positions[p.partitionIndex]!) continue
              const problem = recordProblem(p.partitionIndex, record.offset, record.key, record.value)
              if (problem !== null) problems.push(`fetched: ${problem}`)
              positions[p.partitionIndex] = record.offset + 1
            }
          }
        }
      }
    }

    const produce = async (): Promise<void> => {
      for (let round = 0; round < ROUNDS; round += IN_FLIGHT) {
        const window = []
        for (let r = round; r < Math.min(ROUNDS, round + IN_FLIGHT); r++) {
          const batches = Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, batch: batchFor(partition, r) }))
          window.push(client.produce(leader, TOPIC, batches, { acks: r % 2 === 0 ? 1 : -1, timeoutMs: 10_000 }))
        }
        for (const res of await Promise.all(window)) {
          for (const p of res!.topics[0]!.partitions) expect(p.errorCode).toBe(0)
        }
      }
      producing = false
    }

    await Promise.all([produce(), consume()])
    expect(problems.slice(0, 5)).toEqual([])
    expect(positions).toEqual(new Array<number>(PARTITIONS).fill(total))

    for (let partition = 0; partition < PARTITIONS; partition++) {
      const stored = await readPartition(broker.kafkaPort, TOPIC, partition)
      expect(stored.length).toBe(total)
      const storedProblems = stored.map(r => recordProblem(partition, r.offset, r.key, r.value)).filter(p => p !== null)
      expect(storedProblems.slice(0, 5)).toEqual([])
    }
    // Without reuse this test would prove nothing.
    expect(await metric(broker.httpPort!, 'sluice_buffer_pool_reused_total')).toBeGreaterThan(ROUNDS)
  }, 60_000)
})
