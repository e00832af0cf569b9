// Soak: runs one chaos workload N times, each run its own `sluice chaos` process with
// seed = base seed + run number, so nothing leaks from one run into the next and any run can
// be replayed alone. Two uses:
//   - a safe workload (`--expect valid`, the default): every run must be valid; a run that
//     reports anomalies is a false positive of the harness or a real broker bug;
//   - a seeded-failure workload (`--expect anomalies`): every run should catch it; the soak
//     prints the catch rate, the seeds of the runs that missed, and per caught run the time
//     from the fault to detection (detection.ts, read from result.json) with median and max.
// Runs that fail as runs (exit 2: setup, healing, final polls) are counted separately; their
// run directories are kept for a look. `sluice soak` (harness/commands/soak.ts) is the front.

import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { detectionStats, formatDetectionShort, signed } from './detection.ts'
import type { DelayStats, Detection } from './detection.ts'

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url))
export const SOAK_RUNS_MAX = 10_000
/** One chaos run takes well under this, even on a loaded machine. */
const RUN_TIMEOUT_MS = 10 * 60_000

export type SoakExpectation = 'valid' | 'anomalies'

export interface SoakOptions {
  runs: number
  workload: string
  resultsDir: string
  baseSeed: number
  sets: readonly string[]
  expect: SoakExpectation
  write: (line: string) => void
}

export interface SoakRun {
  run: number
  seed: number
  exitCode: number
  runDir: string | null
  verdict: string
  /** Time from fault to detection (detection.ts), from result.json; null when not timed. */
  detection: Detection | null
  seconds: number
}

export interface SoakSummary {
  runs: SoakRun[]
  /** Exit 1: anomalies found. A false positive when valid was expected, a catch otherwise. */
  anomalous: SoakRun[]
  /** Exit 0: valid. */
  valid: SoakRun[]
  /** Any other exit: the run itself failed. */
  failed: SoakRun[]
}

function runOnce (options: SoakOptions, seed: number): Promise<{ exitCode: number, stdout: string }> {
  const args = [CLI, 'chaos', options.workload, '--results-dir', options.resultsDir, '--seed', String(seed), '--quiet',
    ...options.sets.flatMap(set => ['--set', set])]
  return new Promise(resolveRun => {
    execFile(process.execPath, args, { timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : 2
      resolveRun({ exitCode, stdout: stdout + (exitCode === 2 ? stderr : '') })
    })
  })
}

async function newestRunDir (resultsDir: string, before: ReadonlySet<string>): Promise<string | null> {
  const entries = await readdir(resultsDir).catch(() => [] as string[])
  const fresh = entries.filter(name => !before.has(name) && name !== 'latest').sort()
  return fresh.length === 0 ? null : join(resultsDir, fresh[fresh.length - 1]!)
}

interface SavedResult {
  verdict: { valid: boolean | 'unknown', anomalyCounts: Record<string, number>, unknownReasons?: string[] } | null
  failure: string | null
  detection?: Detection | null
}

function verdictOf (result: SavedResult): string {
  const counts = Object.entries(result.verdict?.anomalyCounts ?? {}).map(([name, count]) => `${name} ${count}`).join(', ')
  if (counts !== '') return counts
  if (result.failure !== null) return `run failed: ${result.failure}`
  if (result.verdict === null) return 'no verdict'
  if (result.verdict.valid !== true) return `unknown: ${(result.verdict.unknownReasons ?? []).join('; ') || 'nothing could be checked'}`
  return 'valid'
}

/** The run's verdict in one line and its detection, from result.json, else what the command printed. */
async function readRun (runDir: string | null, stdout: string): Promise<{ verdict: string, detection: Detection | null }> {
  if (runDir !== null) {
    try {
      const result = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as SavedResult
      return { verdict: verdictOf(result), detection: result.detection ?? null }
    } catch {
      // Fall through to what the command printed.
    }
  }
  return { verdict: stdout.split('\n')[0] ?? '', detection: null }
}

function runLabel (exitCode: number, expect: SoakExpectation): string {
  if (exitCode === 0) return expect === 'valid' ? 'valid' : 'MISSED (valid)'
  if (exitCode === 1) return expect === 'valid' ? 'FALSE POSITIVE' : 'caught'
  return 'run failed'
}

