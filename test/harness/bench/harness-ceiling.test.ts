// workloads/harness-ceiling.yaml measures the load generator against a broker that
// acknowledges and discards every Produce (sluice.sink), with no consumers. The run must
// treat "no consumers" as absent consume and backlog figures, not as zeros or errors, and
// must not depend on anything the sink does not keep (its log end offsets stay 0).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ListOffsetsTimestamp } from '../../../broker/protocol/02-list-offsets.ts'
import { KafkaClient } from '../../../broker/client/kafka-client.ts'
import type { BenchResult } from '../../../harness/results/result.ts'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

// About 3 s of load: 1 s warm-up, two 1 s search steps, then 3 s measured.
const SHORT = ['--warmup', '1s', '--duration', '3s', '--set', 'maxRate.stepSeconds=1', '--set', 'maxRate.maxSteps=2',
  '--set', 'maxRate.refineSteps=0', '--no-progress']
const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-ceiling-'))
let sink: BrokerProcess

beforeAll(async () => { sink = await startBrokerProcess({ overrides: { 'sluice.sink': true } }) })
afterAll(async () => {
  await sink?.stop()
  rmSync(resultsDir, { recursive: true, force: true })
  rmSync(sink?.dataDir ?? '', { recursive: true, force: true })
})

function checkProducerOnly (runDir: string): BenchResult {
  const result = checkCompleteResult(runDir, { workloadName: 'harness-ceiling', durationSec: 3, consumers: false })
  const s = result.summary
  // The workload file sets only the sink; the test helper adds fast group joins (bench-cli.ts).
  expect(result.workloadConfig.brokerConfig).toEqual({ 'sluice.sink': true, 'group.initial.rebalance.delay.ms': 0 })
  expect(result.workloadConfig.subscriptionsPerTopic).toBe(0)
  expect(s.publishRateMsgPerSec).toBeGreaterThan(0)
  expect(s.messagesProduced).toBeGreaterThan(0)
  // No consumers: consume and backlog figures are absent, not zeros.
  expect(s.consumeRateMsgPerSec).toBeNull()
  expect(s.consumeRateMiBPerSec).toBeNull()
  expect(s.backlogMessagesMax).toBeNull()
  expect(s.backlogMessagesEnd).toBeNull()
  expect(s.messagesConsumed).toBe(0)
  expect(s.endToEndLatencyUsCount).toBe(0)
  expect(result.consumeRate).toEqual([])
  expect(result.backlog).toEqual([])
  expect(result.series.every(sample => sample.consumedCount === 0)).toBe(true)
  const md = readFileSync(join(runDir, 'report.md'), 'utf8')
  expect(md).toContain('No consumers (subscriptionsPerTopic 0)')
  expect(md).not.toMatch(/^Backlog: /m)
  expect(md).toMatch(/^\| consume \| – \| – \| – \|$/m)
  return result
}

describe('workloads/harness-ceiling.yaml', () => {
  it('runs producer-only against the sink broker it configures, and reports no consume figures', async () => {
    const dir = join(resultsDir, 'process')
    const run = await runBenchCli(['workloads/harness-ceiling.yaml', '--results-dir', dir, ...SHORT])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('No consumers')
    expect(run.stdout).not.toMatch(/consume\s+0 msg\/s/)
    const [runDir] = runDirsUnder(dir)
    const result = checkProducerOnly(runDir!)
    expect(result.driver).toBe('native')
    expect(result.maxRateSearch?.steps.length).toBeGreaterThan(0)
  }, 90_000)

  it('depends on nothing a sink does not keep: its offsets stay 0 while the run counts every ack', async () => {
    const dir = join(resultsDir, 'external')
    // --keep-topics: the run's topics are read back below.
    const run = await runBenchCli(['workloads/harness-ceiling.yaml', '--bootstrap', sink.bootstrap, '--keep-topics', '--results-dir', dir, ...SHORT])
    expect(run.code, run.stderr).toBe(0)
    const [runDir] = runDirsUnder(dir)
    const result = checkProducerOnly(runDir!)
    const topics = (result.driverConfig.settings as { topics: string[] }).topics
    expect(topics.length).toBeGreaterThan(0)
    const client = new KafkaClient({ bootstrap: [sink.bootstrap], clientId: 'ceiling-test' })
    try {
      for (const topic of topics) {
        const partitions = Array.from({ length: result.partitions }, (_, p) => p)
        const latest = await client.listOffsets(topic, partitions, ListOffsetsTimestamp.latest)
        expect([...latest.values()]).toEqual(partitions.map(() => 0))
      }
    } finally {
      client.close()
    }
  }, 90_000)
})
