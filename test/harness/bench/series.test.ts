// `sluice bench --repeat N` with a candidate: base and candidate runs interleave, land in
// results/<series>/base and .../candidate, and the comparison gates on regressions.
//
// The regression is made unambiguous rather than hoped for: the candidate asks its
// producers for half the base's rate, so its publish and consume rates are half the
// base's on any machine. With 3 runs a side the smallest two-sided p-value of the
// Mann-Whitney U test is 0.1, so the test passes --alpha 0.2 (with the default 0.05 no
// difference could ever be significant at n=3, and the comparison says so in its notes).
// The no-change case runs the same configuration on both sides at the default alpha.
// Runs share one broker through --bootstrap to keep the test short.

import { readFileSync, rmSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { readResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-series-'))
let broker: BrokerProcess

beforeAll(async () => { broker = await startBrokerProcess({ httpPort: 'none' }) })
afterAll(async () => {
  await broker?.stop()
  rmSync(resultsDir, { recursive: true, force: true })
  rmSync(broker?.dataDir ?? '', { recursive: true, force: true })
})

function common (dir: string): string[] {
  return ['workloads/smoke.yaml', '--driver', 'native', '--bootstrap', broker.bootstrap, '--duration', '2s', '--warmup', '1s',
    '--set', 'producerRate=2000', '--results-dir', dir, '--no-progress']
}

/** Side of each run in the order the runs started. */
function sidesInStartOrder (dir: string): string[] {
  return runDirsUnder(dir)
    .map(path => ({ side: relative(dir, path).split(sep)[1]!, start: Date.parse(readResult(path).startTime) }))
    .sort((a, b) => a.start - b.start)
    .map(run => run.side)
}

describe('sluice bench --repeat with a candidate', () => {
  it('interleaves the runs, reports a halved rate as a regression and exits 1', async () => {
    const dir = join(resultsDir, 'slower')
    const run = await runBenchCli([...common(dir), '--repeat', '3', '--candidate-set', 'producerRate=1000', '--alpha', '0.2'])
    expect(run.code, run.stderr).toBe(1)
    expect(sidesInStartOrder(dir)).toEqual(['base', 'candidate', 'base', 'candidate', 'base', 'candidate'])
    for (const path of runDirsUnder(dir)) expect(readResult(path).status).toBe('complete')
    expect(run.stdout).toMatch(/\| publish rate ↑ \|[^\n]*\*\*-\d+(\.\d+)?%\*\* \(worse\)/)
    expect(run.stdout).toContain('Gate failed')
    const [seriesDir] = runDirsUnder(dir).map(path => join(dir, relative(dir, path).split(sep)[0]!))
    expect(readFileSync(join(seriesDir!, 'comparison.md'), 'utf8')).toContain('Gate failed')
    expect(run.stderr).toContain(`comparison written to ${join(seriesDir!, 'comparison.md')}`)
  }, 120_000)

  it('finds no significant change between two runs of the same configuration, and says two runs a side cannot decide the gate (exit 3)', async () => {
    const dir = join(resultsDir, 'same')
    const run = await runBenchCli([...common(dir), '--repeat', '2', '--candidate-set', 'producerRate=2000', '--json'])
    expect(run.code, run.stderr).toBe(3)
    const output = JSON.parse(run.stdout) as { runs: Array<{ side: string, status: string }>, comparison: { gateFailed: boolean, gateUndecidedReason: string | null, rows: Array<{ metric: string, verdict: string, deltaFraction: number }> } }
    expect(output.runs.map(r => r.side)).toEqual(['base', 'candidate', 'base', 'candidate'])
    expect(output.comparison.gateFailed).toBe(false)
    expect(output.comparison.gateUndecidedReason).toMatch(/with 2 base and 2 candidate runs no difference can be significant/)
    for (const row of output.comparison.rows) expect(row.verdict, row.metric).toBe('~')
    // Same rate asked on both sides: the achieved rates agree closely.
    const publish = output.comparison.rows.find(row => row.metric === 'publishRateMsgPerSec')!
    expect(Math.abs(publish.deltaFraction)).toBeLessThan(0.05)
  }, 120_000)
})
