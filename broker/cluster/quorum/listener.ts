// A controller listener without a Broker: the Kafka listener (server/kafka-listener.ts,
// same framing, limits and bad-input handling) serving the given handlers plus ApiVersions.
// Tests run three quorum nodes in one process with it; a controller-only process can too.
// Handlers here get no broker: ctx.broker throws if touched, which closes only that
// connection and is logged as an internal error.

import type { Broker } from '../../server/broker.ts'
import { HandlerRegistry, type ApiHandler } from '../../server/handler.ts'
import { apiVersionsHandler } from '../../server/handlers/18-api-versions.ts'
import { listenWith, type KafkaListener } from '../../server/kafka-listener.ts'
import { Metrics } from '../../server/metrics.ts'

/** Broker config keys the listener reads, at Kafka's defaults except per-IP (every test peer is 127.0.0.1). */
const LIMITS_DEFAULT: Record<string, number> = {
  'max.connections': 1000,
  'max.connections.per.ip': 1000,
  'connections.max.idle.ms': 600_000,
  'queued.max.request.bytes': -1,
  'socket.request.max.bytes': 100 * 1024 * 1024,
  'queued.max.requests': 500,
}

const NO_BROKER = new Proxy({}, {
  get (_target, key) { throw new Error(`programmer error: a controller-listener handler read broker.${String(key)}, and this listener has no broker`) },
}) as Broker

export interface QuorumListenerOptions {
  handlers: readonly ApiHandler[]
  host: string
  port: number
  log: (line: string) => void
  limits?: Partial<Record<keyof typeof LIMITS_DEFAULT, number>>
  metrics?: Metrics
}

export async function listenQuorum (opts: QuorumListenerOptions): Promise<KafkaListener> {
  const limits = { ...LIMITS_DEFAULT, ...opts.limits }
  const config = {
    int (key: string): number {
      const value = limits[key]
      if (value === undefined) throw new Error(`programmer error: the controller listener has no setting ${key}`)
      return value
    },
  }
  const registry: HandlerRegistry = new HandlerRegistry([...opts.handlers, apiVersionsHandler(() => registry)])
  return await listenWith({ config, metrics: opts.metrics ?? new Metrics(), log: opts.log }, { broker: NO_BROKER }, registry, opts.host, opts.port)
}
