// A workload's commonConfig reaches a cluster that needs TLS: the reference broker sits
// behind a TLS-terminating proxy (a real TLS handshake with a certificate made here by
// openssl) and advertises the proxy, so every client connection must speak TLS. kafkajs
// and @platformatic/kafka get through with ssl.ca.location; the native driver, which speaks
// PLAINTEXT only, is refused with a message naming the drivers that can.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-tls-'))
let broker: BrokerProcess
let proxy: Server
let proxyPort: number
let tlsSessions = 0
const sockets = new Set<Socket>()

function makeCertificate (): { cert: string, key: string } {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  return { cert, key }
}

function workload (name: string): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, [
    `name: ${name}`, 'topics: 1', 'partitionsPerTopic: 2', 'messageSize: 256', 'producerRate: 500', 'producersPerTopic: 1',
    'subscriptionsPerTopic: 1', 'consumerPerSubscription: 1', 'testDurationSeconds: 2', 'warmupDurationSeconds: 1',
    'commonConfig: |', '  security.protocol=SSL', `  ssl.ca.location=${join(dir, 'cert.pem')}`,
    // The reference broker has no InitProducerId yet, and behind TLS the harness cannot ask.
    'producerConfig: |', '  enable.idempotence=false',
  ].join('\n') + '\n')
  return file
}

beforeAll(async () => {
  const { cert, key } = makeCertificate()
  proxy = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, secure => {
    tlsSessions++
    const upstream = connect({ host: '127.0.0.1', port: broker.kafkaPort })
    for (const s of [secure, upstream]) { sockets.add(s); s.once('close', () => sockets.delete(s)); s.on('error', () => {}) }
    secure.pipe(upstream).pipe(secure)
    secure.once('close', () => upstream.destroy())
    upstream.once('close', () => secure.destroy())
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  proxyPort = (proxy.address() as { port: number }).port
  broker = await startBrokerProcess({ overrides: { 'advertised.listeners': `127.0.0.1:${proxyPort}` } })
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  proxy?.close()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('sluice bench against a TLS listener (commonConfig security.protocol=SSL)', () => {
  for (const driver of ['kafkajs', 'platformatic'] as const) {
    it(`${driver} connects over TLS and the run completes`, async () => {
      const before = tlsSessions
      const results = join(dir, `results-${driver}`)
      const run = await runBenchCli([workload(`tls-${driver}`), '--driver', driver, '--bootstrap', `127.0.0.1:${proxyPort}`, '--results-dir', results, '--no-progress'])
      expect(run.code, run.stderr).toBe(0)
      expect(tlsSessions).toBeGreaterThan(before)
      const [runDir] = runDirsUnder(results)
      const result = checkCompleteResult(runDir!, { workloadName: `tls-${driver}`, durationSec: 2, targetRateMsgPerSec: 500, rateTolerance: 0.4 })
      expect(result.driverConfig.settings).toMatchObject({ security: { protocol: 'SSL', saslMechanism: null } })
    }, 90_000)
  }

  it('the native driver is refused, naming the drivers that speak TLS', async () => {
    const run = await runBenchCli([workload('tls-native'), '--driver', 'native', '--bootstrap', `127.0.0.1:${proxyPort}`, '--results-dir', join(dir, 'results-native'), '--no-progress'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/the native driver speaks PLAINTEXT only, and commonConfig sets security\.protocol=SSL: use --driver kafkajs or platformatic/)
  }, 60_000)
})
