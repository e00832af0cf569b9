// How `sluice bench` fails: a bad workload file or override is named by field before
// anything starts; an unreachable --bootstrap is reported within seconds; a broker that
// dies mid-run stops the run with a message naming the broker and its log, and the
// partial results measured so far are still written; Ctrl-C writes partial results and
// leaves no broker behind. Every failure exits 2 (Ctrl-C: 130).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readResult, runBenchCli, runDirsUnder, startBench } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-errors-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

const RUN = ['--driver', 'native', '--warmup', '1s']

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

describe('sluice bench failures', () => {
  it('names the bad field of a workload file and exits 2 without running', async () => {
    const file = join(resultsDir, 'bad.yaml')
    writeFileSync(file, 'name: bad\ntopics: 1\npartitionsPerTopic: 4\nmessageSize: 100\nproducersPerTopic: 1\nsubscriptionsPerTopic: 1\nconsumerPerSubscription: 1\nproducerRate: fast\ntestDurationSeconds: 2\n')
    const run = await runBenchCli([file, '--results-dir', join(resultsDir, 'bad')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/bad\.yaml: producerRate must be/)
    expect(run.stderr).toContain('"fast"')
    expect(existsSync(join(resultsDir, 'bad'))).toBe(false)
  })

  it('names the field of a bad override', async () => {
    const run = await runBenchCli(['workloads/smoke.yaml', '--set', 'producer.acks=2', '--results-dir', join(resultsDir, 'bad')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/producer\.acks must be one of/)
    expect(run.stderr).toContain('from the override producer.acks=2')
  })

  it('reports unreachable bootstrap servers clearly within a few seconds', async () => {
    const port = await freePort()
    const run = await runBenchCli(['workloads/smoke.yaml', '--bootstrap', `127.0.0.1:${port}`, '--results-dir', join(resultsDir, 'unreachable')])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`cannot reach 127.0.0.1:${port}: connection refused`)
    expect(run.stderr).toContain('is a broker running there?')
    expect(run.elapsedMs).toBeLessThan(15_000)
    expect(runDirsUnder(join(resultsDir, 'unreachable'))).toHaveLength(0)
  }, 30_000)

  it('stops when a broker dies mid-run, says which and where its log is, and writes partial results', async () => {
    const dir = join(resultsDir, 'killed')
    const bench = startBench(['workloads/smoke.yaml', '--duration', '20s', '--results-dir', dir, ...RUN])
    const [, pid] = await bench.waitForStderr(/broker 0: pid (\d+)/, 30_000)
    await bench.waitForStderr(/\[measure\]/, 30_000)
    process.kill(Number(pid), 'SIGKILL')
    const run = await bench.done
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toMatch(new RegExp(`broker 0 \\(pid ${pid}, 127\\.0\\.0\\.1:\\d+\\) died during the measure phase`))
    expect(run.stderr).toMatch(/partial results written to /)
    // Well before the 20 s the run was meant to take.
    expect(run.elapsedMs).toBeLessThan(15_000)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = readResult(dirs[0]!)
    expect(result.status).toBe('partial')
    expect(result.statusReason).toContain('died during the measure phase')
    // The log is kept in the run directory (the cluster's temp dir is gone) and named.
    const log = join(dirs[0]!, 'broker-0.log')
    expect(result.statusReason).toContain(`its log: ${log}`)
    expect(readFileSync(log, 'utf8')).toContain('"event":"listening"')
    // What was measured before the death is there.
    expect(result.summary.messagesProduced).toBeGreaterThan(0)
    expect(result.summary.durationSec).toBeGreaterThan(0)
    expect(result.summary.durationSec).toBeLessThan(10)
    expect(existsSync(join(dirs[0]!, 'report.html'))).toBe(true)
  }, 60_000)

  it('on Ctrl-C writes partial results and cleans up the cluster', async () => {
    const dir = join(resultsDir, 'interrupted')
    const bench = startBench(['workloads/smoke.yaml', '--duration', '20s', '--results-dir', dir, ...RUN])
    const [, pid, logFile] = await bench.waitForStderr(/broker 0: pid (\d+), kafka \S+, log (\S+)/, 30_000)
    await bench.waitForStderr(/\[measure\]/, 30_000)
    bench.child.kill('SIGINT')
    const run = await bench.done
    expect(run.code, run.stderr).toBe(130)
    expect(run.stderr).toContain('interrupted by SIGINT')
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = readResult(dirs[0]!)
    expect(result.status).toBe('partial')
    expect(result.statusReason).toBe('interrupted by SIGINT')
    expect(result.summary.messagesProduced).toBeGreaterThan(0)
    expect(alive(Number(pid))).toBe(false)
    expect(existsSync(dirname(logFile!))).toBe(false)
  }, 60_000)
})
