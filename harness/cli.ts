#!/usr/bin/env node
// The `sluice` command. Each subcommand lives in harness/commands/<name>.ts and registers
// itself on the program; this file only assembles them.

import './quiet-warnings.ts'
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerBench } from './commands/bench.ts'
import { registerBroker } from './commands/broker.ts'
import { registerChaos } from './commands/chaos.ts'
import { registerCheck } from './commands/check.ts'
import { registerCompare } from './commands/compare.ts'
import { registerList } from './commands/list.ts'
import { registerSoak } from './commands/soak.ts'
import { registerToxiproxy } from './commands/toxiproxy.ts'

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command()
  .name('sluice')
  .description('Kafka-protocol reference broker, benchmark harness and Jepsen-style chaos harness')
  .version(`sluice ${PACKAGE.version} (Node ${process.versions.node})`, '-V, --version')
  .showHelpAfterError()

registerBench(program)
registerBroker(program)
registerChaos(program)
registerCheck(program)
registerCompare(program)
registerList(program)
registerSoak(program)
registerToxiproxy(program)

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { code?: string }
  process.stderr.write(`sluice: ${e.message}\n`)
  if (process.env.SLUICE_DEBUG !== undefined) process.stderr.write(`${e.stack}\n`)
  process.exit(2)
})
