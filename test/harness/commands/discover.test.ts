// What a new user types first to find their way: --version, the list of shipped workloads
// and faults, the plan of a run before starting it, and --help of the soak command. Each
// runs the real CLI and starts nothing.

import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headerSummary } from '../../../harness/commands/list.ts'
import { FAULTS } from '../../../harness/workload/schema-chaos.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const CLI = resolve(ROOT, 'harness/cli.ts')

interface Outcome { code: number, stdout: string, stderr: string }

function sluice (args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
}

describe('sluice --version', () => {
  it('prints the package version and the Node it runs on', async () => {
    const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }
    const outcome = await sluice(['--version'])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout.trim()).toBe(`sluice ${version} (Node ${process.versions.node})`)
  })
})

describe('npx sluice, as the README runs it', () => {
  it('prints no npm EBADENGINE noise (npm runs on the system Node, the project on its own Node 24)', async () => {
    const outcome = await new Promise<Outcome>((done) => {
      execFile('npx', ['sluice', '--version'], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
      })
    })
    expect(outcome.code, outcome.stderr).toBe(0)
    expect(outcome.stdout).toMatch(/^sluice \d+\.\d+\.\d+ \(Node 24\./)
    expect(outcome.stderr).not.toMatch(/EBADENGINE|npm warn/)
  })
})

describe('sluice list', () => {
  it('names every shipped workload with its summary, and every fault', async () => {
    const outcome = await sluice(['list'])
    expect(outcome.code).toBe(0)
    const shipped = readdirSync(resolve(ROOT, 'workloads'), { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.yaml'))
    expect(shipped.length).toBeGreaterThan(5)
    for (const file of shipped) expect(outcome.stdout).toContain(`workloads/${file}`)
    expect(outcome.stdout).toMatch(/workloads\/smoke\.yaml +Smoke: does a produce-and-consume run work end to end\?/)
    for (const fault of FAULTS) expect(outcome.stdout).toMatch(new RegExp(`^  ${fault} +\\S`, 'm'))
  })

  it('takes the first sentence of the header comment', () => {
    expect(headerSummary('# One. Two.\n# Three.\nname: x\n# not header\n')).toBe('One.')
    expect(headerSummary('name: x\n')).toBe('')
  })
})

describe('sluice bench --dry-run', () => {
  it('prints the phases of a fixed-rate run and starts nothing', async () => {
    const outcome = await sluice(['bench', 'workloads/smoke.yaml', '--dry-run'])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toContain('plan for smoke: 20 s of load')
    expect(outcome.stdout).toMatch(/warm-up: 5 s/)
    expect(outcome.stdout).toMatch(/measure: 15 s, at 2000 msg\/s/)
    expect(outcome.stderr).not.toMatch(/broker|listening/)
  })

  it('gives a max-rate search as a range on top of --duration', async () => {
    const outcome = await sluice(['bench', 'workloads/max-throughput-1kb.yaml', '--dry-run', '--duration', '30s'])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(/max-rate search: 50 s to 6 min 40 s, steps of 10 s from 20000 msg\/s, x1\.5 while healthy, then 4 bisection rounds/)
    expect(outcome.stdout).toMatch(/measure: 30 s, at the rate found \(--duration sets it\)/)
  })

  it('lists both sides and the interleaving of a comparison', async () => {
    const outcome = await sluice(['bench', 'workloads/smoke.yaml', '--dry-run', '--repeat', '5', '--candidate-set', 'producer.acks=1'])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toContain('runs: 5 of the base and 5 of the candidate, interleaved')
    expect(outcome.stdout).toContain('candidate: plan for smoke')
  })
})

describe('sluice soak', () => {
  it('has --help, and refuses a bad --runs with the allowed range', async () => {
    const help = await sluice(['soak', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/--expect <valid\|anomalies>/)
    const bad = await sluice(['soak', '--runs', '0'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--runs must be an integer from 1 to 10000, got "0"/)
  })
})

describe('sluice results', () => {
  it('indexes bench and chaos runs with their status and headline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-results-index-'))
    try {
      const write = (run: string, result: unknown): void => {
        mkdirSync(join(dir, run), { recursive: true })
        writeFileSync(join(dir, run, 'result.json'), JSON.stringify(result))
      }
      write('20260101T000000Z-smoke-aaaaaa', { workload: 'smoke', status: 'complete', summary: { publishRateMsgPerSec: 2000, endToEndLatencyUsP99: 4200 } })
      write('20260101T000100Z-safe-bbbbbb', { format: 'sluice-chaos-result', workload: 'safe', failure: null, verdict: { valid: true, anomalyCounts: {} } })
      write('20260101T000200Z-lossy-cccccc', { format: 'sluice-chaos-result', workload: 'lossy', failure: null, verdict: { valid: false, anomalyCounts: { 'lost-write': 3 } } })
      const outcome = await sluice(['results', dir])
      expect(outcome.code).toBe(0)
      const lines = outcome.stdout.trim().split('\n')
      expect(lines).toHaveLength(4)
      expect(lines[1]).toMatch(/^20260101T000000Z-smoke-aaaaaa +bench +smoke +complete +publish 2(\.00)? ?k msg\/s, e2e p99 4\.2\d* ?ms$/)
      expect(lines[2]).toMatch(/-safe-bbbbbb +chaos +safe +valid *$/)
      expect(lines[3]).toMatch(/-lossy-cccccc +chaos +lossy +invalid +lost-write 3$/)
      const json = await sluice(['results', dir, '--json'])
      expect((JSON.parse(json.stdout) as unknown[]).length).toBe(3)
      const missing = await sluice(['results', join(dir, 'nope')])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toMatch(/no such file or directory/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
