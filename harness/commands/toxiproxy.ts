// `sluice toxiproxy`: the embedded Toxiproxy-compatible server, standalone.

import type { Command } from 'commander'
import { startToxiproxyServer } from '../../chaos/toxiproxy/server.ts'

export function registerToxiproxy (program: Command): void {
  program.command('toxiproxy')
    .description('run the Toxiproxy-compatible proxy server (HTTP API like Shopify/toxiproxy)')
    .option('--host <host>', 'API listen address', '127.0.0.1')
    .option('--port <port>', 'API port', '8474')
    .action(async (flags: { host: string, port: string }) => {
      const port = Number(flags.port)
      if (!/^\d+$/.test(flags.port) || port > 65_535) {
        process.stderr.write(`sluice toxiproxy: --port must be a port number from 0 to 65535 (0 picks a free one), got ${JSON.stringify(flags.port)}\n`)
        process.exit(2)
      }
      const server = await startToxiproxyServer({ host: flags.host, port, log: line => process.stderr.write(line + '\n') }).catch((error: unknown) => {
        const code = (error as { code?: string }).code
        if (code !== 'EADDRINUSE') throw error
        process.stderr.write(`sluice toxiproxy: ${flags.host}:${port} is already in use (a Toxiproxy or another program holds it): choose another with --port, or --port 0 for any free port\n`)
        process.exit(2)
      })
      process.stdout.write(JSON.stringify({ event: 'listening', url: server.url }) + '\n')
      const stop = (): void => { server.close().then(() => process.exit(0), () => process.exit(1)) }
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
}
