// Free ports for brokers, controllers and proxies whose addresses must be known before they
// start (a voter list, a proxy's upstream, a restart on the same port).
//
// Binding port 0 hands out a port from the kernel's ephemeral range, the same range every
// outgoing connection takes its local port from. A port reserved that way and later bound
// again (a broker restarted on its old port) can meanwhile be the local end of some client's
// connection, and the restart fails with EADDRINUSE. So ports are drawn at random from below
// the ephemeral range, where only explicit binds land, and each is checked by binding it.

import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'

const RANGE_LOW_DEFAULT = 20_000
const TRIES_PER_PORT_MAX = 200

/** [low, high) of the ports we draw from: from 20000 up to the start of the ephemeral range. */
export function reservableRange (): [number, number] {
  let ephemeralLow = 32_768
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && low > 1024) ephemeralLow = low!
  } catch { /* not Linux: the IANA ephemeral range starts at 49152, 32768 is below it too */ }
  const low = Math.min(RANGE_LOW_DEFAULT, Math.floor(ephemeralLow / 2))
  return [low, ephemeralLow]
}

/**
 * `count` distinct ports that were free a moment ago on 127.0.0.1. All are held open until
 * every one is known, so none is handed out twice.
 */
export async function reservePorts (count: number): Promise<number[]> {
  const [low, high] = reservableRange()
  const held: Server[] = []
  const ports: number[] = []
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > TRIES_PER_PORT_MAX * count) throw new Error(`no free port on 127.0.0.1 in ${low}..${high - 1} after ${tries} tries`)
      const port = low + Math.floor(Math.random() * (high - low))
      if (ports.includes(port)) continue
      const server = await tryListen(port)
      if (server === null) continue
      held.push(server)
      ports.push(port)
    }
    return ports
  } finally {
    await Promise.all(held.map(server => new Promise<void>(resolve => server.close(() => resolve()))))
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function reservePort (): Promise<number> {
  const [port] = await reservePorts(1)
  return port!
}

/** A server listening on `port`, or null when the port is taken. */
async function tryListen (port: number): Promise<Server | null> {
  const server = createServer()
  return await new Promise<Server | null>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(null)
      else reject(err)
    })
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server))
  })
}
