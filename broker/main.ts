// Starts one broker in this process: open the logs (running recovery), bind the Kafka and
// HTTP listeners, and print one JSON line saying where they are, so a parent process that
// asked for port 0 learns the real ports. SIGTERM and SIGINT shut down cleanly: stop
// accepting, flush and checkpoint the logs, exit 0.

import type { BrokerConfig } from './config/config.ts'
import { Broker } from './server/broker.ts'
import { createRegistry } from './server/handlers/index.ts'
import { groupRoutes } from './group/http-routes.ts'
import { listenHttp } from './server/http-api.ts'
import { listenKafka } from './server/kafka-listener.ts'

export interface RunningBroker {
  broker: Broker
  kafkaPort: number
  httpPort: number | null
  close (): Promise<void>
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
  const registry = createRegistry()
  let kafka: Awaited<ReturnType<typeof listenKafka>>
  let http: Awaited<ReturnType<typeof listenHttp>> | null = null
  try {
    kafka = await listenKafka(broker, registry, config.listener.host, config.listener.port)
      .catch(error => { throw bindError(error, 'Kafka listener', config.listener.host, config.listener.port, '--listen or -o listeners=') })
    broker.advertised = config.advertised ?? { host: config.listener.host, port: kafka.port }
    if (config.http !== null) {
      const { host, port } = config.http
      http = await listenHttp(broker, host, port, [groupRoutes]).catch(async error => {
        await kafka.close()
        throw bindError(error, 'HTTP API listener', host, port, '--http or -o sluice.http.listener= (none turns it off)')
      })
    }
  } catch (error) {
    await broker.close()
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    broker,
    kafkaPort: kafka.port,
    httpPort: http?.port ?? null,
    close: () => {
      closing ??= (async () => {
        http?.server.close()
        http?.server.closeAllConnections()
        await kafka.close()
        await broker.close()
      })()
      return closing
    },
  }
}

/** Runs a broker until a signal; used by `sluice broker`. */
export async function runBroker (config: BrokerConfig): Promise<void> {
  const running = await startBroker(config)
  const ready = {
    event: 'listening',
    brokerId: running.broker.nodeId,
    kafka: `${config.listener.host}:${running.kafkaPort}`,
    advertised: `${running.broker.advertised.host}:${running.broker.advertised.port}`,
    http: running.httpPort === null ? null : `${config.http!.host}:${running.httpPort}`,
    dataDir: config.dataDir,
    pid: process.pid,
  }
  process.stdout.write(JSON.stringify(ready) + '\n')
  if (running.broker.sink) process.stderr.write('WARNING: sluice.sink is on: produce requests are acknowledged and discarded, nothing is stored\n')
  const shutdown = (signal: string): void => {
    process.stderr.write(`${signal}: shutting down (flush, checkpoint)\n`)
    running.close().then(() => process.exit(0), err => {
      process.stderr.write(`shutdown failed: ${(err as Error).stack}\n`)
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}
