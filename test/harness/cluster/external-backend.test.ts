// The external backend: a reachable cluster (here a process-started broker) is accepted
// and reported; a closed port fails with a message that says what to check; fault
// operations are refused with ERR_UNSUPPORTED.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClusterError } from '../../../harness/cluster/cluster.ts'
import { ExternalBackend, parseBootstrap } from '../../../harness/cluster/external-backend.ts'
import { createBackend } from '../../../harness/cluster/index.ts'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { reservePort } from '../../../harness/cluster/ports.ts'

describe('external backend', () => {
  let started: ProcessCluster
  beforeAll(async () => { started = await new ProcessBackend().start({ brokers: 1, brokerConfig: {} }) })
  afterAll(async () => { await started?.stop() })

  it('accepts a running broker and reports its bootstrap', async () => {
    const cluster = await createBackend('external', { bootstrap: started.bootstrap.join(',') }).start({ brokers: 1, brokerConfig: {} })
    expect(cluster.backend).toBe('external')
    expect(cluster.bootstrap).toEqual(started.bootstrap)
    expect(cluster.info().description).toContain(started.bootstrap[0])
    const err = await cluster.brokers[0]!.kill().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClusterError)
    expect((err as ClusterError).code).toBe('ERR_UNSUPPORTED')
    await expect(cluster.brokers[0]!.pause()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' })
    await expect(cluster.brokers[0]!.restart()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' })
    await cluster.stop()
    // Stopping an external cluster must not touch the broker.
    expect(started.brokers[0]!.alive()).toBe(true)
  })

  it('a closed port fails clearly and in time', async () => {
    const port = await reservePort()
    const t0 = Date.now()
    const err = await new ExternalBackend({ bootstrap: [`127.0.0.1:${port}`], reachTimeoutMs: 1000 }).start({ brokers: 1, brokerConfig: {} }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClusterError)
    expect((err as ClusterError).code).toBe('ERR_UNREACHABLE')
    expect((err as Error).message).toBe(`cannot reach 127.0.0.1:${port}: connection refused — is a broker running there?`)
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('rejects malformed bootstrap lists before connecting', () => {
    expect(() => parseBootstrap('')).toThrow(/--bootstrap/)
    expect(() => parseBootstrap('localhost')).toThrow(/not host:port/)
    expect(parseBootstrap(' a:1, b:2 ')).toEqual(['a:1', 'b:2'])
    expect(() => createBackend('external')).toThrow(/--bootstrap/)
    expect(() => createBackend('nope')).toThrow(/unknown cluster backend "nope"/)
  })
})
