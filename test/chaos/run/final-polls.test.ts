// The final polls read every partition to its end and record what they saw. A partition
// found empty at the end (a crash without fsync can empty a log) is recorded as a final poll
// that read nothing, so the checkers call every value acknowledged into it unseen instead of
// leaving the verdict unknown for want of final polls.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import { checkHistory } from '../../../chaos/check/checker.ts'
import type { Op } from '../../../chaos/check/history.ts'
import { runFinalPolls } from '../../../chaos/run/final-polls.ts'
import { HistoryWriter } from '../../../chaos/run/interpreter.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

let broker: BrokerProcess
let dir: string

beforeAll(async () => {
  broker = await startBrokerProcess({ httpPort: 'none' })
  dir = await mkdtemp(join(tmpdir(), 'sluice-final-polls-'))
  const client = new KafkaClient({ bootstrap: [broker.bootstrap], clientId: 'final-polls-test' })
  await client.createTopics([{ name: 'emptied', partitions: 1 }])
  client.close()
}, 60_000)

afterAll(async () => {
  await broker?.stop()
  if (broker !== undefined) await removeDir(broker.dataDir)
  await rm(dir, { recursive: true, force: true })
})

describe('final polls', () => {
  it('record an empty partition as read to its end, so an acknowledged value in it is unseen', async () => {
    const path = join(dir, 'history.jsonl')
    const history = new HistoryWriter(path, { firstFreeProcess: 1 })
    // A send the broker acknowledged at offset 0, whose record a crash then took away.
    history.invoke(0, 'send', [['send', 'k', null]])
    history.complete(0, 'ok', [['send', 'k', [0, 1]]])
    const result = await runFinalPolls({ bootstrap: [broker.bootstrap], topics: [{ name: 'emptied', partitions: 1 }], history, timeoutMs: 10_000 })
    history.close()
    expect(result.complete).toEqual(['emptied-0'])
    expect(result.polls).toBe(1)
    const ops = (await readFile(path, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as Op)
    const finalPolls = ops.filter(op => op.f === 'poll' && op.type === 'ok' && (op as { final?: boolean }).final === true)
    expect(finalPolls).toHaveLength(1)
    const verdict = checkHistory(ops)
    expect(verdict.unchecked).not.toContain('unseen (no final polls)')
    expect(Object.keys(verdict.anomalies)).toContain('unseen')
  }, 60_000)
})
