// `sluice results [dir]`: an index of the runs under a results directory, newest last: run
// id, bench or chaos, workload, status, and the headline (publish rate and end-to-end p99
// for a benchmark; the verdict and anomaly counts for a chaos run). `--json` for scripts.

import { dirname, relative } from 'node:path'
import type { Command } from 'commander'
import { formatValue } from '../compare/format.ts'
import { findResultFiles, readResultFile } from '../results/read.ts'
import { ResultError } from '../results/result.ts'

export interface RunIndexRow {
  run: string
  kind: 'bench' | 'chaos' | 'other'
  workload: string
  status: string
  headline: string
}

function str (value: unknown, fallback = '?'): string {
  return typeof value === 'string' ? value : fallback
}

function num (value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function chaosRow (result: Record<string, unknown>): Pick<RunIndexRow, 'status' | 'headline'> {
  const verdict = result.verdict as { valid?: unknown, anomalyCounts?: Record<string, number> } | null | undefined
  const counts = Object.entries(verdict?.anomalyCounts ?? {}).map(([name, count]) => `${name} ${count}`).join(', ')
  const valid = verdict?.valid
  const status = result.failure !== null && result.failure !== undefined
    ? 'failed'
    : valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown'
  const headline = status === 'failed' ? str(result.failure) : counts === '' ? '' : counts
  return { status, headline }
}

function benchRow (result: Record<string, unknown>): Pick<RunIndexRow, 'status' | 'headline'> {
  const summary = (result.summary ?? {}) as Record<string, unknown>
  const rate = num(summary.publishRateMsgPerSec)
  const p99 = num(summary.endToEndLatencyUsP99)
  const parts = [rate === null ? '' : `publish ${formatValue(rate, 'msg/s')}`, p99 === null ? '' : `e2e p99 ${formatValue(p99, 'us')}`]
  return { status: str(result.status), headline: parts.filter(p => p !== '').join(', ') }
}

export async function indexRuns (resultsDir: string): Promise<RunIndexRow[]> {
  const rows: RunIndexRow[] = []
  for (const file of await findResultFiles([resultsDir])) {
    const result = await readResultFile(file)
    const kind = result.format === 'sluice-chaos-result' ? 'chaos' : result.summary !== undefined ? 'bench' : 'other'
    const details = kind === 'chaos' ? chaosRow(result) : benchRow(result)
    rows.push({ run: relative(resultsDir, dirname(file)) || '.', kind, workload: str(result.workload), ...details })
  }
  return rows.sort((a, b) => a.run.localeCompare(b.run))
}

export function formatIndex (rows: readonly RunIndexRow[]): string {
  const width = Math.max(3, ...rows.map(row => row.run.length))
  const nameWidth = Math.max(8, ...rows.map(row => row.workload.length))
  const lines = [`${'run'.padEnd(width)}  kind   ${'workload'.padEnd(nameWidth)}  ${'status'.padEnd(10)}  headline`]
  for (const row of rows) lines.push(`${row.run.padEnd(width)}  ${row.kind.padEnd(5)}  ${row.workload.padEnd(nameWidth)}  ${row.status.padEnd(10)}  ${row.headline}`)
  return lines.join('\n') + '\n'
}

export function registerResults (program: Command): void {
  program.command('results')
    .description('list the runs under a results directory: workload, status, headline figures or verdict')
    .argument('[dir]', 'results directory', 'results')
    .option('--json', 'print the index as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      try {
        const rows = await indexRuns(dir)
        process.stdout.write(flags.json === true ? JSON.stringify(rows, null, 2) + '\n' : formatIndex(rows))
      } catch (error) {
        if (!(error instanceof ResultError)) throw error
        process.stderr.write(`sluice results: ${error.message}\n`)
        process.exitCode = 2
      }
    })
}
