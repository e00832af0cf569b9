// librdkafka through kcat: 100,000 keyed messages produced with the Java-compatible
// partitioner into an 8-partition topic and consumed back. Every message must come back
// exactly once, in production order within its partition, in the partition Java's
// murmur2 rule gives its key.

import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../../broker/protocol/partitioner.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { createTopic } from '../../helpers/topics.ts'

const run = promisify(execFile)
const MESSAGES = 100_000
const PARTITIONS = 8
const KEYS = 1000

function produceWithKcat (bootstrap: string, topic: string, lines: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'partitioner=murmur2_random', '-X', 'linger.ms=5', '-X', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', d => { stderr += d })
    child.on('error', reject)
    child.on('exit', code => code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`)))
    child.stdin.end(lines)
  })
}

describe('kcat (librdkafka 2.0.2)', () => {
  let broker: BrokerProcess
  beforeAll(async () => { broker = await startBrokerProcess({ httpPort: 'none' }) })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  it('round-trips 100,000 keyed messages exactly once, in order, in the murmur2 partition', async () => {
    const topic = 'kcat-keyed'
    await createTopic(broker.kafkaPort, topic, PARTITIONS)
    const lines = Array.from({ length: MESSAGES }, (_, i) => `key-${i % KEYS}:${i}`).join('\n') + '\n'
    await produceWithKcat(broker.bootstrap, topic, lines)

    const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-e', '-q', '-o', 'beginning', '-f', '%p\t%o\t%k\t%s\n'], { maxBuffer: 64 * 1024 * 1024 })
    const rows = stdout.split('\n').filter(l => l !== '').map(l => l.split('\t'))
    expect(rows.length).toBe(MESSAGES)

    const seen = new Set<number>()
    const lastValueByPartition = new Map<number, number>()
    const lastOffsetByPartition = new Map<number, number>()
    let misplaced = 0
    for (const [p, o, key, value] of rows) {
      const partition = Number(p)
      const offset = Number(o)
      const v = Number(value)
      expect(seen.has(v)).toBe(false)
      seen.add(v)
      expect(key).toBe(`key-${v % KEYS}`)
      if (partitionForKey(key!, PARTITIONS) !== partition) misplaced++
      expect(offset).toBeGreaterThan(lastOffsetByPartition.get(partition) ?? -1)
      expect(v).toBeGreaterThan(lastValueByPartition.get(partition) ?? -1)
      lastOffsetByPartition.set(partition, offset)
      lastValueByPartition.set(partition, v)
    }
    expect(misplaced).toBe(0)
    expect(seen.size).toBe(MESSAGES)
    // Offsets are dense: each partition holds 0..n-1.
    for (const [partition, last] of lastOffsetByPartition) {
      expect(last + 1).toBe(rows.filter(r => Number(r[0]) === partition).length)
    }
  })
})
