import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consistencyNotes, mixedRatesReason, parseFraction } from '../../../harness/commands/compare.ts'
import { CompareError } from '../../../harness/compare/errors.ts'
import { resultToJson } from '../../../harness/results/result.ts'
import { syntheticResult } from '../results/synthetic.ts'
import type { SyntheticOptions } from '../results/synthetic.ts'

const CLI = resolve(import.meta.dirname, '../../../harness/cli.ts')
const RUN_TIMEOUT_MS = 60_000

interface Outcome { code: number, stdout: string, stderr: string }

function sluice (args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env }, timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      done({ code, stdout, stderr })
    })
  })
}

let dir: string

async function writeRuns (side: string, seeds: number[], options: SyntheticOptions = {}): Promise<string> {
  const sideDir = join(dir, side)
  for (const seed of seeds) {
    const result = syntheticResult({ ratePerSec: 800, warmupSec: 2, measureSec: 8, noise: 0.01, ...options, seed })
    const runDir = join(sideDir, `run-${String(seed).padStart(2, '0')}`)
    await mkdir(runDir, { recursive: true })
    await writeFile(join(runDir, 'result.json'), resultToJson(result))
  }
  return sideDir
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-compare-'))
  await writeRuns('base', [1, 2, 3, 4, 5])
  await writeRuns('same', [6, 7, 8, 9, 10])
  await writeRuns('slower', [11, 12, 13, 14, 15], { slowdown: 1.2 })
  await writeRuns('two', [21, 22])
  await writeRuns('two-slower', [23, 24], { slowdown: 1.5 })
  await writeRuns('other-workload', [31, 32, 33, 34, 35], { name: 'another', slowdown: 1.2 })
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sluice compare', () => {
  it('finds no significant change between two sets of runs of the same configuration (exit 0)', async () => {
    const out = await sluice(['compare', join(dir, 'base'), join(dir, 'same')])
    expect(out.stderr).toBe('')
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('### Sluice compare: base → same')
    const rows = out.stdout.split('\n').filter((line) => /^\| (publish|consume|end-to-end)/.test(line))
    expect(rows).toHaveLength(6)
    for (const row of rows) expect(row.split('|')[4].trim()).toBe('~')
    expect(out.stdout).toContain('(n=5)')
    expect(out.stdout).toContain('✅ **Gate passed**')
  })

  it('flags a candidate 20% slower over 5 runs each as a regression (exit 1)', async () => {
    const out = await sluice(['compare', join(dir, 'base'), join(dir, 'slower'), '--base-label', 'main', '--candidate-label', 'pr-42'])
    expect(out.code).toBe(1)
    expect(out.stdout).toContain('### Sluice compare: main → pr-42')
    const publish = out.stdout.split('\n').find((line) => line.startsWith('| publish rate ↑'))!
    expect(publish).toMatch(/\*\*-1[67]\.\d%\*\* \(worse\)/)
    const latency = out.stdout.split('\n').find((line) => line.startsWith('| publish latency p50 ↓'))!
    expect(latency).toMatch(/\*\*\+(19|20|21)\.\d%\*\* \(worse\)/)
    expect(out.stdout).toContain('❌ **Gate failed**')
  })

  it('passes the same regression when the threshold allows it, and with the gate off', async () => {
    expect((await sluice(['compare', join(dir, 'base'), join(dir, 'slower'), '--fail-threshold', '40%'])).code).toBe(0)
    const off = await sluice(['compare', join(dir, 'base'), join(dir, 'slower'), '--fail-threshold', 'off'])
    // A gate that is off decides nothing: exit 3, never a "passed" a CI job could trust.
    expect(off.code).toBe(3)
    expect(off.stdout).toContain('⚠️ **Gate undecided**: it could not have failed: the fail threshold is off.')
  })

  it('takes lists of result files separated by "vs", writes --markdown and appends to the job summary', async () => {
    const base = [1, 2, 3, 4, 5].map((seed) => join(dir, 'base', `run-0${seed}`, 'result.json'))
    const candidate = [11, 12, 13, 14, 15].map((seed) => join(dir, 'slower', `run-${seed}`, 'result.json'))
    const markdown = join(dir, 'out.md')
    const summary = join(dir, 'step-summary.md')
    await writeFile(summary, '# earlier step\n')
    const out = await sluice(['compare', ...base, 'vs', ...candidate, '--markdown', markdown], { GITHUB_STEP_SUMMARY: summary })
    expect(out.code).toBe(1)
    expect(out.stdout).toContain('| metric | base (5 runs) | candidate (5 runs) |')
    expect(await readFile(markdown, 'utf8')).toBe(out.stdout)
    expect(await readFile(summary, 'utf8')).toBe(`# earlier step\n${out.stdout}\n`)
  })

  it('exits 2 and names the path on bad input', async () => {
    const missing = await sluice(['compare', join(dir, 'base'), join(dir, 'nowhere')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`${join(dir, 'nowhere')}: no such file or directory`)
    const broken = join(dir, 'broken', 'run-1')
    await mkdir(broken, { recursive: true })
    await writeFile(join(broken, 'result.json'), '{"publishRate": [1, 2,')
    const notJson = await sluice(['compare', join(dir, 'base'), join(dir, 'broken')])
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toContain(`${join(broken, 'result.json')}: not JSON`)
    await writeFile(join(broken, 'result.json'), '{"hello": "world"}')
    const notResult = await sluice(['compare', join(dir, 'base'), join(dir, 'broken')])
    expect(notResult.code).toBe(2)
    expect(notResult.stderr).toContain(`${join(broken, 'result.json')}: no benchmark metrics in it`)
    const threePaths = await sluice(['compare', join(dir, 'base'), join(dir, 'same'), join(dir, 'slower')])
    expect(threePaths.code).toBe(2)
    expect(threePaths.stderr).toContain('separated by "vs"')
    const badThreshold = await sluice(['compare', join(dir, 'base'), join(dir, 'same'), '--fail-threshold', 'lots'])
    expect(badThreshold.code).toBe(2)
    expect(badThreshold.stderr).toContain('--fail-threshold must be a percentage')
  })

  it('skips partial results with a warning, and fails when nothing complete is left', async () => {
    const partialDir = join(dir, 'partial', 'run-1')
    await mkdir(partialDir, { recursive: true })
    await writeFile(join(partialDir, 'result.json'), resultToJson(syntheticResult({ seed: 3, measureSec: 3, warmupSec: 1, status: 'partial', statusReason: 'broker died' })))
    const out = await sluice(['compare', join(dir, 'base'), join(dir, 'partial')])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('skipping')
    expect(out.stderr).toContain('broker died')
    expect(out.stderr).toContain('candidate: no complete results')
  })
})

