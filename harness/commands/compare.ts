// `sluice compare <base> <candidate>`: repeated benchmark runs of two versions, compared
// metric by metric (medians with confidence intervals, Mann-Whitney U, a noise threshold),
// printed as Markdown, written to --markdown and appended to $GITHUB_STEP_SUMMARY when set.
//
// Each side is a results directory (searched recursively for result.json) or a list of
// result.json files; with lists, separate the sides with `vs`:
//   sluice compare results/base results/candidate
//   sluice compare a1.json a2.json vs b1.json b2.json
// Exit 0 when the gate passes, 1 on a significant regression beyond --fail-threshold, 2 on
// bad input (the message names the path), 3 when the gate could not have failed (too few
// runs for significance, runs of different workloads, --fail-threshold off), so a CI job
// that gates on the exit code is never told "passed" by a comparison that decided nothing.

import { appendFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Command } from 'commander'
import { CompareError, compareRuns, comparisonToMarkdown, runSummaryFromResult } from '../compare/index.ts'
import type { Comparison, RunSummary } from '../compare/index.ts'
import { findResultFiles, readResultFile } from '../results/read.ts'
import { ResultError } from '../results/result.ts'

interface CompareFlags {
  failThreshold: string
  noise: string
  alpha: string
  markdown?: string
  baseLabel?: string
  candidateLabel?: string
  json?: boolean
}

export interface LoadedRun {
  path: string
  summary: RunSummary
  workload: string | null
  startMs: number | null
  cpuModel: string | null
  /** The rate the run was driven at; null for a max-rate search or an older result. */
  targetRateMsgPerSec?: number | null
  /** How its load-generator threads were scheduled (precision.scheduling); null for an older result. */
  scheduling?: string | null
}

const SIDE_SEPARATOR = 'vs'
export const EXIT_GATE_UNDECIDED = 3

function badInput (message: string): never {
  throw new CompareError('ERR_COMPARE_INPUT', message)
}

/** "5%" -> 0.05, "0.05" -> 0.05; "off" (fail threshold only) -> Infinity. */
export function parseFraction (text: string, name: string, allowOff = false): number {
  const trimmed = text.trim().toLowerCase()
  if (allowOff && ['off', 'none', 'inf', 'infinity'].includes(trimmed)) return Infinity
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(trimmed)
  if (match === null) badInput(`--${name} must be a percentage like 5% or a fraction like 0.05${allowOff ? ', or off' : ''}; got ${JSON.stringify(text)}`)
  const value = Number(match[1])
  return match[2] === '%' ? value / 100 : value
}

function splitSides (paths: string[]): [string[], string[]] {
  const at = paths.indexOf(SIDE_SEPARATOR)
  if (at < 0) {
    if (paths.length !== 2) badInput(`give a base and a candidate (two paths), or lists of result files separated by "${SIDE_SEPARATOR}"; got ${paths.length} paths`)
    return [[paths[0]], [paths[1]]]
  }
  if (paths.indexOf(SIDE_SEPARATOR, at + 1) >= 0) badInput(`"${SIDE_SEPARATOR}" may appear only once`)
  const base = paths.slice(0, at)
  const candidate = paths.slice(at + 1)
  if (base.length === 0 || candidate.length === 0) badInput(`both sides of "${SIDE_SEPARATOR}" need at least one path`)
  return [base, candidate]
}

