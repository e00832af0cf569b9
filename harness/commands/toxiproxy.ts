// `sluice toxiproxy`: the embedded Toxiproxy-compatible server, standalone.

import type { Command } from 'commander'
import { startToxiproxyServer } from '../../chaos/toxiproxy/server.ts'

export function registerToxiproxy (program: Command): void {
  program.command('toxiproxy')
    .description('run the Toxiproxy-compatible proxy server (HTTP API like Shopify/toxiproxy)')
    .option('--host <host>', 'API listen address', '127.0.0.1')
    .option('--port <port>', 'API port', '8474')
    .action(async (flags: { host: string, port: string }) => {
      const server = await startToxiproxyServer({ host: flags.host, port: Number(flags.port), log: line => process.stderr.write(line + '\n') })
      process.stdout.write(JSON.stringify({ event: 'listening', url: server.url }) + '\n')
      const stop = (): void => { server.close().then(() => process.exit(0), () => process.exit(1)) }
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
}
