// The process backend against real broker processes: start, kill/restart with the data
// kept, pause/resume seen by a client as timeouts and recovery, stop leaving nothing
// behind, and a failed start explained by its log.

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import { BatchBuilder } from '../../../harness/client/batch-builder.ts'
import { decodeFetchedRecords, type FetchedRecord } from '../../../broker/client/batch-reader.ts'
import { Connection } from '../../../broker/client/connection.ts'
import { KafkaClientError } from '../../../broker/client/errors.ts'
import { ClusterError } from '../../../harness/cluster/cluster.ts'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { probeApiVersions } from '../../../harness/cluster/ready.ts'
import { reservableRange } from '../../../harness/cluster/ports.ts'

function isRunning (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function readAll (client: KafkaClient, topic: string, partition: number): Promise<FetchedRecord[]> {
  const res = await client.fetch(0, topic, [{ partition, offset: 0, partitionMaxBytes: 1 << 20 }], { maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20 })
  const out: FetchedRecord[] = []
  await decodeFetchedRecords(res.topics[0]!.partitions[0]!.records as Buffer | null, topic, partition, 0, out)
  return out
}

describe('process backend, one broker', () => {
  let cluster: ProcessCluster
  const backend = new ProcessBackend({ stopTimeoutMs: 5000 })

  beforeAll(async () => {
    cluster = await backend.start({ brokers: 1, brokerConfig: { 'num.partitions': 1 } })
  })
  afterAll(async () => { await cluster?.stop() })

  it('starts a broker that answers ApiVersions and HTTP, with its log captured', async () => {
    const broker = cluster.brokers[0]!
    expect(broker.alive()).toBe(true)
    expect(cluster.bootstrap).toEqual([broker.kafkaAddress])
    await probeApiVersions(broker.kafkaAddress, 2000)
    const health = await fetch(`${broker.httpUrl}/healthz`)
    expect(health.status).toBe(200)
    expect(existsSync(broker.logFile)).toBe(true)
    expect(cluster.info()).toMatchObject({ backend: 'process', brokers: 1 })
  })

  it('keeps acknowledged data across kill and restart on the same ports', async () => {
    const broker = cluster.brokers[0]!
    const address = broker.kafkaAddress
    const httpUrl = broker.httpUrl
    // Both ports come from below the ephemeral range, where no client's local port can
    // take them while the broker is down.
    const [, ephemeralLow] = reservableRange()
    expect(Number(new URL(httpUrl!).port)).toBeLessThan(ephemeralLow)
    expect(Number(address.split(':')[1])).toBeLessThan(ephemeralLow)
    const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'kill-test' })
    try {
      await client.createTopics([{ name: 'durable', partitions: 1 }])
      const builder = new BatchBuilder()
      builder.append(Buffer.from('k'), Buffer.from('before-kill'), null, Date.now())
      const res = await client.produce(0, 'durable', [{ partition: 0, batch: builder.seal() }], { acks: 1, timeoutMs: 5000 })
      expect(res!.topics[0]!.partitions[0]!.errorCode).toBe(0)
    } finally {
      client.close()
    }
    await broker.kill()
    expect(broker.alive()).toBe(false)
    await expect(probeApiVersions(address, 1000)).rejects.toThrow(/connection refused/)
    await broker.restart()
    expect(broker.alive()).toBe(true)
    expect(broker.kafkaAddress).toBe(address)
    expect(broker.httpUrl).toBe(httpUrl)
    const after = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'kill-test-2' })
    try {
      const records = await readAll(after, 'durable', 0)
      expect(records.map(r => r.value?.toString())).toEqual(['before-kill'])
    } finally {
      after.close()
    }
  })

  it('pause makes requests time out; resume lets new requests through', async () => {
    const broker = cluster.brokers[0]!
    const [host, port] = broker.kafkaAddress.split(':') as [string, string]
    const before = await Connection.connect({ host, port: Number(port), clientId: 'pause-test', requestTimeoutMs: 500 })
    await broker.pause()
    try {
      const err = await before.request(ApiVersions, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }, { version: 3 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(KafkaClientError)
      expect((err as KafkaClientError).code).toBe('ERR_TIMEOUT')
    } finally {
      await broker.resume()
    }
    await probeApiVersions(broker.kafkaAddress, 5000)
  })
})

describe('process backend, two brokers and shutdown', () => {
  it('starts two brokers on distinct ports and stop leaves no process, even a paused one', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'sluice-pb-test-'))
    const cluster = await new ProcessBackend({ stopTimeoutMs: 5000 }).start({ brokers: 2, brokerConfig: {}, workDir })
    try {
      const [a, b] = cluster.brokers
      expect(a!.kafkaAddress).not.toBe(b!.kafkaAddress)
      await Promise.all(cluster.bootstrap.map(address => probeApiVersions(address, 2000)))
      const pids = cluster.brokers.map(x => x.pid!)
      expect(pids.every(isRunning)).toBe(true)
      await b!.pause()
      await cluster.stop()
      expect(pids.some(isRunning)).toBe(false)
      expect(cluster.brokers.every(x => !x.alive())).toBe(true)
      // The caller's work dir keeps the logs; the data dirs are gone.
      expect(existsSync(a!.logFile)).toBe(true)
      expect(existsSync(a!.dataDir)).toBe(false)
    } finally {
      await cluster.stop()
      rmSync(workDir, { recursive: true, force: true })
    }
  })

  it('a broker that cannot start fails with ERR_BROKER_START quoting its log', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'sluice-pb-test-'))
    try {
      const err = await new ProcessBackend().start({ brokers: 1, brokerConfig: { 'no.such.key': 1 }, workDir }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ClusterError)
      expect((err as ClusterError).code).toBe('ERR_BROKER_START')
      expect((err as Error).message).toContain(join(workDir, 'broker-0.log'))
      expect((err as Error).message).toMatch(/exited with code \d+/)
      expect((err as Error).message).toContain('no.such.key')
    } finally {
      rmSync(workDir, { recursive: true, force: true })
    }
  })
})