async function loadSide (paths: string[], side: string, warn: (line: string) => void): Promise<LoadedRun[]> {
  const runs: LoadedRun[] = []
  for (const path of await findResultFiles(paths)) {
    const result = await readResultFile(path)
    if (result.status === 'partial') {
      warn(`${side}: skipping ${path}: a partial result (${String(result.statusReason ?? 'no reason recorded')})`)
      continue
    }
    const summary = runSummaryFromResult(result)
    if (Object.keys(summary).length === 0) badInput(`${path}: no benchmark metrics in it (not a Sluice or OMB result?)`)
    const environment = result.environment as { cpuModel?: unknown } | undefined
    const scheduling = (result.precision as { scheduling?: unknown } | undefined)?.scheduling
    const start = typeof result.startTime === 'string' ? Date.parse(result.startTime) : NaN
    const target = (result.summary as { targetRateMsgPerSec?: unknown } | undefined)?.targetRateMsgPerSec
    runs.push({
      path,
      summary,
      workload: typeof result.workload === 'string' ? result.workload : null,
      startMs: Number.isFinite(start) ? start : null,
      cpuModel: typeof environment?.cpuModel === 'string' ? environment.cpuModel : null,
      targetRateMsgPerSec: typeof target === 'number' ? target : null,
      scheduling: typeof scheduling === 'string' ? scheduling : null,
    })
  }
  if (runs.length === 0) badInput(`${side}: no complete results in ${paths.join(', ')}`)
  return runs
}

/** Warnings about runs that should not be compared as they are. */
export function consistencyNotes (base: readonly LoadedRun[], candidate: readonly LoadedRun[]): string[] {
  const notes: string[] = []
  const distinct = (values: Array<string | null>): string[] => [...new Set(values.filter((v): v is string => v !== null))]
  const workloads = distinct([...base, ...candidate].map((run) => run.workload))
  if (workloads.length > 1) notes.push(`the runs are of different workloads (${workloads.join(', ')}).`)
  const cpus = distinct([...base, ...candidate].map((run) => run.cpuModel))
  if (cpus.length > 1) notes.push(`the runs were measured on different CPUs (${cpus.join('; ')}).`)
  // Results from before real-time scheduling (no record) ran under the default scheduler.
  const realtime = new Set([...base, ...candidate].map((run) => /SCHED_FIFO/.test(run.scheduling ?? '')))
  if (realtime.size > 1) {
    notes.push('some runs\' load generators ran real-time (SCHED_FIFO) and some did not, which moves publish delay and latency tails; compare runs scheduled alike (each report\'s precision section says how; bench --no-realtime keeps the default scheduler).')
  }
  const times = (runs: readonly LoadedRun[]): number[] => runs.map((run) => run.startMs).filter((t): t is number => t !== null)
  const baseTimes = times(base)
  const candidateTimes = times(candidate)
  if (baseTimes.length > 1 && candidateTimes.length > 1 &&
    (Math.max(...baseTimes) < Math.min(...candidateTimes) || Math.max(...candidateTimes) < Math.min(...baseTimes))) {
    notes.push('base and candidate ran in separate time windows; interleave their runs (base, candidate, base, ...) so machine drift does not pass for a change.')
  }
  return notes
}

/**
 * Why the runs of one side are not repeats of one configuration: they were driven at
 * different rates (a latency curve's steps, say), so merging them would average the steps.
 */
export function mixedRatesReason (base: readonly LoadedRun[], candidate: readonly LoadedRun[]): string | null {
  for (const [side, runs] of [['base', base], ['candidate', candidate]] as const) {
    const rates = [...new Set(runs.map(run => run.targetRateMsgPerSec ?? null))].filter((r): r is number => r !== null)
    if (rates.length > 1) {
      return `the ${side} runs were driven at ${rates.length} different rates (${rates.sort((a, b) => a - b).join(', ')} msg/s; a latency curve's steps?), so they are not repeats of one run; compare one step's run directory per side (curve.json names each step's runDir)`
    }
  }
  return null
}

function label (paths: string[], runs: readonly LoadedRun[], fallback: string): string {
  if (paths.length === 1) return basename(paths[0].replace(/[\\/]+$/, '')) || fallback
  return `${fallback} (${runs.length} runs)`
}

