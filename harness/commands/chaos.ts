// `sluice chaos <workload>`: one Jepsen-style chaos run (harness/chaos/runner.ts). Writes
// results/<run-id>/ with history.jsonl, result.json, report.md and report.html, prints the
// verdict, and exits 0 when the history is valid, 1 when anomalies were found, 2 when the
// run itself failed (or its verdict is unknown).

import type { Command } from 'commander'
import { formatVerdict } from '../check/format-verdict.ts'
import { runChaos } from '../chaos/runner.ts'
import { createBackend } from '../cluster/index.ts'
import { loadWorkload } from '../workload/load.ts'

const EXIT_GRACE_MS = 3000
/** Backends that start brokers the nemesis can fault. */
const CHAOS_BACKENDS = ['process', 'kafka']

function parseSeed (text: string): number {
  const seed = Number(text)
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer from 0 to 4294967295 (got "${text}")`)
  return seed
}

function collect (pair: string, previous: Record<string, string>): Record<string, string> {
  const at = pair.indexOf('=')
  if (at <= 0) throw new Error(`--set wants path=value (got "${pair}")`)
  return { ...previous, [pair.slice(0, at)]: pair.slice(at + 1) }
}

export function registerChaos (program: Command): void {
  program.command('chaos')
    .description('run a chaos workload: faults, a Jepsen-style history, and a verdict on it')
    .argument('<workload>', 'a workload file with a chaos block (see workloads/chaos/)')
    .option('--seed <n>', 'generator seed; the same seed replays the same op sequences', parseSeed)
    .option('--results-dir <dir>', 'parent directory of the run directory (as in sluice bench)', 'results')
    .option('--toxiproxy-url <url>', 'use a running Toxiproxy (e.g. http://127.0.0.1:8474) instead of the embedded one')
    .option('--backend <name>', 'where the brokers come from: process (reference brokers, default) or kafka (Apache Kafka JVMs, see README)', 'process')
    .option('--set <path=value>', 'override a workload field, e.g. --set testDurationSeconds=10 (repeatable)', collect, {})
    .option('--quiet', 'print only the verdict')
    .action(async (file: string, flags: { seed?: number, resultsDir: string, toxiproxyUrl?: string, backend: string, set: Record<string, string>, quiet?: boolean }) => {
      if (!CHAOS_BACKENDS.includes(flags.backend)) throw new Error(`--backend must be one of ${CHAOS_BACKENDS.join(', ')} (got "${flags.backend}"): chaos runs start their own brokers`)
      const workload = await loadWorkload(file, flags.set)
      const log = flags.quiet === true ? undefined : (line: string): void => { process.stderr.write(`${line}\n`) }
      const outcome = await runChaos({
        workload,
        resultsDir: flags.resultsDir,
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
        ...(flags.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: flags.toxiproxyUrl }),
        backend: createBackend(flags.backend),
        ...(log === undefined ? {} : { log }),
      })
      const lines = [outcome.verdict === null ? 'no verdict' : formatVerdict(outcome.verdict)]
      if (outcome.result.failure !== null) lines.push(`run failed: ${outcome.result.failure}`)
      lines.push(`results: ${outcome.runDir} (seed ${outcome.result.seed})`)
      process.stdout.write(`${lines.join('\n')}\n`)
      process.exitCode = outcome.exitCode
      // Client libraries abandoned mid-retry (ops that ended `info`) may still hold timers;
      // the run is over and its files are written, so they must not keep the command alive.
      setTimeout(() => process.exit(outcome.exitCode), EXIT_GRACE_MS).unref()
    })
}
