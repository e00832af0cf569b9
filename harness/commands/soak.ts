// `sluice soak <workload.yaml>`: one chaos workload run N times in separate processes
// (chaos/soak.ts). Exit 0 when every run did what was expected (valid for a safe workload,
// anomalies for a seeded failure), 1 when any did not, 2 on bad input or when no run ran.

import type { Command } from 'commander'
import { runSoak, soakReport, SOAK_RUNS_MAX, type SoakExpectation } from '../chaos/soak.ts'

interface SoakFlags {
  runs: string
  resultsDir: string
  seed: string
  set: string[]
  expect: string
}

function fail (message: string): never {
  process.stderr.write(`sluice soak: ${message}\n`)
  process.exit(2)
}

export function registerSoak (program: Command): void {
  program.command('soak')
    .description('run one chaos workload N times: false positives of a safe workload, or the catch rate of a seeded failure')
    .argument('[workload]', 'chaos workload file', 'workloads/chaos/safe.yaml')
    .option('--runs <n>', 'how many runs', '10')
    .option('--expect <valid|anomalies>', 'what every run should give: valid (safe workloads) or anomalies (seeded failures)', 'valid')
    .option('--results-dir <dir>', 'where the run directories go', 'results/soak')
    .option('--seed <n>', 'base seed: run i uses seed + i', '1000')
    .option('--set <field=value>', 'override a workload field in every run (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .action(async (workload: string, flags: SoakFlags) => {
      const runs = Number(flags.runs)
      if (!Number.isInteger(runs) || runs < 1 || runs > SOAK_RUNS_MAX) fail(`--runs must be an integer from 1 to ${SOAK_RUNS_MAX}, got ${JSON.stringify(flags.runs)}`)
      const baseSeed = Number(flags.seed)
      if (!Number.isSafeInteger(baseSeed) || baseSeed < 0 || baseSeed + runs > 0xffffffff) fail(`--seed must be a non-negative integer, got ${JSON.stringify(flags.seed)}`)
      if (flags.expect !== 'valid' && flags.expect !== 'anomalies') fail(`--expect must be valid or anomalies, got ${JSON.stringify(flags.expect)}`)
      const options = {
        runs, workload, resultsDir: flags.resultsDir, baseSeed, sets: flags.set, expect: flags.expect as SoakExpectation,
        write: (line: string) => { process.stdout.write(line + '\n') },
      }
      const summary = await runSoak(options)
      const { lines, exitCode } = soakReport(options, summary)
      process.stdout.write(lines.join('\n') + '\n')
      process.exitCode = exitCode
    })
}
