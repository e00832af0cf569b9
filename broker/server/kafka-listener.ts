// The Kafka TCP listener: accepts connections (bounded by max.connections) and hands
// each to a Connection.

import { createServer, type Server } from 'node:net'
import type { Broker } from './broker.ts'
import { Connection } from './connection.ts'
import type { HandlerRegistry } from './handler.ts'

export interface KafkaListener {
  port: number
  close (): Promise<void>
}

export async function listenKafka (broker: Broker, registry: HandlerRegistry, host: string, port: number): Promise<KafkaListener> {
  const connections = new Set<Connection>()
  const connectionsMax = broker.config.int('max.connections')
  const server: Server = createServer(socket => {
    if (connections.size >= connectionsMax) {
      broker.log(`refusing connection from ${socket.remoteAddress}: max.connections (${connectionsMax}) reached`)
      socket.destroy()
      return
    }
    broker.metrics.connectionsTotal++
    broker.metrics.connectionsOpen++
    const connection = new Connection(socket, {
      frameBytesMax: broker.config.int('socket.request.max.bytes'),
      inFlightMax: broker.config.int('queued.max.requests'),
      handlers: registry,
      metrics: broker.metrics,
      context: { broker },
      log: broker.log,
      onClose: c => {
        if (connections.delete(c)) broker.metrics.connectionsOpen--
      },
    })
    connections.add(connection)
  })
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
      server.close(() => resolve())
      for (const c of connections) c.close()
    }),
  }
}
