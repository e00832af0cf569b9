// `sluice chaos <workload>`: one Jepsen-style chaos run (harness/chaos/runner.ts). Writes
// results/<run-id>/ with history.jsonl, result.json, report.md and report.html, prints the
// verdict, and exits 0 when the history is valid, 1 when anomalies were found, 2 when the
// run itself failed (or its verdict is unknown), 130 when interrupted by Ctrl-C (result.json
// then has status "partial" and the verdict of the history so far).

import type { Command } from 'commander'
import { formatVerdict } from '../../chaos/check/format-verdict.ts'
import { runChaos } from '../chaos/runner.ts'
import { ExternalBackend } from '../cluster/external-backend.ts'
import type { ChaosRunOutcome } from '../chaos/runner.ts'
import { pointLatest } from '../results/run-dir.ts'
import { loadWorkload } from '../workload/load.ts'

const EXIT_GRACE_MS = 3000

const CHAOS_EXIT_HELP = `
Exit codes:
  0    valid: every checker ran over a complete run and found nothing
  1    anomalies found
  2    the run itself failed (setup, healing, final polls) or the verdict is unknown
  130  interrupted (Ctrl-C): result.json has status "partial"; a second Ctrl-C quits at once`

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

/** The headline says first whether the run itself completed, so no failed run reads as VALID. */
export function chaosSummary (outcome: ChaosRunOutcome): string {
  const { result, verdict } = outcome
  const lines: string[] = []
  if (result.status === 'partial') lines.push('INTERRUPTED: the run was stopped by Ctrl-C; the verdict below covers the history so far')
  else if (result.failure !== null) lines.push(`RUN FAILED: ${result.failure}`)
  lines.push(verdict === null ? 'no verdict: the history could not be checked' : formatVerdict(verdict))
  // The white-box checks' statuses, so a skipped or incomplete one is never silent.
  for (const check of result.whitebox?.checks ?? []) if (check.status !== 'ok') lines.push(`white-box ${check.name}: ${check.status}: ${check.detail}`)
  const passed = (result.whitebox?.checks ?? []).filter(c => c.status === 'ok').map(c => c.name)
  if (passed.length > 0) lines.push(`white-box checks passed: ${passed.join(', ')}`)
  lines.push(`results: ${outcome.runDir} (seed ${result.seed})`)
  return lines.join('\n')
}

/** Ctrl-C aborts the run gracefully once; a second Ctrl-C exits at once. */
function interruptOnSigint (log: (line: string) => void): AbortController {
  const controller = new AbortController()
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130)
    log('interrupted: stopping the load, checking the history so far and writing results (Ctrl-C again to quit at once)')
    // Clients abandoned mid-op may fail after the history is sealed; that is expected now.
    process.on('unhandledRejection', (reason) => { log(`after interruption: ${(reason as Error)?.message ?? String(reason)}`) })
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  return controller
}

interface ChaosFlags {
  seed?: number
  resultsDir: string
  toxiproxyUrl?: string
  backend?: string
  bootstrap?: string
  faultCommand?: string
  set: Record<string, string>
  quiet?: boolean
}

export function registerChaos (program: Command): void {
  program.command('chaos')
    .description('run a chaos workload: faults, a Jepsen-style history, and a verdict on it')
    .argument('<workload>', 'a workload file with a chaos block (see workloads/chaos/)')
    .option('--seed <n>', 'generator seed; the same seed replays the same op sequences', parseSeed)
    .option('--results-dir <dir>', 'parent directory of the run directory (as in sluice bench)', 'results')
    .option('--toxiproxy-url <url>', 'use a running Toxiproxy (e.g. http://127.0.0.1:8474) instead of the embedded one')
    .option('--backend <name>', 'where the brokers run: process, docker or kafka (Apache Kafka JVMs; same as --set backend=<name>)')
    .option('--bootstrap <host:port,...>', 'run against a cluster someone else runs (every broker\'s address): no proxies, so network faults are skipped; brokerConfig is not applied')
    .option('--fault-command <cmd>', 'with --bootstrap: shell command that applies kill, pause, resume and restart, told which by $SLUICE_FAULT, $SLUICE_BROKER_INDEX and $SLUICE_BROKER_ADDRESS')
    .option('--set <path=value>', 'override a workload field, e.g. --set testDurationSeconds=10 (repeatable)', collect, {})
    .option('--quiet', 'print only the verdict')
    .addHelpText('after', CHAOS_EXIT_HELP)
    .action(async (file: string, flags: ChaosFlags) => {
      if (flags.faultCommand !== undefined && flags.bootstrap === undefined) throw new Error('--fault-command applies to an external cluster: give its brokers with --bootstrap host:port,...')
      if (flags.bootstrap !== undefined && flags.backend !== undefined) throw new Error('--bootstrap names a cluster someone else runs; drop --backend')
      const workload = await loadWorkload(file, flags.backend === undefined ? flags.set : { ...flags.set, backend: flags.backend })
      const external = flags.bootstrap === undefined ? undefined : new ExternalBackend({ bootstrap: flags.bootstrap, ...(flags.faultCommand === undefined ? {} : { faultCommand: flags.faultCommand }) })
      const log = flags.quiet === true ? undefined : (line: string): void => { process.stderr.write(`${line}\n`) }
      const interrupt = interruptOnSigint(log ?? (() => {}))
      const outcome = await runChaos({
        workload,
        resultsDir: flags.resultsDir,
        signal: interrupt.signal,
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
        ...(flags.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: flags.toxiproxyUrl }),
        ...(external === undefined ? {} : { backend: external }),
        ...(log === undefined ? {} : { log }),
      })
      await pointLatest(flags.resultsDir, outcome.runDir)
      process.stdout.write(`${chaosSummary(outcome)}\n`)
      process.exitCode = outcome.exitCode
      // Client libraries abandoned mid-retry (ops that ended `info`) may still hold timers;
      // the run is over and its files are written, so they must not keep the command alive.
      setTimeout(() => process.exit(outcome.exitCode), EXIT_GRACE_MS).unref()
    })
}
