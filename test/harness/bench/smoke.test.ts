// The shipped workloads run end to end through the CLI, as CI runs them: the smoke
// workload with a shortened duration, and OMB's own simple workload file unchanged but
// for --duration (whose one-minute warm-up is capped to match).

import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { indexRuns } from '../../../harness/commands/results.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

describe('sluice bench, shipped workloads', () => {
  it('runs workloads/smoke.yaml end to end and writes consistent results', async () => {
    const dir = join(resultsDir, 'smoke')
    const run = await runBenchCli(['workloads/smoke.yaml', '--duration', '4s', '--results-dir', dir])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('Sluice benchmark smoke (complete)')
    expect(run.stdout).toMatch(/wrote .*report\.html/)
    // The file's 5 s warm-up is longer than --duration, so it is capped, and says so.
    expect(run.stderr).toMatch(/warm-up shortened from 5 s to 4 s/)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'smoke', durationSec: 4, targetRateMsgPerSec: 2000 })
    expect(result.driver).toBe('platformatic')
    expect(result.cluster?.backend).toBe('process')
    expect(result.series.filter(sample => sample.phase === 'warmup').reduce((sum, sample) => sum + sample.durationSec, 0)).toBeGreaterThan(3.7)
    // 1 KiB records: bytes and messages agree.
    expect(result.summary.bytesProduced).toBe(result.summary.messagesProduced * 1024)
    // results/latest points at the run, and the index lists it with its headline.
    expect(realpathSync(join(dir, 'latest'))).toBe(realpathSync(dirs[0]!))
    const rows = await indexRuns(dir)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ kind: 'bench', workload: 'smoke', status: 'complete' })
    expect(rows[0]!.headline).toMatch(/^publish \d[\d.]* ?k? ?msg\/s, e2e p99 /)
  }, 90_000)

  it('runs the OMB file workloads/omb/simple-workload.yaml unchanged with --duration 3s', async () => {
    const dir = join(resultsDir, 'omb')
    const run = await runBenchCli(['workloads/omb/simple-workload.yaml', '--duration', '3s', '--results-dir', dir, '--no-progress'])
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'Simple Workload 1 producer on 1 topic', durationSec: 3, targetRateMsgPerSec: 10_000, rateTolerance: 0.3 })
    expect(result.workloadConfig.keyDistributor).toBe('NO_KEY')
    expect(result.workloadConfig.partitionsPerTopic).toBe(10)
    expect(result.partitions).toBe(10)
    expect(result.workloadConfig.testDurationMinutes).toBeCloseTo(0.05, 6)
  }, 90_000)

  it('runs a quick workload from flags alone, like kafka-producer-perf-test', async () => {
    const dir = join(resultsDir, 'quick')
    const run = await runBenchCli(['--messages', '3000', '--rate', '1000', '--message-size', '100', '--partitions', '2', '--driver', 'native', '--results-dir', dir, '--no-progress'])
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'quick', durationSec: 3, targetRateMsgPerSec: 1000, rateTolerance: 0.3 })
    expect(result.workloadConfig).toMatchObject({ messageSize: 100, partitionsPerTopic: 2 })
    expect(result.summary.bytesProduced).toBe(result.summary.messagesProduced * 100)
  }, 90_000)

  it('refuses a workload file together with quick-run flags', async () => {
    const run = await runBenchCli(['workloads/smoke.yaml', '--rate', '500'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/describe a workload of their own: give them or a workload file, not both/)
  }, 30_000)
})
