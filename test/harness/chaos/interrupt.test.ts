// `sluice chaos` through the CLI when things do not go to plan (issue 14 point 2): Ctrl-C
// mid-run writes result.json with status partial and the reports, prints the verdict so far
// and exits 130; a run that fails to start says why and prints no VALID line.

import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../../')
const CLI = join(ROOT, 'harness', 'cli.ts')
const SAFE = join(ROOT, 'workloads', 'chaos', 'safe.yaml')
const RUN_TIMEOUT_MS = 120_000

interface Outcome { code: number | null, signal: string | null, stdout: string, stderr: string }

/** Runs the CLI; `interruptWhen` sends SIGINT once stderr matches it. Kills it by PID on timeout. */
function sluice (args: string[], interruptWhen?: RegExp): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let interrupted = false
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (interruptWhen !== undefined && !interrupted && interruptWhen.test(stderr)) {
        interrupted = true
        // Let the load run briefly so the history has ops in it.
        setTimeout(() => child.kill('SIGINT'), 2000)
      }
    })
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      done({ code, signal, stdout, stderr })
    })
  })
}

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-chaos-interrupt-'))
})

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

async function onlyRunDir (resultsDir: string): Promise<string> {
  // The run directory, beside the results/latest link.
  const entries = (await readdir(resultsDir, { withFileTypes: true })).filter(entry => entry.isDirectory()).map(entry => entry.name)
  expect(entries).toHaveLength(1)
  return join(resultsDir, entries[0]!)
}

describe('sluice chaos interrupted or failing', () => {
  it('on Ctrl-C writes a partial result and reports, prints the verdict so far, exits 130', async () => {
    const resultsDir = join(dir, 'interrupted')
    const outcome = await sluice(['chaos', SAFE, '--results-dir', resultsDir, '--seed', '7', '--set', 'testDurationSeconds=60'], /load started/)
    expect(outcome.code).toBe(130)
    expect(outcome.stdout.split('\n')[0]).toMatch(/^INTERRUPTED/)
    expect(outcome.stdout).not.toMatch(/^VALID$/m)
    expect(outcome.stdout).toMatch(/checkers run: /)
    const runDir = await onlyRunDir(resultsDir)
    const result = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as { status: string, exitCode: number, failure: string, verdict: { valid: unknown, stats: { ops: number } } }
    expect(result).toMatchObject({ status: 'partial', exitCode: 130 })
    expect(result.failure).toMatch(/interrupted/)
    expect(result.verdict.stats.ops).toBeGreaterThan(0)
    expect(result.verdict.valid).not.toBe(true)
    expect(await readFile(join(runDir, 'report.md'), 'utf8')).toContain('PARTIAL (interrupted')
    expect((await stat(join(runDir, 'report.html'))).size).toBeGreaterThan(1000)
  }, RUN_TIMEOUT_MS + 10_000)

  it('that fails to start prints why and no VALID line, and exits 2', async () => {
    const resultsDir = join(dir, 'failed')
    const outcome = await sluice(['chaos', SAFE, '--results-dir', resultsDir, '--toxiproxy-url', 'http://127.0.0.1:1', '--set', 'testDurationSeconds=5'])
    expect(outcome.code).toBe(2)
    expect(outcome.stdout.split('\n')[0]).toMatch(/^RUN FAILED: starting the cluster failed: .*127\.0\.0\.1:1/)
    expect(outcome.stdout).not.toMatch(/^VALID/m)
    expect(outcome.stdout).toMatch(/checkers run: /)
    const result = JSON.parse(await readFile(join(await onlyRunDir(resultsDir), 'result.json'), 'utf8')) as { status: string, exitCode: number }
    expect(result).toMatchObject({ status: 'failed', exitCode: 2 })
  }, RUN_TIMEOUT_MS)
})