async function runCompare (paths: string[], flags: CompareFlags): Promise<number> {
  const failThreshold = parseFraction(flags.failThreshold, 'fail-threshold', true)
  const noiseThreshold = parseFraction(flags.noise, 'noise')
  const alpha = Number(flags.alpha)
  if (!(alpha > 0 && alpha < 1)) badInput(`--alpha must be a number between 0 and 1, got ${JSON.stringify(flags.alpha)}`)
  const warn = (line: string): void => { process.stderr.write(`sluice compare: ${line}\n`) }
  const [basePaths, candidatePaths] = splitSides(paths)
  const base = await loadSide(basePaths, 'base', warn)
  const candidate = await loadSide(candidatePaths, 'candidate', warn)
  const comparison = compareRuns(base.map((run) => run.summary), candidate.map((run) => run.summary), { alpha, noiseThreshold, failThreshold })
  comparison.notes.push(...consistencyNotes(base, candidate))
  const labels = {
    base: flags.baseLabel ?? label(basePaths, base, 'base'),
    candidate: flags.candidateLabel ?? label(candidatePaths, candidate, 'candidate'),
  }
  const workloads = new Set([...base, ...candidate].map((run) => run.workload).filter((w) => w !== null))
  if (workloads.size > 1) comparison.gateUndecidedReason = `the runs are of ${workloads.size} different workloads, so their differences say nothing about one change`
  const mixed = mixedRatesReason(base, candidate)
  if (mixed !== null) comparison.gateUndecidedReason = mixed
  const markdown = comparisonToMarkdown(comparison, labels)
  process.stdout.write(flags.json === true ? JSON.stringify(comparisonJson(comparison, labels), null, 2) + '\n' : markdown)
  if (flags.markdown !== undefined) await writeFile(flags.markdown, markdown)
  const summaryFile = process.env.GITHUB_STEP_SUMMARY
  if (summaryFile !== undefined && summaryFile !== '') await appendFile(summaryFile, markdown + '\n')
  return gateExitCode(comparison)
}

/** The comparison as data, for scripts: per metric medians, delta, p-value and verdict. */
export function comparisonJson (comparison: Comparison, labels: { base: string, candidate: string }): unknown {
  return {
    labels,
    gate: comparison.gateUndecidedReason !== null ? 'undecided' : comparison.gateFailed ? 'failed' : 'passed',
    gateUndecidedReason: comparison.gateUndecidedReason,
    exitCode: gateExitCode(comparison),
    geomeanDeltaFraction: comparison.geomean.deltaFraction,
    rows: comparison.rows.map(row => ({
      metric: row.metric.name,
      unit: row.metric.unit,
      direction: row.metric.direction,
      base: { median: row.base.median, n: row.base.n },
      candidate: { median: row.candidate.median, n: row.candidate.n },
      deltaFraction: row.deltaFraction,
      pValue: row.pValue,
      verdict: row.verdict,
      gateFailed: row.gateFailed,
    })),
    notes: comparison.notes,
    thresholds: comparison.thresholds,
  }
}

/** 0 passed, 1 failed, 3 undecided (the gate could not have failed): see the README. */
export function gateExitCode (comparison: { gateFailed: boolean, gateUndecidedReason: string | null }): number {
  if (comparison.gateUndecidedReason !== null) return EXIT_GATE_UNDECIDED
  return comparison.gateFailed ? 1 : 0
}

export function registerCompare (program: Command): void {
  program.command('compare')
    .description('compare repeated benchmark runs of a base and a candidate; exit 1 on a significant regression')
    .argument('<paths...>', `base and candidate: two results directories, or lists of result.json files separated by "${SIDE_SEPARATOR}"`)
    .option('--fail-threshold <percent>', 'fail on a significant regression larger than this ("off" to never fail)', '5%')
    .option('--noise <percent>', 'changes smaller than this are noise, whatever the p-value', '2%')
    .option('--alpha <p>', 'significance level of the Mann-Whitney U test', '0.05')
    .option('--markdown <file>', 'also write the Markdown comparison to this file')
    .option('--base-label <text>', 'column name for the base (default: the directory name)')
    .option('--candidate-label <text>', 'column name for the candidate (default: the directory name)')
    .option('--json', 'print the comparison as JSON instead of Markdown (--markdown still writes Markdown)')
    .action(async (paths: string[], flags: CompareFlags) => {
      try {
        process.exitCode = await runCompare(paths, flags)
      } catch (error) {
        if (!(error instanceof CompareError || error instanceof ResultError)) throw error
        process.stderr.write(`sluice compare: ${error.message}\n`)
        process.exitCode = 2
      }
    })
}
