// Every client driver runs the smoke workload (shortened) against the reference broker.
// The Kafka drivers share one broker that the test starts itself and reach it with
// --bootstrap (the external backend: the harness must not start or stop it); the http
// driver needs the broker's HTTP address, which only the process backend knows.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const SHORT = ['--duration', '2s', '--warmup', '1s', '--no-progress']
const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-drivers-'))
let broker: BrokerProcess

beforeAll(async () => { broker = await startBrokerProcess() })
afterAll(async () => {
  await broker?.stop()
  rmSync(resultsDir, { recursive: true, force: true })
  rmSync(broker?.dataDir ?? '', { recursive: true, force: true })
})

describe('sluice bench, every driver against the reference broker', () => {
  // kafkajs also checks --keep-topics; the others that topics are deleted at the end.
  for (const driver of ['native', 'platformatic', 'kafkajs'] as const) {
    const keep = driver === 'kafkajs'
    it(`${driver} over --bootstrap to an already running broker${keep ? ', keeping its topics' : ', deleting its topics at the end'}`, async () => {
      const dir = join(resultsDir, driver)
      const run = await runBenchCli(['workloads/smoke.yaml', '--driver', driver, '--bootstrap', broker.bootstrap, '--results-dir', dir, ...SHORT, ...(keep ? ['--keep-topics'] : [])])
      expect(run.code, run.stderr).toBe(0)
      const dirs = runDirsUnder(dir)
      expect(dirs).toHaveLength(1)
      const result = checkCompleteResult(dirs[0]!, { workloadName: 'smoke', durationSec: 2, targetRateMsgPerSec: 2000, rateTolerance: 0.3 })
      expect(result.driver).toBe(driver)
      expect(result.cluster).toMatchObject({ backend: 'external', bootstrap: [broker.bootstrap] })
      expect(result.environment.coreSharing).toMatch(/external cluster on this machine/)
      // The harness left the broker it did not start running.
      expect(broker.child.exitCode).toBeNull()
      const runTopics = (result.driverConfig.settings as { topics: string[] }).topics
      expect(runTopics.length).toBeGreaterThan(0)
      const listed = (await (await fetch(`${broker.httpUrl}/topics`)).json() as Array<{ name: string }>).map(t => t.name)
      for (const topic of runTopics) expect(listed.includes(topic), `${topic} on the broker after the run`).toBe(keep)
    }, 60_000)
  }

  it('http through the process backend', async () => {
    const dir = join(resultsDir, 'http')
    const run = await runBenchCli(['workloads/smoke.yaml', '--driver', 'http', '--results-dir', dir, ...SHORT])
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'smoke', durationSec: 2, targetRateMsgPerSec: 2000, rateTolerance: 0.3 })
    expect(result.driver).toBe('http')
    expect(result.cluster?.backend).toBe('process')
  }, 60_000)

  it('refuses the http driver on an external cluster, naming the reason', async () => {
    const run = await runBenchCli(['workloads/smoke.yaml', '--driver', 'http', '--bootstrap', broker.bootstrap, '--results-dir', join(resultsDir, 'none'), ...SHORT])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/http driver needs the brokers' HTTP API/)
    expect(runDirsUnder(join(resultsDir, 'none'))).toHaveLength(0)
  }, 30_000)
})
