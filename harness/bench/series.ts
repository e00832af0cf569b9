// Repeated runs, and base-versus-candidate comparisons, as `sluice bench --repeat N
// --candidate ...` runs them. Base and candidate runs are interleaved (b c b c ...), as
// benchstat advises, so drift of the machine over time (thermal state, page cache, a noisy
// neighbour) falls on both sides alike instead of passing for a change.
//
// Layout: one run writes results/<run-id>/. A series writes results/<series-id>/ holding
// either the runs (repeat only) or base/<run-id>/ and candidate/<run-id>/ plus
// comparison.md. The comparison is the engine of `sluice compare` (harness/compare) on
// the runs just made, with the same thresholds and the same consistency warnings.

import { join } from 'node:path'
import { compareRuns, comparisonToMarkdown, runSummaryFromResult } from '../compare/index.ts'
import type { Comparison } from '../compare/index.ts'
import { consistencyNotes, type LoadedRun } from '../commands/compare.ts'
import { makeRunId, writeFileAtomic } from '../results/run-dir.ts'
import type { Workload } from '../workload/types.ts'
import { runBench, type BenchRunOptions, type BenchRunOutcome } from './runner.ts'

export const REPEAT_MAX = 100

export type Side = 'base' | 'candidate'

export interface SeriesRun {
  side: Side
  /** 1-based position in its side. */
  index: number
  outcome: BenchRunOutcome
}

export interface SeriesOptions {
  base: Workload
  candidate: Workload | null
  repeat: number
  resultsDir: string
  /** Options shared by every run (cluster, seed, progress, signal, log). */
  run: Omit<BenchRunOptions, 'workload' | 'resultsDir'>
  /** The candidate's cluster when it differs from the base's (e.g. Apache Kafka vs the reference broker). */
  candidateCluster?: BenchRunOptions['cluster']
  compare: { alpha: number, noiseThreshold: number, failThreshold: number }
  labels?: { base: string, candidate: string }
  /** Called after each run, e.g. to print a one-line summary. */
  onRun?: (run: SeriesRun, position: number, total: number) => void
}

export interface SeriesOutcome {
  runs: SeriesRun[]
  /** results/<series-id>/, or null for a single run. */
  seriesDir: string | null
  comparison: Comparison | null
  markdown: string | null
  markdownFile: string | null
  /** The run that stopped the series early (partial), if any. */
  stoppedBy: SeriesRun | null
}

export async function runSeries (options: SeriesOptions): Promise<SeriesOutcome> {
  const { base, candidate, repeat } = options
  if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= REPEAT_MAX)) throw new Error(`programmer error: repeat ${repeat}`)
  const single = repeat === 1 && candidate === null
  const seriesDir = single ? null : join(options.resultsDir, makeRunId(`${base.name}-${candidate === null ? 'repeat' : 'compare'}`))
  const dirOf = (side: Side): string => seriesDir === null ? options.resultsDir : candidate === null ? seriesDir : join(seriesDir, side)
  const plan: Array<{ side: Side, workload: Workload, index: number }> = []
  for (let i = 1; i <= repeat; i++) {
    plan.push({ side: 'base', workload: base, index: i })
    if (candidate !== null) plan.push({ side: 'candidate', workload: candidate, index: i })
  }
  const runs: SeriesRun[] = []
  for (const [position, step] of plan.entries()) {
    const cluster = step.side === 'candidate' && options.candidateCluster !== undefined ? options.candidateCluster : options.run.cluster
    const outcome = await runBench({ ...options.run, cluster, workload: step.workload, resultsDir: dirOf(step.side) })
    const run: SeriesRun = { side: step.side, index: step.index, outcome }
    runs.push(run)
    options.onRun?.(run, position + 1, plan.length)
    if (outcome.status === 'partial') return { runs, seriesDir, comparison: null, markdown: null, markdownFile: null, stoppedBy: run }
  }
  if (candidate === null || seriesDir === null) return { runs, seriesDir, comparison: null, markdown: null, markdownFile: null, stoppedBy: null }
  const loaded = (side: Side): LoadedRun[] => runs.filter(run => run.side === side).map(run => ({
    path: run.outcome.files.resultJson,
    summary: runSummaryFromResult(run.outcome.result),
    workload: run.outcome.result.workload,
    startMs: Date.parse(run.outcome.result.startTime),
    cpuModel: run.outcome.result.environment.cpuModel,
    scheduling: run.outcome.result.precision?.scheduling ?? null,
  }))
  const baseRuns = loaded('base')
  const candidateRuns = loaded('candidate')
  const comparison = compareRuns(baseRuns.map(run => run.summary), candidateRuns.map(run => run.summary), options.compare)
  comparison.notes.push(...consistencyNotes(baseRuns, candidateRuns))
  const markdown = comparisonToMarkdown(comparison, options.labels ?? { base: 'base', candidate: 'candidate' })
  const markdownFile = join(seriesDir, 'comparison.md')
  await writeFileAtomic(markdownFile, markdown)
  return { runs, seriesDir, comparison, markdown, markdownFile, stoppedBy: null }
}
