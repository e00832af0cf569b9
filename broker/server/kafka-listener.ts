// The Kafka TCP listener: accepts connections (bounded by max.connections and
// max.connections.per.ip), hands each to a Connection, closes connections idle for
// connections.max.idle.ms, and owns what the connections share: the request memory pool
// (queued.max.request.bytes) and the once-per-kind log of internal errors.
//
// `listenKafka` serves a Broker. `listenWith` is the same listener for a host that is not
// one (the controller listener of the metadata quorum): it needs only limits, metrics and
// a log line, and the handlers it serves must not use ctx.broker.

import { createServer, type Server } from 'node:net'
import type { BrokerConfig } from '../config/config.ts'
import { BufferPool } from '../protocol/buffer-pool.ts'
import type { Broker } from './broker.ts'
import { Connection, type ConnectionOptions } from './connection.ts'
import type { HandlerRegistry } from './handler.ts'
import type { Metrics } from './metrics.ts'
import { RequestMemoryPool } from './request-memory.ts'

export interface KafkaListener {
  port: number
  close (): Promise<void>
}

/** What a listener needs of its owner: the connection limits (by broker config key), metrics and a log. */
export interface ListenerHost {
  config: Pick<BrokerConfig, 'int'>
  metrics: Metrics
  log: (line: string) => void
  /** Memory lent to frames and Fetch reads (a Broker's own); a listener without one gets its own. */
  bufferPool?: BufferPool
}

/** Distinct kinds of internal error whose first stack trace is logged; past that they are only counted. */
const INTERNAL_ERROR_KINDS_MAX = 100

/** Logs the first internal error of each kind with its stack and counts the rest, so a flood of bad requests cannot flood the log. */
function internalErrorReporter (broker: ListenerHost): (where: string, error: unknown) => void {
  const seen = new Set<string>()
  return (where, error) => {
    broker.metrics.internalErrors++
    const err = error instanceof Error ? error : new Error(String(error))
    const kind = `${where}|${err.name}|${(err as NodeJS.ErrnoException).code ?? ''}`
    if (seen.has(kind) || seen.size >= INTERNAL_ERROR_KINDS_MAX) return
    seen.add(kind)
    broker.log(`internal error in ${where} (the request's connection was closed; later errors of this kind are only counted in sluice_internal_errors_total): ${err.stack ?? err.message}`)
  }
}

function idleCheckIntervalMs (idleMs: number): number {
  return Math.max(10, Math.min(Math.floor(idleMs / 4), 10_000))
}

export async function listenKafka (broker: Broker, registry: HandlerRegistry, host: string, port: number): Promise<KafkaListener> {
  return await listenWith(broker, { broker }, registry, host, port)
}

export async function listenWith (broker: ListenerHost, context: ConnectionOptions['context'], registry: HandlerRegistry, host: string, port: number): Promise<KafkaListener> {
  const connections = new Set<Connection>()
  const perHost = new Map<string, number>()
  const connectionsMax = broker.config.int('max.connections')
  const connectionsPerIpMax = broker.config.int('max.connections.per.ip')
  const idleMs = broker.config.int('connections.max.idle.ms')
  const poolBytes = broker.config.int('queued.max.request.bytes')
  const memory = new RequestMemoryPool(poolBytes <= 0 ? Infinity : poolBytes)
  const bufferPool = broker.bufferPool ?? new BufferPool()
  broker.metrics.requestMemory = memory
  broker.metrics.bufferPool = bufferPool
  const onInternalError = internalErrorReporter(broker)
  // Paused: each Connection takes the socket over before anything is read (read-into.ts).
  const server: Server = createServer({ pauseOnConnect: true }, socket => {
    const remote = socket.remoteAddress ?? 'unknown'
    const fromHost = perHost.get(remote) ?? 0
    if (connections.size >= connectionsMax || fromHost >= connectionsPerIpMax) {
      const limit = connections.size >= connectionsMax ? `max.connections (${connectionsMax})` : `max.connections.per.ip (${connectionsPerIpMax})`
      broker.metrics.connectionsRefused++
      // One line per refusal would let a connect loop flood the log: every 100th is enough.
      if (broker.metrics.connectionsRefused % 100 === 1) broker.log(`refusing connection from ${remote}: ${limit} reached (${broker.metrics.connectionsRefused} refused so far)`)
      socket.destroy()
      return
    }
    perHost.set(remote, fromHost + 1)
    broker.metrics.connectionsTotal++
    broker.metrics.connectionsOpen++
    const connection = new Connection(socket, {
      frameBytesMax: broker.config.int('socket.request.max.bytes'),
      inFlightMax: broker.config.int('queued.max.requests'),
      handlers: registry,
      metrics: broker.metrics,
      memory,
      bufferPool,
      context,
      log: broker.log,
      onInternalError,
      onClose: c => {
        if (!connections.delete(c)) return
        broker.metrics.connectionsOpen--
        const left = (perHost.get(c.clientHost) ?? 1) - 1
        if (left <= 0) perHost.delete(c.clientHost)
        else perHost.set(c.clientHost, left)
      },
    })
    connections.add(connection)
  })
  const idleTimer = setInterval(() => {
    const nowMs = Date.now()
    for (const c of connections) {
      if (c.isIdle(nowMs, idleMs)) {
        broker.metrics.connectionsIdleClosed++
        c.close()
      }
    }
  }, idleCheckIntervalMs(idleMs))
  idleTimer.unref()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('programmer error: TCP listener has no port')
  return {
    port: address.port,
    close: () => new Promise<void>(resolve => {
      clearInterval(idleTimer)
      server.close(() => resolve())
      for (const c of connections) c.close()
    }),
  }
}
