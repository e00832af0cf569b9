// Runs `sluice bench` as a user does (a child process of the CLI) and checks what it
// wrote. checkCompleteResult asserts the properties every complete run must have:
// every message produced was consumed, percentiles are ordered, rates agree with counts
// over the measured duration, and the report files exist and name the workload.

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import type { BenchResult } from '../../../harness/results/result.ts'

export const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const CLI = join(REPO, 'harness', 'cli.ts')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  elapsedMs: number
}

export interface CliProcess {
  child: ChildProcess
  done: Promise<CliResult>
  stderr: () => string
  /** Resolves with the first stderr match of `pattern`; rejects after timeoutMs. */
  waitForStderr: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>
}

/** Kafka's 3 s initial rebalance delay would only slow the group drivers' first joins here. */
const FAST_GROUP_JOINS = ['--set', 'brokerConfig.group.initial.rebalance.delay.ms=0']

export function startBench (args: string[], timeoutMs = 120_000): CliProcess {
  const started = Date.now()
  const child = spawn(process.execPath, [CLI, 'bench', ...args, ...FAST_GROUP_JOINS], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const done = new Promise<CliResult>(resolve => child.once('close', (code, signal) => {
    clearTimeout(timer)
    resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started })
  }))
  const waitForStderr = (pattern: RegExp, waitMs: number): Promise<RegExpMatchArray> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = stderr.match(pattern)
      if (match === null) return false
      cleanup()
      resolve(match)
      return true
    }
    const onData = (): void => { check() }
    const onClose = (): void => { if (!check()) { cleanup(); reject(new Error(`bench exited before stderr matched ${pattern}:\n${stderr}`)) } }
    const deadline = setTimeout(() => { cleanup(); reject(new Error(`stderr did not match ${pattern} within ${waitMs} ms:\n${stderr}`)) }, waitMs)
    const cleanup = (): void => {
      clearTimeout(deadline)
      child.stderr!.off('data', onData)
      child.off('close', onClose)
    }
    child.stderr!.on('data', onData)
    child.once('close', onClose)
    check()
  })
  return { child, done, stderr: () => stderr, waitForStderr }
}

export async function runBenchCli (args: string[], timeoutMs?: number): Promise<CliResult> {
  return await startBench(args, timeoutMs).done
}

/** Run directories (those holding result.json) under `dir`, recursively, sorted by name. */
export function runDirsUnder (dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const path = join(dir, entry.name)
    if (existsSync(join(path, 'result.json'))) out.push(path)
    else out.push(...runDirsUnder(path))
  }
  return out.sort()
}

export function readResult (runDir: string): BenchResult {
  return JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as BenchResult
}

const LEVELS = ['P50', 'P75', 'P95', 'P99', 'P999', 'P9999', 'P99999', 'Max'] as const
const KINDS = ['publishLatencyUs', 'correctedPublishLatencyUs', 'publishDelayUs', 'endToEndLatencyUs'] as const

export interface ExpectedRun {
  workloadName: string
  /** The measured duration asked for; omit when the run decides (a backlog drain). */
  durationSec?: number
  /** The rate asked for; the achieved one must be within rateTolerance of it. */
  targetRateMsgPerSec?: number
  rateTolerance?: number
  consumers?: boolean
}

export function checkCompleteResult (runDir: string, expected: ExpectedRun): BenchResult {
  const result = readResult(runDir)
  const s = result.summary
  expect(result.status).toBe('complete')
  expect(result.statusReason).toBeNull()
  expect(result.workload).toBe(expected.workloadName)
  // Files: the reports are rendered from the same result.
  expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain(expected.workloadName)
  const html = readFileSync(join(runDir, 'report.html'), 'utf8')
  expect(html).toContain('<svg')
  expect(html).toContain(expected.workloadName)
  // The measured phase lasted what was asked (ticks are whole seconds; allow slack).
  if (expected.durationSec !== undefined) {
    expect(s.durationSec).toBeGreaterThan(expected.durationSec - 0.3)
    expect(s.durationSec).toBeLessThan(expected.durationSec + 1)
  }
  expect(s.intervalCount).toBe(result.series.filter(sample => sample.measured).length)
  expect(result.series.some(sample => sample.phase === 'warmup')).toBe(true)
  // Counts and rates agree with each other.
  const measured = result.series.filter(sample => sample.measured)
  expect(s.messagesProduced).toBe(measured.reduce((sum, sample) => sum + sample.publishedCount, 0))
  expect(s.publishRateMsgPerSec).toBeCloseTo(s.messagesProduced / s.durationSec, 3)
  // A run without consumers has no consume rate at all (null), not a rate of 0.
  if (expected.consumers === false) expect(s.consumeRateMsgPerSec).toBeNull()
  else expect(s.consumeRateMsgPerSec!).toBeCloseTo(s.messagesConsumed / s.durationSec, 3)
  expect(result.publishRate).toHaveLength(s.intervalCount)
  expect(s.publishErrors).toBe(0)
  expect(s.messagesProduced).toBeGreaterThan(0)
  if (expected.targetRateMsgPerSec !== undefined) {
    const tolerance = expected.rateTolerance ?? 0.2
    expect(s.publishRateMsgPerSec).toBeGreaterThan(expected.targetRateMsgPerSec * (1 - tolerance))
    expect(s.publishRateMsgPerSec).toBeLessThan(expected.targetRateMsgPerSec * (1 + tolerance))
  }
  // Every message produced in the run (all phases) was consumed once the drain was over.
  const produced = result.series.reduce((sum, sample) => sum + sample.publishedCount, 0)
  const consumed = result.series.reduce((sum, sample) => sum + sample.consumedCount, 0)
  if (expected.consumers !== false) {
    expect(consumed).toBe(produced)
    expect(s.endToEndLatencyUsCount).toBeGreaterThan(0)
    // Producer and consumer agree on the sluice-ts-us header: a header from another
    // clock (a driver's own wall-clock stamp) would give 0 (clamped) or absurd values.
    expect(s.endToEndLatencyUsP50!).toBeGreaterThan(0)
    expect(s.endToEndLatencyUsP50!).toBeLessThan(10_000_000)
  }
  // Percentiles are ordered, for every latency that has samples.
  for (const kind of KINDS) {
    if ((s[`${kind}Count`] ?? 0) === 0) continue
    const values = LEVELS.map(level => s[`${kind}${level}`] as number)
    expect(values, kind).toEqual([...values].sort((a, b) => a - b))
    const curve = result.quantileCurves[kind].map(point => point.valueUs)
    expect(curve, `${kind} curve`).toEqual([...curve].sort((a, b) => a - b))
  }
  // The corrected latency can only be at least the uncorrected one, in aggregate.
  if (s.publishLatencyUsP50 !== null) expect(s.correctedPublishLatencyUsP50!).toBeGreaterThanOrEqual(s.publishLatencyUsP50 * 0.999)
  // OMB fields mirror the summary in OMB's units.
  expect(result.aggregatedPublishLatency99pct).toBeCloseTo(s.publishLatencyUsP99! / 1000, 6)
  expect(result.environment.coreSharing).toMatch(/producer worker thread/)
  return result
}