describe('compare helpers', () => {
  it('reads thresholds as percentages or fractions', () => {
    expect(parseFraction('5%', 'x')).toBe(0.05)
    expect(parseFraction('0.05', 'x')).toBe(0.05)
    expect(parseFraction('off', 'x', true)).toBe(Infinity)
    expect(() => parseFraction('off', 'x')).toThrow(CompareError)
    expect(() => parseFraction('-5%', 'x')).toThrow(CompareError)
  })

  it('warns when sides ran in separate time windows, on different CPUs or workloads', () => {
    const run = (startMs: number, workload = 'smoke', cpuModel = 'cpu A') => ({ path: 'p', summary: {}, workload, startMs, cpuModel })
    expect(consistencyNotes([run(1), run(3)], [run(2), run(4)])).toEqual([])
    const notes = consistencyNotes([run(1), run(2)], [run(3, 'other', 'cpu B'), run(4)])
    expect(notes).toHaveLength(3)
    expect(notes[0]).toContain('different workloads (smoke, other)')
    expect(notes[1]).toContain('different CPUs')
    expect(notes[2]).toContain('interleave')
  })

  it('warns when some runs\' load generators ran real-time and some did not', () => {
    const fifo = 'producers-0: SCHED_FIFO priority 1 (real-time); consumers-0: SCHED_FIFO priority 1 (real-time)'
    const run = (startMs: number, scheduling: string | null) => ({ path: 'p', summary: {}, workload: 'w', startMs, cpuModel: 'c', scheduling })
    expect(consistencyNotes([run(1, fifo), run(3, fifo)], [run(2, fifo), run(4, fifo)])).toEqual([])
    // An older result (nothing recorded) and --no-realtime both ran under the default scheduler.
    expect(consistencyNotes([run(1, null), run(3, null)], [run(2, 'producers-0: default scheduler'), run(4, null)])).toEqual([])
    const notes = consistencyNotes([run(1, null), run(3, null)], [run(2, fifo), run(4, fifo)])
    expect(notes).toEqual([expect.stringMatching(/^some runs' load generators ran real-time \(SCHED_FIFO\) and some did not/)])
  })

  it('refuses to treat runs at different rates (a curve\'s steps) as repeats', () => {
    const run = (targetRateMsgPerSec: number | null) => ({ path: 'p', summary: {}, workload: 'w', startMs: 1, cpuModel: 'c', targetRateMsgPerSec })
    expect(mixedRatesReason([run(5000), run(5000)], [run(5000), run(null)])).toBeNull()
    expect(mixedRatesReason([run(5000)], [run(2000), run(5000), run(8000)])).toMatch(/^the candidate runs were driven at 3 different rates \(2000, 5000, 8000 msg\/s/)
  })

  it('says the gate is undecided (exit 3) with too few runs to ever be significant, even for a 50% slowdown', async () => {
    const out = await sluice(['compare', join(dir, 'two'), join(dir, 'two-slower')])
    expect(out.code).toBe(3)
    expect(out.stdout).toMatch(/⚠️ \*\*Gate undecided\*\*: it could not have failed: with 2 base and 2 candidate runs no difference can be significant at alpha 0\.05 .*run at least 4 of each/)
    expect(out.stdout).not.toContain('Gate passed')
  })

  it('says the gate is undecided (exit 3) when the two sides ran different workloads', async () => {
    const out = await sluice(['compare', join(dir, 'base'), join(dir, 'other-workload')])
    expect(out.code).toBe(3)
    expect(out.stdout).toContain('⚠️ **Gate undecided**: it could not have failed: the runs are of 2 different workloads')
  })

  it('prints the comparison as JSON with --json, with the same gate and exit code', async () => {
    const out = await sluice(['compare', join(dir, 'base'), join(dir, 'slower'), '--json'])
    expect(out.code).toBe(1)
    const json = JSON.parse(out.stdout) as { gate: string, exitCode: number, rows: Array<{ metric: string, verdict: string, base: { n: number } }> }
    expect(json.gate).toBe('failed')
    expect(json.exitCode).toBe(1)
    expect(json.rows.find(row => row.metric === 'publishRateMsgPerSec')).toMatchObject({ verdict: 'regressed', base: { n: 5 } })
  })
})
