// Each bad input a new user ran into got a raw Node error or a misleading one. These tests
// run the real CLI and check that the message names the problem and the fix, and that the
// exit code is 2 (bad input), never a stack trace.

import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

const CLI = resolve(import.meta.dirname, '../../../harness/cli.ts')
const RUN_TIMEOUT_MS = 60_000

interface Outcome { code: number, stdout: string, stderr: string }

function sluice (args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      done({ code, stdout, stderr })
    })
  })
}

function expectCleanFailure (outcome: Outcome): void {
  expect(outcome.code).toBe(2)
  expect(outcome.stderr).not.toMatch(/\n\s+at /)
}

let dir: string
let broker: BrokerProcess
let holder: Server
let heldPort: number

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-raw-errors-'))
  broker = await startBrokerProcess({ overrides: { 'num.partitions': 2 } })
  holder = createServer()
  await new Promise<void>(done => holder.listen(0, '127.0.0.1', done))
  heldPort = (holder.address() as { port: number }).port
})

afterAll(async () => {
  await broker?.stop()
  holder?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('sluice broker', () => {
  it('a missing config file is named, with an example to copy', async () => {
    const outcome = await sluice(['broker', '-c', join(dir, 'broker.properties')])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toContain('broker.properties')
    expect(outcome.stderr).toMatch(/no such file: give -c an existing .properties or .yaml file \(config\/broker.properties is an example\)/)
  })

  it('a YAML syntax error in the config names the file', async () => {
    const file = join(dir, 'bad.yaml')
    await writeFile(file, 'log.dirs: [unclosed\n')
    const outcome = await sluice(['broker', '-c', file])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toContain(`invalid broker config (${file})`)
    expect(outcome.stderr).toMatch(/YAML syntax error/)
  })

  it('a Kafka port in use says which flag chooses another', async () => {
    const outcome = await sluice(['broker', '--listen', `127.0.0.1:${heldPort}`, '--http', 'none', '--data-dir', join(dir, 'd1')])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toMatch(new RegExp(`Kafka listener 127\\.0\\.0\\.1:${heldPort} is already in use .*--listen`))
  })

  it('an HTTP port in use says which flag chooses another', async () => {
    const outcome = await sluice(['broker', '--listen', '127.0.0.1:0', '--http', `127.0.0.1:${heldPort}`, '--data-dir', join(dir, 'd2')])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toMatch(new RegExp(`HTTP API listener 127\\.0\\.0\\.1:${heldPort} is already in use .*--http`))
  })

  it('the shipped example config starts a broker', async () => {
    const started = await startBrokerProcess({ configFile: resolve(import.meta.dirname, '../../../config/broker.properties'), dataDir: join(dir, 'd3'), httpPort: 'none' })
    await started.stop()
    expect(await started.exited).toBe(0)
  })
})

describe('sluice bench', () => {
  it('--bootstrap at the HTTP API port says the peer speaks HTTP', async () => {
    const httpAddress = broker.httpUrl!.replace('http://', '')
    const outcome = await sluice(['bench', 'workloads/smoke.yaml', '--bootstrap', httpAddress, '--duration', '1s'])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toMatch(/not a Kafka listener: .*first bytes read "HTTP", an HTTP response: is this the broker's HTTP API port rather than its Kafka port\?/)
  })

  it('a chaos workload is refused, naming sluice chaos', async () => {
    const outcome = await sluice(['bench', 'workloads/chaos/safe.yaml'])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toMatch(/is a chaos workload \(it has nemesis and chaos blocks\), which sluice bench would ignore: run it with `sluice chaos workloads\/chaos\/safe.yaml`/)
  })
})

describe('sluice check', () => {
  it('a directory is named, with the file to pass instead', async () => {
    const outcome = await sluice(['check', dir])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toContain(`${dir} is a directory; pass the history.jsonl inside it (e.g. ${dir}/history.jsonl)`)
  })

  it('a result.json is recognised as one JSON document, not a history', async () => {
    const file = join(dir, 'result.json')
    await writeFile(file, JSON.stringify({ format: 'sluice-chaos-result', verdict: null }, null, 2))
    const outcome = await sluice(['check', file])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toContain(`${file} is one JSON document (a result.json?), not a history of one JSON op per line: pass the history.jsonl beside it (${join(dir, 'history.jsonl')})`)
  })
})

describe('sluice toxiproxy', () => {
  it('--port abc is refused with the allowed range', async () => {
    const outcome = await sluice(['toxiproxy', '--port', 'abc'])
    expectCleanFailure(outcome)
    expect(outcome.stderr).toMatch(/--port must be a port number from 0 to 65535 .*got "abc"/)
  })
})

describe('HTTP API', () => {
  it('a record above message.max.bytes is refused with 413 and nothing is written', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024)
    const response = await fetch(`${broker.httpUrl}/topics/raw-errors-big/records`, {
      method: 'POST',
      body: JSON.stringify([{ key: 'small', value: 'fits', partition: 0 }, { key: 'k', value: big, partition: 1 }]),
    })
    expect(response.status).toBe(413)
    const { error } = await response.json() as { error: string }
    expect(error).toMatch(/the records for partition 1 make a batch of \d+ bytes, more than message.max.bytes \(1048588\); send fewer or smaller records/)
    const read = await fetch(`${broker.httpUrl}/topics/raw-errors-big/partitions/0/records?offset=0`)
    const body = await read.text()
    expect(body).not.toContain('fits')
  })

  it('an invalid topic name is called invalid, not unknown', async () => {
    const response = await fetch(`${broker.httpUrl}/topics/bad%20name!/records`, { method: 'POST', body: '[{"value":"v"}]' })
    expect(response.status).toBe(400)
    const { error } = await response.json() as { error: string }
    expect(error).toMatch(/invalid topic: topic name "bad name!" must be 1-249 characters of \[a-zA-Z0-9._-\]/)
    expect(error).not.toMatch(/unknown topic/)
  })
})
