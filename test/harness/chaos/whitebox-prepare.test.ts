// When the white-box checks cannot run, the chaos run is told why (and records every check as
// skipped with that reason): Apache Kafka and external clusters have no /admin/replicas, and
// a broker whose HTTP API cannot be reached (e.g. a docker setup that does not publish it) is
// named with the error. The CLI summary lists every check that did not pass.

import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { BrokerHandle, Cluster } from '../../../harness/cluster/cluster.ts'
import { chaosSummary } from '../../../harness/commands/chaos.ts'
import type { ChaosRunOutcome } from '../../../harness/chaos/runner.ts'
import { whiteboxOrReason, WhiteboxRun } from '../../../harness/chaos/whitebox.ts'
import { skippedWhitebox } from '../../../harness/chaos/whitebox-judge.ts'

function cluster (backend: Cluster['backend'], httpUrls: Array<string | null>): Cluster {
  const brokers = httpUrls.map((httpUrl, id) => ({ id, httpUrl, kafkaAddress: `127.0.0.1:${9092 + id}`, logFile: null }) as unknown as BrokerHandle)
  return { backend, bootstrap: [], brokers, info: () => ({ backend, brokers: brokers.length, bootstrap: [], description: backend }), stop: async () => {} }
}

/** A port nothing listens on: bound, then released. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

const toSec = (ms: number): number => ms / 1000

describe('whiteboxOrReason', () => {
  it('skips Apache Kafka and external clusters, saying why', async () => {
    expect(await whiteboxOrReason(cluster('kafka', [null, null, null]), toSec)).toMatch(/Apache Kafka brokers have no \/admin\/replicas/)
    expect(await whiteboxOrReason(cluster('external', [null]), toSec)).toMatch(/external cluster \(--bootstrap\)/)
  })

  it('names brokers without an HTTP URL, and brokers whose HTTP API does not answer', async () => {
    expect(await whiteboxOrReason(cluster('docker', ['http://127.0.0.1:1', null]), toSec)).toMatch(/broker\(s\) 1 have no HTTP API URL \(the docker backend/)
    const url = `http://127.0.0.1:${await closedPort()}`
    const reason = await whiteboxOrReason(cluster('process', [url]), toSec)
    expect(reason).not.toBeInstanceOf(WhiteboxRun)
    expect(reason).toMatch(new RegExp(`HTTP API is not reachable from the harness: ${url}: GET ${url}/admin/replicas`))
  })
})

describe('chaosSummary', () => {
  it('lists each white-box check that did not pass, with why', () => {
    const outcome = { runDir: '/tmp/r', verdict: null, result: { status: 'complete', failure: null, seed: 1, whitebox: skippedWhitebox('Apache Kafka brokers have no /admin/replicas') } } as unknown as ChaosRunOutcome
    const text = chaosSummary(outcome)
    expect(text).toContain('white-box replica-consistency: skipped: Apache Kafka brokers have no /admin/replicas')
    expect(text).toContain('white-box one-leader-per-epoch: skipped')
    expect(text).not.toContain('white-box checks passed')
  })
})
