// Issue 17 items 4-6, each with real sockets against a broker process: idle connections
// are closed after connections.max.idle.ms, max.connections.per.ip refuses one connection
// and nothing else, parked long-poll fetches are released when their connection closes
// (10,000 of them, after which a new long-poll parks again instead of returning at once),
// and partial frames across connections are bounded by queued.max.request.bytes. Hitting
// a bound costs one connection, never the broker.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { Fetch, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess, type StartOptions } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'
import { rssBytes } from '../../../bench/fuzz/runner.ts'

const run = promisify(execFile)
const MiB = 1024 * 1024

async function metric (broker: BrokerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${broker.httpUrl}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(`${name} `))
  return Number(line?.split(' ')[1] ?? Number.NaN)
}

async function until (what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function longPoll (topic: string, maxWaitMs: number): FetchRequest {
  return {
    replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
    forgottenTopics: [], rackId: '',
  }
}

async function answers (conn: RawConnection): Promise<boolean> {
  try {
    const { response } = await conn.request(ApiVersions, 3, { clientSoftwareName: 'limits', clientSoftwareVersion: '1' })
    return response.errorCode === 0
  } catch {
    return false
  }
}

describe('connection limits', () => {
  let broker: BrokerProcess | undefined
  const open: RawConnection[] = []

  async function start (opts: StartOptions): Promise<BrokerProcess> {
    broker = await startBrokerProcess(opts)
    return broker
  }
  async function connect (b: BrokerProcess): Promise<RawConnection> {
    const conn = await RawConnection.open(b.kafkaPort)
    open.push(conn)
    return conn
  }
  afterEach(async () => {
    for (const conn of open.splice(0)) conn.close()
    if (broker !== undefined) {
      expect(broker.child.exitCode).toBeNull()
      await broker.stop()
      await removeDir(broker.dataDir)
      broker = undefined
    }
  })

  it('connections.max.idle.ms closes an idle connection and keeps a busy one', async () => {
    const b = await start({ httpPort: 'none', overrides: { 'connections.max.idle.ms': 400 } })
    const idle = await connect(b)
    const busy = await connect(b)
    const deadline = Date.now() + 1500
    while (Date.now() < deadline) {
      expect(await answers(busy)).toBe(true)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(await idle.waitClosed(2000)).toBe(true)
    expect(busy.closed).toBe(false)
  })

  it('max.connections.per.ip refuses the connection past the limit, and only that one', async () => {
    const b = await start({ httpPort: 'none', overrides: { 'max.connections.per.ip': 3 } })
    const first = [await connect(b), await connect(b), await connect(b)]
    for (const conn of first) expect(await answers(conn)).toBe(true)
    const extra = await connect(b)
    expect(await extra.waitClosed(2000)).toBe(true)
    for (const conn of first) expect(await answers(conn)).toBe(true)
    first[0]!.close()
    await until('a freed slot admits a new connection', async () => answers(await connect(b)))
    expect(b.stderr()).toMatch(/max\.connections\.per\.ip \(3\) reached/)
  })

  it('releases 10,000 parked long-poll fetches when their connections close; later long-polls park again', async () => {
    const b = await start({ overrides: { 'fetch.max.parked': 10_000 } })
    await createTopic(b.kafkaPort, 'parked', 1)
    const conns: RawConnection[] = []
    for (let c = 0; c < 20; c++) {
      const conn = await connect(b)
      conns.push(conn)
      conn.writeBytes(Buffer.concat(Array.from({ length: 500 }, () => conn.encode(Fetch, 11, longPoll('parked', 120_000)))))
    }
    await until('10,000 fetches are parked', async () => await metric(b, 'sluice_fetch_parked') === 10_000)
    for (const conn of conns) conn.close()
    await until('every parked fetch is released', async () => await metric(b, 'sluice_fetch_parked') === 0)
    // A new long-poll parks for its max_wait_ms instead of coming back at once.
    const consumer = await connect(b)
    const started = Date.now()
    const { response } = await consumer.request(Fetch, 11, longPoll('parked', 600))
    expect(response.topics[0]!.partitions[0]!.errorCode).toBe(0)
    expect(Date.now() - started).toBeGreaterThanOrEqual(500)
    // An idle real consumer polls at its own pace, not in a busy loop.
    const before = await metric(b, 'sluice_request_duration_seconds_count{api="Fetch"}')
    await run('kcat', ['-C', '-b', b.bootstrap, '-t', 'parked', '-o', 'beginning', '-q', '-X', 'fetch.wait.max.ms=500', '-c', '1'], { timeout: 2500 }).catch(() => {})
    const fetches = await metric(b, 'sluice_request_duration_seconds_count{api="Fetch"}') - before
    expect(fetches).toBeLessThan(40)
  })

  it('queued.max.request.bytes bounds 20 connections each holding a 50 MiB partial frame', async () => {
    const b = await start({
      overrides: { 'queued.max.request.bytes': 64 * MiB, 'socket.request.max.bytes': 60 * MiB, 'connections.max.idle.ms': 120_000 },
    })
    const rssBefore = await rssBytes(b.child.pid!)
    // One shared 50 MiB body (never sent whole): the test itself stays small.
    const partial = Buffer.alloc(50 * MiB - 1)
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(50 * MiB)
    const senders: RawConnection[] = []
    for (let c = 0; c < 20; c++) {
      const conn = await connect(b)
      conn.writeBytes(prefix)
      // In 1 MiB slices, so the unsent byte count below moves as the broker reads.
      for (let at = 0; at < partial.length; at += MiB) conn.writeBytes(partial.subarray(at, at + MiB))
      senders.push(conn)
    }
    // The pool grants frames while budget is left (two of 50 MiB against 64 MiB); every other
    // connection stops being read. Wait until the transfer stops moving (or everything went).
    const unsentBytes = (): number => senders.reduce((n, c) => n + c.socket.writableLength, 0)
    let last = -1
    const deadline = Date.now() + 30_000
    while (unsentBytes() !== last && unsentBytes() > 0 && Date.now() < deadline) {
      last = unsentBytes()
      await new Promise(resolve => setTimeout(resolve, 2000))
    }
    const receivedBytes = 20 * 50 * MiB - unsentBytes()
    // Budget plus one frame (the pool grants while anything is left) plus what sits in kernel socket buffers.
    expect(receivedBytes).toBeLessThan(300 * MiB)
    // The broker's own account: frames are charged whole when their size prefix arrives.
    expect(await metric(b, 'sluice_request_memory_bytes')).toBeLessThanOrEqual(64 * MiB + 50 * MiB)
    expect(await rssBytes(b.child.pid!) - rssBefore).toBeLessThan(300 * MiB)
    expect(senders.filter(c => c.closed)).toEqual([])
    // Once the stalled senders go, the pool comes back and a newcomer is served.
    for (const conn of senders) conn.close()
    expect(await answers(await connect(b))).toBe(true)
  })
})