export async function runSoak (options: SoakOptions): Promise<SoakSummary> {
  const resultsDir = resolve(options.resultsDir)
  const runs: SoakRun[] = []
  for (let run = 1; run <= options.runs; run++) {
    const seed = options.baseSeed + run
    const before = new Set(await readdir(resultsDir).catch(() => [] as string[]))
    const started = performance.now()
    const { exitCode, stdout } = await runOnce({ ...options, resultsDir }, seed)
    const runDir = await newestRunDir(resultsDir, before)
    const seconds = (performance.now() - started) / 1000
    const summary: SoakRun = { run, seed, exitCode, runDir, ...await readRun(runDir, stdout), seconds }
    runs.push(summary)
    options.write(`run ${run}/${options.runs} seed ${seed}: ${runLabel(exitCode, options.expect)} (${summary.verdict}) in ${summary.seconds.toFixed(1)} s` +
      `${runDir === null ? '' : ` -> ${runDir}`}`)
    if (exitCode === 1 && summary.detection !== null) options.write(`  ${formatDetectionShort(summary.detection)}`)
  }
  return {
    runs,
    anomalous: runs.filter(r => r.exitCode === 1),
    valid: runs.filter(r => r.exitCode === 0),
    failed: runs.filter(r => r.exitCode !== 0 && r.exitCode !== 1),
  }
}

function delays (stats: DelayStats | null): string {
  return stats === null ? 'n/a' : `median ${signed(stats.median)}, max ${signed(stats.max)}`
}

/** Median and max of both delays over the caught runs, and how many runs they leave out. */
export function detectionSummary (caught: readonly SoakRun[]): string[] {
  if (caught.length === 0) return []
  const detections = caught.flatMap(s => s.detection === null ? [] : [s.detection])
  const stats = detectionStats(detections)
  const left = [
    stats.beforeFirstFault > 0 ? `${stats.beforeFirstFault} anomalous before the first fault` : '',
    caught.length > detections.length ? `${caught.length - detections.length} not timed` : '',
  ].filter(text => text !== '')
  return [`  time from fault over ${stats.timed} caught run(s)${left.length === 0 ? '' : ` (left out: ${left.join(', ')})`}: ` +
    `first anomalous op ${delays(stats.anomalousOp)}; evidence ${delays(stats.evidence)}`]
}

/** The closing lines, and the exit code: 1 when the soak found what it must not. */
export function soakReport (options: SoakOptions, summary: SoakSummary): { lines: string[], exitCode: number } {
  const n = summary.runs.length
  const lines: string[] = ['']
  if (options.expect === 'valid') {
    lines.push(`${options.workload}: ${n} run(s), ${summary.valid.length} valid, ${summary.anomalous.length} false positive(s), ${summary.failed.length} failed run(s)`)
    for (const s of summary.anomalous) lines.push(`  false positive: seed ${s.seed}: ${s.verdict} (${s.runDir ?? 'no run dir'})`)
  } else {
    const judged = summary.anomalous.length + summary.valid.length
    const rate = judged === 0 ? 'n/a' : `${(100 * summary.anomalous.length / judged).toFixed(0)}%`
    lines.push(`${options.workload}: ${n} run(s), caught in ${summary.anomalous.length}, missed in ${summary.valid.length} (catch rate ${rate}), ${summary.failed.length} failed run(s)`)
    for (const s of summary.anomalous) {
      lines.push(`  caught: seed ${s.seed}: ${s.verdict} in ${s.seconds.toFixed(1)} s`)
      lines.push(`    ${s.detection === null ? 'detection not timed (no case cites a history op)' : formatDetectionShort(s.detection)}`)
    }
    lines.push(...detectionSummary(summary.anomalous))
    for (const s of summary.valid) lines.push(`  missed: seed ${s.seed} (${s.runDir ?? 'no run dir'})`)
  }
  for (const s of summary.failed) lines.push(`  failed run: seed ${s.seed}: ${s.verdict}`)
  const bad = options.expect === 'valid' ? summary.anomalous.length > 0 : summary.valid.length > 0
  return { lines, exitCode: bad ? 1 : summary.failed.length > 0 && summary.failed.length === n ? 2 : 0 }
}
