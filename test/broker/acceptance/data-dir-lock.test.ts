// Issue 14: two brokers on one data dir both acknowledged offset 7 of one partition and one
// write was lost. The second broker must fail at once, naming the directory and the holder,
// and a SIGKILLed holder must not leave a lock behind.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDataDir, removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

const started: BrokerProcess[] = []
const dirs: string[] = []

async function start (dataDir: string): Promise<BrokerProcess> {
  const broker = await startBrokerProcess({ dataDir, overrides: { 'offsets.topic.num.partitions': 1 } })
  started.push(broker)
  return broker
}

async function produce (broker: BrokerProcess, value: string): Promise<number> {
  const res = await fetch(`${broker.httpUrl}/topics/locked/records`, { method: 'POST', body: JSON.stringify([{ value }]) })
  expect(res.status).toBe(200)
  return ((await res.json()) as { offsets: Array<{ offset: number }> }).offsets[0]!.offset
}

afterEach(async () => {
  for (const broker of started.splice(0)) await broker.kill()
  for (const dir of dirs.splice(0)) await removeDir(dir)
})

describe('data dir lock', () => {
  it('second broker on a data dir in use fails at once naming the dir and the holder pid; after SIGKILL of the holder a new broker starts with the data', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    const first = await start(dataDir)
    expect(await produce(first, 'one')).toBe(0)

    const startedAtMs = Date.now()
    const error = await startBrokerProcess({ dataDir, overrides: { 'offsets.topic.num.partitions': 1 } }).then(b => { started.push(b); return null }, (e: unknown) => e as Error)
    expect(error, 'second broker must not start').not.toBeNull()
    expect(Date.now() - startedAtMs).toBeLessThan(15_000)
    expect(error!.message).toContain(`data dir ${dataDir} is in use by another broker`)
    expect(error!.message).toContain(`pid ${first.child.pid}`)
    // The holder is untouched and still serves.
    expect(await produce(first, 'two')).toBe(1)

    await first.kill()
    const third = await start(dataDir)
    expect(await produce(third, 'three')).toBe(2)
    const res = await fetch(`${third.httpUrl}/topics/locked/partitions/0/records?offset=0`)
    expect(((await res.json()) as Array<{ value: string }>).map(r => r.value)).toEqual(['one', 'two', 'three'])
    await third.stop()
    expect(await third.exited).toBe(0)
    // A clean stop removes the informational lock file too.
    expect(existsSync(join(dataDir, '.lock'))).toBe(false)
  })
})
