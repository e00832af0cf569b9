// The client connection over real sockets: pipelining with a bounded in-flight window
// against an in-process reference broker, version negotiation, and each failure turned
// into its typed error (refused, silent server, garbage frames, queue full).

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Metadata } from '../../../broker/protocol/03-metadata.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { Fetch } from '../../../broker/protocol/01-fetch.ts'
import { buildConfig } from '../../../broker/config/config.ts'
import { startBroker, type RunningBroker } from '../../../broker/main.ts'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import { Connection } from '../../../broker/client/connection.ts'
import { KafkaClientError } from '../../../broker/client/errors.ts'
import { reservePort } from '../../../harness/cluster/ports.ts'

const metadataRequest = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }

async function rawServer (onSocket: (socket: Socket) => void): Promise<{ server: Server, port: number }> {
  const server = createServer(onSocket)
  await new Promise<void>(resolve => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  return { server, port: (server.address() as { port: number }).port }
}

describe('Connection against a reference broker', () => {
  let broker: RunningBroker
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-client-test-'))
    broker = await startBroker(buildConfig({ listeners: '127.0.0.1:0', 'sluice.http.listener': 'none', 'log.dirs': dataDir }, 'test'), () => {})
  })
  afterAll(async () => {
    await broker?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('negotiates the highest common version per API', async () => {
    const c = await Connection.connect({ host: '127.0.0.1', port: broker.kafkaPort, clientId: 't' })
    try {
      expect(c.versionFor(Metadata)).toBe(Math.min(Metadata.maxVersion, c.apiVersions.get(3)!.maxVersion))
      expect(c.versionFor(Produce)).toBe(8)
      expect(c.versionFor(Fetch)).toBe(11)
    } finally {
      c.close()
    }
  })

  it('pipelines many requests through a small in-flight window and matches every response', async () => {
    const c = await Connection.connect({ host: '127.0.0.1', port: broker.kafkaPort, clientId: 't', inFlightMax: 4 })
    try {
      let peak = 0
      const requests = Array.from({ length: 200 }, () => {
        const p = c.request(Metadata, metadataRequest)
        peak = Math.max(peak, c.inFlight)
        return p
      })
      const responses = await Promise.all(requests)
      expect(peak).toBe(4)
      expect(responses).toHaveLength(200)
      expect(responses.every(r => r.brokers.length === 1 && r.brokers[0]!.port === broker.kafkaPort)).toBe(true)
      expect(c.inFlight).toBe(0)
    } finally {
      c.close()
    }
  })

  it('fails waiting requests when too many queue up', async () => {
    const c = await Connection.connect({ host: '127.0.0.1', port: broker.kafkaPort, clientId: 't', inFlightMax: 1, queuedMax: 2 })
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.request(Metadata, metadataRequest)))
      const rejected = results.filter(r => r.status === 'rejected').map(r => (r as PromiseRejectedResult).reason as KafkaClientError)
      expect(rejected.length).toBe(2)
      expect(rejected.every(e => e.code === 'ERR_BACKPRESSURE' && e.retriable)).toBe(true)
    } finally {
      c.close()
    }
  })

  it('KafkaClient reports topic errors with Kafka names', async () => {
    const client = new KafkaClient({ bootstrap: [`127.0.0.1:${broker.kafkaPort}`], clientId: 't' })
    try {
      const err = await client.topic('no-such-topic').catch((e: unknown) => e) as KafkaClientError
      expect(err.code).toBe('ERR_KAFKA')
      expect(err.kafkaErrorCode).toBe(3)
      expect(err.message).toContain('UNKNOWN_TOPIC_OR_PARTITION')
      await client.createTopics([{ name: 'exists', partitions: 2 }])
      await client.createTopics([{ name: 'exists', partitions: 2 }])
      await expect(client.createTopics([{ name: 'exists', partitions: 2 }], { existingOk: false })).rejects.toThrow(/TOPIC_ALREADY_EXISTS/)
      await expect(client.createTopics([{ name: 'bad/name', partitions: 1 }])).rejects.toThrow(/INVALID_TOPIC_EXCEPTION/)
    } finally {
      client.close()
    }
  })
})

describe('Connection failures', () => {
  it('a closed port is ERR_CONNECT "connection refused"', async () => {
    const port = await reservePort()
    const err = await Connection.connect({ host: '127.0.0.1', port, clientId: 't' }).catch((e: unknown) => e) as KafkaClientError
    expect(err).toBeInstanceOf(KafkaClientError)
    expect(err.code).toBe('ERR_CONNECT')
    expect(err.message).toBe(`cannot reach 127.0.0.1:${port}: connection refused`)
  })

  it('a server that never answers times out and closes the connection', async () => {
    const sockets: Socket[] = []
    const { server, port } = await rawServer(s => { sockets.push(s) })
    try {
      const t0 = Date.now()
      const err = await Connection.connect({ host: '127.0.0.1', port, clientId: 't', requestTimeoutMs: 300, connectTimeoutMs: 300 }).catch((e: unknown) => e) as KafkaClientError
      expect(err.code).toBe('ERR_TIMEOUT')
      expect(err.message).toMatch(/ApiVersions request to 127\.0\.0\.1:\d+ got no answer within 300 ms/)
      expect(Date.now() - t0).toBeLessThan(5000)
    } finally {
      for (const s of sockets) s.destroy()
      server.close()
    }
  })

  it('an HTTP answer on a Kafka connection fails with ERR_PROTOCOL and says it is HTTP', async () => {
    const { server, port } = await rawServer(s => s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n')))
    try {
      const err = await Connection.connect({ host: '127.0.0.1', port, clientId: 't' }).catch((e: unknown) => e) as KafkaClientError
      expect(err.code).toBe('ERR_PROTOCOL')
      expect(err.message).toMatch(/not speaking Kafka: its first bytes read "HTTP", an HTTP response: is this the broker's HTTP API port/)
    } finally {
      server.close()
    }
  })
})
