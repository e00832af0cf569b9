// One command, the same workload on the reference broker and on Apache Kafka, interleaved:
// `sluice bench <workload> --candidate-backend kafka`. It writes both sides' reports and one
// comparison; the Kafka side's result names the Kafka and the Java that ran it, and a key
// only Kafka knows is passed to Kafka and named, not dropped silently.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readResult, runBenchCli, runDirsUnder } from '../harness/bench/bench-cli.ts'
import { announceSkip, kafkaEnv } from './kafka-env.ts'

const env = await kafkaEnv()
announceSkip('side-by-side.test.ts', env)

describe.skipIf(env.dist === null)('sluice bench --candidate-backend kafka', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-side-by-side-'))
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

  it('runs the reference broker and Kafka interleaved and writes one comparison and both reports', async () => {
    const run = await runBenchCli([
      'workloads/smoke.yaml', '--candidate-backend', 'kafka', '--driver', 'native',
      '--duration', '3s', '--warmup', '2s', '--set', 'producerRate=500',
      '--set', 'brokerConfig.num.io.threads=4',
      '--results-dir', resultsDir, '--no-progress', '--fail-threshold', 'off',
    ], 240_000)
    // One run a side (and the threshold off) cannot decide a gate: exit 3, "undecided".
    expect(run.code, run.stderr).toBe(3)
    expect(run.stdout).toContain('Gate undecided')
    expect(run.stderr).toMatch(/keys the reference broker does not know, passed to the candidate only: num\.io\.threads/)
    // b then k: the order the one-line summaries came in.
    expect(run.stdout).toMatch(/\[1\/2\] base #1 complete[\s\S]*\[2\/2\] candidate #1 complete/)
    const [series] = readdirSync(resultsDir).filter(name => name !== 'latest')
    const seriesDir = join(resultsDir, series!)
    expect(readFileSync(join(seriesDir, 'comparison.md'), 'utf8')).toMatch(/process[\s\S]*kafka/)
    const [base] = runDirsUnder(join(seriesDir, 'base'))
    const [kafka] = runDirsUnder(join(seriesDir, 'candidate'))
    for (const dir of [base!, kafka!]) expect(existsSync(join(dir, 'report.html'))).toBe(true)
    const baseResult = readResult(base!)
    const kafkaResult = readResult(kafka!)
    expect(baseResult.cluster?.backend).toBe('process')
    // The test helper's fast group joins go to both brokers; the Kafka-only key to Kafka only.
    expect(baseResult.workloadConfig.brokerConfig).toEqual({ 'group.initial.rebalance.delay.ms': 0 })
    expect(kafkaResult.cluster?.backend).toBe('kafka')
    expect(kafkaResult.workloadConfig.brokerConfig).toEqual({ 'group.initial.rebalance.delay.ms': 0, 'num.io.threads': 4 })
    expect(kafkaResult.environment.brokerSoftware?.kafka).toMatch(/^Apache Kafka 4\./)
    expect(kafkaResult.environment.brokerSoftware?.java).toMatch(/version "/)
    expect(readFileSync(join(kafka!, 'report.md'), 'utf8')).toMatch(/Apache Kafka 4\.\d+\.\d+ from/)
    for (const result of [baseResult, kafkaResult]) {
      const produced = result.series.reduce((sum, s) => sum + s.publishedCount, 0)
      expect(result.series.reduce((sum, s) => sum + s.consumedCount, 0)).toBe(produced)
    }
  }, 300_000)
})
