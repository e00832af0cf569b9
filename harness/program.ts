// The `sluice` program: every subcommand registered on one commander Command. cli.ts parses
// the process's arguments with it; tests build it to check that the README's commands parse.

import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerBench } from './commands/bench.ts'
import { registerBroker } from './commands/broker.ts'
import { registerChaos } from './commands/chaos.ts'
import { registerCheck } from './commands/check.ts'
import { registerCompare } from './commands/compare.ts'
import { registerList } from './commands/list.ts'
import { registerResults } from './commands/results.ts'
import { registerSoak } from './commands/soak.ts'
import { registerToxiproxy } from './commands/toxiproxy.ts'

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export function buildProgram (): Command {
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
  registerResults(program)
  registerSoak(program)
  registerToxiproxy(program)
  return program
}
