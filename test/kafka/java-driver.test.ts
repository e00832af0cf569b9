// `sluice bench --driver java` against the reference broker: Kafka's own perf tools run the
// smoke workload (shortened), and every record produced is consumed.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runJavaBench } from '../../harness/bench/java-run.ts'
import { loadWorkload } from '../../harness/workload/load.ts'
import { announceSkip, kafkaEnv } from './kafka-env.ts'

const env = await kafkaEnv()
announceSkip('java-driver.test.ts', env)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe.skipIf(env.dist === null)('the java bench driver (Kafka perf tools)', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('runs workloads/smoke.yaml against the reference broker and consumes every record it produced', async () => {
    const resultsDir = await mkdtemp(join(tmpdir(), 'sluice-java-driver-'))
    dirs.push(resultsDir)
    const workload = await loadWorkload(join(ROOT, 'workloads', 'smoke.yaml'), { driver: 'java', warmupDurationSeconds: '1', testDurationSeconds: '3' })
    const { result, runDir, exitCode } = await runJavaBench({ workload, resultsDir, cluster: { backend: 'process' }, log: () => {} })
    expect(result.statusReason).toBeNull()
    expect(exitCode).toBe(0)
    // smoke.yaml: 2,000 msg/s for 1 + 3 s.
    expect(result.settings.records).toBe(8000)
    expect(result.producer!.recordsSent).toBe(8000)
    expect(result.consumer!.messagesConsumed).toBe(result.producer!.recordsSent)
    expect(result.producer!.recordsPerSec).toBeGreaterThan(0)
    // The tool's rate limiter holds it at or under the workload's rate.
    expect(result.producer!.recordsPerSec).toBeLessThanOrEqual(2000 * 1.05)
    const l = result.producer!.toolLatencyMs
    expect(l.p50).toBeLessThanOrEqual(l.p99)
    expect(l.p99).toBeLessThanOrEqual(l.max)
    expect(result.settings.producerProps).toContain('acks=all')
    expect(result.measuredBy).toMatch(/ProducerPerformance's own/)
    const saved = JSON.parse(await readFile(join(runDir, 'java-result.json'), 'utf8')) as typeof result
    expect(saved.producer).toEqual(result.producer)
    expect(await readFile(join(runDir, 'report.md'), 'utf8')).toContain('publish latency, ProducerPerformance\'s own')
  }, 180_000)
})
