// Soak: runs the safe chaos workload N times and counts false positives. The safe
// configuration must be valid on every run; a run that reports anomalies (exit 1) is a false
// positive of the harness or a real broker bug, and its run directory is kept for a look.
// Runs that fail as runs (exit 2: setup, healing, final polls) are counted separately.
//
//   node chaos/soak.ts --runs 10 [--workload workloads/chaos/safe.yaml] [--results results/soak]
//        [--seed 1000] [--set path=value ...]
//
// Each run is its own `sluice chaos` process, so nothing leaks from one run into the next,
// with seed = base seed + run number, so any run can be replayed alone. Exit code: 0 when no
// run reported anomalies, 1 when any did, 2 when the soak could not run.

import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../harness/cli.ts', import.meta.url))
const RUNS_MAX = 10_000
/** One chaos run of the safe workload takes well under this, even on a loaded machine. */
const RUN_TIMEOUT_MS = 10 * 60_000

interface RunSummary {
  run: number
  seed: number
  exitCode: number
  runDir: string | null
  verdict: string
  seconds: number
}

function usage (message: string): never {
  process.stderr.write(`soak: ${message}\nusage: node chaos/soak.ts --runs N [--workload file] [--results dir] [--seed n] [--set path=value]\n`)
  process.exit(2)
}

function runOnce (workload: string, resultsDir: string, seed: number, sets: readonly string[]): Promise<{ exitCode: number, stdout: string }> {
  const args = [CLI, 'chaos', workload, '--results-dir', resultsDir, '--seed', String(seed), '--quiet', ...sets.flatMap(set => ['--set', set])]
  return new Promise(resolveRun => {
    execFile(process.execPath, args, { timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : 2
      resolveRun({ exitCode, stdout: stdout + (exitCode === 2 ? stderr : '') })
    })
  })
}

async function newestRunDir (resultsDir: string, before: ReadonlySet<string>): Promise<string | null> {
  const entries = await readdir(resultsDir).catch(() => [] as string[])
  const fresh = entries.filter(name => !before.has(name)).sort()
  return fresh.length === 0 ? null : join(resultsDir, fresh[fresh.length - 1]!)
}

async function verdictLine (runDir: string | null, stdout: string): Promise<string> {
  if (runDir !== null) {
    try {
      const result = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as { verdict: { anomalyCounts: Record<string, number> } | null, failure: string | null }
      const counts = Object.entries(result.verdict?.anomalyCounts ?? {}).map(([name, count]) => `${name} ${count}`).join(', ')
      if (counts !== '') return counts
      if (result.failure !== null) return `run failed: ${result.failure}`
      return 'valid'
    } catch {
      // Fall through to what the command printed.
    }
  }
  return stdout.split('\n')[0] ?? ''
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      workload: { type: 'string', default: 'workloads/chaos/safe.yaml' },
      results: { type: 'string', default: 'results/soak' },
      seed: { type: 'string', default: '1000' },
      set: { type: 'string', multiple: true, default: [] },
    },
  })
  const runs = Number(values.runs)
  if (values.runs === undefined || !Number.isInteger(runs) || runs < 1 || runs > RUNS_MAX) usage(`--runs must be an integer from 1 to ${RUNS_MAX}`)
  const baseSeed = Number(values.seed)
  if (!Number.isSafeInteger(baseSeed) || baseSeed < 0 || baseSeed + runs > 0xffffffff) usage('--seed must be a non-negative integer')
  const resultsDir = resolve(values.results)
  const summaries: RunSummary[] = []
  for (let run = 1; run <= runs; run++) {
    const seed = baseSeed + run
    const before = new Set(await readdir(resultsDir).catch(() => [] as string[]))
    const started = performance.now()
    const { exitCode, stdout } = await runOnce(values.workload, resultsDir, seed, values.set)
    const runDir = await newestRunDir(resultsDir, before)
    const summary: RunSummary = { run, seed, exitCode, runDir, verdict: await verdictLine(runDir, stdout), seconds: (performance.now() - started) / 1000 }
    summaries.push(summary)
    const label = exitCode === 0 ? 'valid' : exitCode === 1 ? 'FALSE POSITIVE' : 'run failed'
    process.stdout.write(`run ${run}/${runs} seed ${seed}: ${label} (${summary.verdict}) in ${summary.seconds.toFixed(1)} s${runDir === null ? '' : ` -> ${runDir}`}\n`)
  }
  const falsePositives = summaries.filter(s => s.exitCode === 1)
  const failed = summaries.filter(s => s.exitCode !== 0 && s.exitCode !== 1)
  process.stdout.write(`\n${values.workload}: ${runs} run(s), ${runs - falsePositives.length - failed.length} valid, ` +
    `${falsePositives.length} false positive(s), ${failed.length} failed run(s)\n`)
  for (const s of falsePositives) process.stdout.write(`  false positive: seed ${s.seed}: ${s.verdict} (${s.runDir ?? 'no run dir'})\n`)
  for (const s of failed) process.stdout.write(`  failed run: seed ${s.seed}: ${s.verdict}\n`)
  process.exitCode = falsePositives.length > 0 ? 1 : 0
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${(error as Error).message}\n`)
  process.exit(2)
})
