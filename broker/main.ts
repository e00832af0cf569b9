// Starts one broker in this process: open the logs (running recovery), bind the Kafka and
// HTTP listeners, and print one JSON line saying where they are, so a parent process that
// asked for port 0 learns the real ports. SIGTERM and SIGINT shut down cleanly: stop
// accepting, flush and checkpoint the logs, exit 0.

import type { BrokerConfig } from './config/config.ts'
import { replicationDebugKeysOn } from './config/debug-keys.ts'
import { Broker } from './server/broker.ts'
import { createRegistry } from './server/handlers/index.ts'
import { groupRoutes } from './group/http-routes.ts'
import { replicaRoutes } from './server/replica-routes.ts'
import { faultRoutes } from './server/fault-routes.ts'
import { listenHttp } from './server/http-api.ts'
import { listenKafka, type KafkaListener } from './server/kafka-listener.ts'
import { HandlerRegistry } from './server/handler.ts'
import { apiVersionsHandler } from './server/handlers/18-api-versions.ts'
import { electLeadersHandler } from './server/handlers/43-elect-leaders.ts'
import { describeQuorumHandler } from './server/handlers/55-describe-quorum.ts'
import { ClusterNode } from './cluster/node/cluster-node.ts'

export interface RunningBroker {
  broker: Broker
  kafkaPort: number
  httpPort: number | null
  /** The controller listener's port on a cluster's controller; null otherwise. */
  controllerPort: number | null
  /** The cluster member (quorum, controller, membership); null on a one-node broker. */
  node: ClusterNode | null
  /** `controlled` (SIGTERM) moves a cluster broker's leaderships away before it stops. */
  close (controlled?: boolean): Promise<void>
}

/** A listener that could not bind, said so that the user knows which flag to change. */
export class ListenError extends Error {
  readonly code = 'ERR_SLUICE_LISTEN'
  readonly retriable = false
}

function bindError (error: unknown, what: string, host: string, port: number, flag: string): Error {
  const code = (error as { code?: string }).code
  const address = `${host}:${port}`
  if (code === 'EADDRINUSE') return new ListenError(`${what} ${address} is already in use (another broker or program holds the port): choose another with ${flag}, or port 0 for any free port`)
  if (code === 'EADDRNOTAVAIL') return new ListenError(`${what} ${address}: no such address on this machine: use 127.0.0.1 or an address of this host (${flag})`)
  if (code === 'EACCES') return new ListenError(`${what} ${address}: permission denied (ports below 1024 need privileges): choose a port above 1023 (${flag})`)
  return error as Error
}

export async function startBroker (config: BrokerConfig, log: (line: string) => void = line => process.stderr.write(line + '\n')): Promise<RunningBroker> {
  const broker = await Broker.open(config, log)
  let node: ClusterNode | null = null
  const opened: KafkaListener[] = []
  let http: Awaited<ReturnType<typeof listenHttp>> | null = null
  let kafkaPort = 0
  let controllerPort: number | null = null
  try {
    if (config.cluster !== null) node = await ClusterNode.open(broker, config)
    const controllerListener = controllerListenerOf(config)
    if (node !== null && controllerListener !== null) {
      const registry: HandlerRegistry = new HandlerRegistry([apiVersionsHandler(() => registry), ...node.controllerListenerHandlers()])
      const listener = await listenKafka(broker, registry, controllerListener.host, controllerListener.port)
        .catch(error => { throw bindError(error, 'controller listener', controllerListener.host, controllerListener.port, '-o listeners= (the controller.listener.names entry)') })
      opened.push(listener)
      controllerPort = listener.port
    }
    if (config.cluster === null || config.cluster.roles.has('broker')) {
      const registry = createRegistry(node === null ? [] : [electLeadersHandler, describeQuorumHandler])
      const kafka = await listenKafka(broker, registry, config.listener.host, config.listener.port)
        .catch(error => { throw bindError(error, 'Kafka listener', config.listener.host, config.listener.port, '--listen or -o listeners=') })
      opened.push(kafka)
      kafkaPort = kafka.port
    } else {
      kafkaPort = controllerPort ?? 0
    }
    broker.advertised = config.advertised ?? { host: config.listener.host, port: kafkaPort }
    if (config.http !== null) {
      const { host, port } = config.http
      http = await listenHttp(broker, host, port, [groupRoutes, replicaRoutes, faultRoutes])
        .catch(error => { throw bindError(error, 'HTTP API listener', host, port, '--http or -o sluice.http.listener= (none turns it off)') })
    }
    node?.start(config, broker.advertised)
  } catch (error) {
    await node?.close(false)
    for (const listener of opened) await listener.close()
    await broker.close()
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    broker,
    kafkaPort,
    httpPort: http?.port ?? null,
    controllerPort,
    node,
    close: (controlled = false) => {
      closing ??= (async () => {
        await node?.close(controlled)
        http?.server.close()
        http?.server.closeAllConnections()
        for (const listener of opened) await listener.close()
        await broker.close()
      })()
      return closing
    },
  }
}

/** The listener named in controller.listener.names on a controller; null elsewhere. */
function controllerListenerOf (config: BrokerConfig): { host: string, port: number } | null {
  const cluster = config.cluster
  if (cluster === null || !cluster.roles.has('controller')) return null
  return config.listeners.find(l => cluster.controllerListenerNames.includes(l.name)) ?? null
}

/** Runs a broker until a signal; used by `sluice broker`. */
/** Broker log lines on stderr; with `timestamps`, each starts with the wall-clock time (ISO, ms). */
export function stderrLog (timestamps: boolean): (line: string) => void {
  return timestamps
    ? line => process.stderr.write(`${new Date().toISOString()} ${line}\n`)
    : line => process.stderr.write(line + '\n')
}

export async function runBroker (config: BrokerConfig, log: (line: string) => void = stderrLog(false)): Promise<void> {
  const running = await startBroker(config, log)
  const ready = {
    event: 'listening',
    brokerId: running.broker.nodeId,
    kafka: `${config.listener.host}:${running.kafkaPort}`,
    advertised: `${running.broker.advertised.host}:${running.broker.advertised.port}`,
    http: running.httpPort === null ? null : `${config.http!.host}:${running.httpPort}`,
    controller: running.controllerPort,
    dataDir: config.dataDir,
    pid: process.pid,
  }
  const shutdown = (signal: string): void => {
    log(`${signal}: shutting down (flush, checkpoint)`)
    running.close(signal === 'SIGTERM').then(() => process.exit(0), err => {
      process.stderr.write(`shutdown failed: ${(err as Error).stack}\n`)
      process.exit(1)
    })
  }
  // Handlers first, then the ready line: a parent that stops us as soon as it reads the
  // line must find them installed (a SIGTERM before them would kill with the default action).
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.stdout.write(JSON.stringify(ready) + '\n')
  const debugKeys = replicationDebugKeysOn(running.broker.debug)
  if (debugKeys.length > 0) process.stderr.write(`WARNING: DEBUG KEYS ON: ${debugKeys.join(', ')}: this broker re-creates historical replication bugs on purpose and WILL lose or corrupt acknowledged data; never use it in production\n`)
  if (running.broker.sink) process.stderr.write('WARNING: sluice.sink is on: produce requests are acknowledged and discarded, nothing is stored\n')
}
