// RequestMetrics' parts as a Connection measures them, over real TCP with a handler whose
// timing the test controls: local work before parking, a park marked through ctx.timing
// (marked twice: the second mark must not move the start), then the wait. Local time is
// the work before the park, remote time the wait after it, and the total covers both.

import { BufferPool } from '../../../broker/protocol/buffer-pool.ts'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import type { Broker } from '../../../broker/server/broker.ts'
import { Connection } from '../../../broker/server/connection.ts'
import { defineHandler, HandlerRegistry } from '../../../broker/server/handler.ts'
import { Metrics } from '../../../broker/server/metrics.ts'
import { RequestMemoryPool } from '../../../broker/server/request-memory.ts'
import { markParked } from '../../../broker/server/request-parking.ts'
import { parsePrometheusText } from '../../../harness/measure/prometheus-text.ts'
import { RawConnection } from '../../helpers/raw-client.ts'

const LOCAL_MS = 40
const FIRST_WAIT_MS = 100
const SECOND_WAIT_MS = 60

const slowHandler = defineHandler(ApiVersions, async ctx => {
  const until = performance.now() + LOCAL_MS
  while (performance.now() < until) { /* local work: the handler holds the thread */ }
  markParked(ctx.timing)
  await sleep(FIRST_WAIT_MS)
  markParked(ctx.timing)
  await sleep(SECOND_WAIT_MS)
  return { errorCode: 0, apiKeys: [], throttleTimeMs: 0 }
})

describe('request timing through ctx.timing', () => {
  const metrics = new Metrics()
  let server: Server
  let port = 0
  beforeAll(async () => {
    server = createServer(socket => new Connection(socket, {
      frameBytesMax: 1024 * 1024,
      inFlightMax: 16,
      handlers: new HandlerRegistry([slowHandler]),
      metrics,
      memory: new RequestMemoryPool(64 * 1024 * 1024),
      bufferPool: new BufferPool(),
      context: { broker: null as unknown as Broker },
      log: () => {},
      onInternalError: () => {},
      onClose: () => {},
    }))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise(resolve => server.close(resolve))
  })

  it('splits local work and the park exactly, however often the park is marked', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.request(ApiVersions, 0, { clientSoftwareName: null, clientSoftwareVersion: null })
    } finally {
      conn.close()
    }
    // The write callback may come a moment after the client has the response.
    let samples = parsePrometheusText(metrics.render([]))
    for (let i = 0; i < 50 && samples.get('kafka_network_requestmetrics_totaltimems_count{request="ApiVersions"}') !== 1; i++) {
      await sleep(10)
      samples = parsePrometheusText(metrics.render([]))
    }
    const sum = (part: string): number => samples.get(`kafka_network_requestmetrics_${part}_sum{request="ApiVersions"}`)!
    expect(samples.get('kafka_network_requestmetrics_totaltimems_count{request="ApiVersions"}')).toBe(1)
    expect(sum('localtimems')).toBeGreaterThanOrEqual(LOCAL_MS)
    expect(sum('localtimems')).toBeLessThan(LOCAL_MS + FIRST_WAIT_MS / 2)
    expect(sum('remotetimems')).toBeGreaterThanOrEqual(FIRST_WAIT_MS + SECOND_WAIT_MS - 2)
    const parts = ['requestqueuetimems', 'localtimems', 'remotetimems', 'responsequeuetimems', 'responsesendtimems'].reduce((s, p) => s + sum(p), 0)
    expect(sum('totaltimems') + 1e-6).toBeGreaterThanOrEqual(parts)
    expect(sum('totaltimems')).toBeGreaterThanOrEqual(LOCAL_MS + FIRST_WAIT_MS + SECOND_WAIT_MS - 2)
  })
})
