// The two run shapes besides a fixed rate, shortened for CI: the max-rate search
// (producerRate 0) and backlog build-and-drain (consumerBacklogSizeGB > 0).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-modes-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

describe('sluice bench run shapes', () => {
  it('searches for the maximum rate step by step, explains it, and measures at the rate found', async () => {
    const dir = join(resultsDir, 'max-rate')
    const run = await runBenchCli(['workloads/max-throughput-100b.yaml', '--driver', 'native', '--duration', '2s', '--warmup', '1s',
      '--set', 'maxRate.startRate=1000', '--set', 'maxRate.stepSeconds=1', '--set', 'maxRate.maxSteps=3', '--set', 'maxRate.stepFactor=2',
      '--results-dir', dir, '--no-progress'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/max-rate: Result: /)
    const [runDir] = runDirsUnder(dir)
    const result = checkCompleteResult(runDir!, { workloadName: 'max-throughput-100b', durationSec: 2 })
    const search = result.maxRateSearch!
    expect(search.steps.length).toBeGreaterThan(0)
    expect(search.steps.length).toBeLessThanOrEqual(3)
    expect(search.explanation[0]).toMatch(/^Max-rate search: start 1,000 msg\/s/)
    // Each step was held at its rate, in order, and the measured phase runs at the answer.
    const stepRates = result.series.filter(sample => sample.phase === 'max-rate' && sample.targetRatePerSec !== null).map(sample => sample.targetRatePerSec)
    expect([...new Set(stepRates)]).toEqual(search.steps.map(step => step.ratePerSec))
    const measuredRate = search.found ? search.ratePerSec : Math.min(...search.steps.map(step => step.ratePerSec))
    expect(result.summary.targetRateMsgPerSec).toBe(measuredRate)
    for (const sample of result.series.filter(s => s.measured)) expect(sample.targetRatePerSec).toBe(measuredRate)
    // The measured phase is judged by the search's rules, and a rate that did not hold is said out loud.
    if (search.found) {
      expect(search.measuredPhase).toMatchObject({ ratePerSec: measuredRate })
      if (search.measuredPhase!.sustained === false) expect(run.stdout).toMatch(/WARNING: The rate the max-rate search found/)
      else expect(run.stdout).not.toContain('WARNING')
    }
  }, 60_000)

  it('builds a backlog with consumers paused, then measures its drain', async () => {
    const dir = join(resultsDir, 'backlog')
    // 0.004 GiB of 1 KiB records is 4194 messages, about 1.4 s of production at 3000 msg/s.
    const run = await runBenchCli(['workloads/backlog-drain.yaml', '--driver', 'native', '--duration', '10s', '--warmup', '1s',
      '--set', 'consumerBacklogSizeGB=0.004', '--set', 'producerRate=3000', '--results-dir', dir, '--no-progress'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/backlog of \d+ messages drained to \d+ in \d+ s/)
    // The native driver has no groups: one consumer per subscription, said out loud.
    expect(run.stderr).toMatch(/each subscription got 1 consumer instead of 2/)
    const [runDir] = runDirsUnder(dir)
    const targetMessages = Math.floor(0.004 * 1024 ** 3 / 1024)
    const building = checkCompleteResult(runDir!, { workloadName: 'backlog-drain' })
    // The measured phase is the drain, which ends as soon as the backlog is gone (well before 10 s).
    expect(building.summary.durationSec).toBeLessThan(8)
    const warmup = building.series.filter(sample => sample.phase === 'warmup')
    expect(Math.max(...warmup.map(sample => sample.backlogMessages))).toBeGreaterThanOrEqual(targetMessages)
    const measured = building.series.filter(sample => sample.measured)
    expect(measured.at(-1)!.backlogMessages).toBeLessThanOrEqual(targetMessages * 0.01)
    // Draining, consumers outpace producers.
    expect(building.summary.consumeRateMsgPerSec).toBeGreaterThan(building.summary.publishRateMsgPerSec)
  }, 60_000)
})
