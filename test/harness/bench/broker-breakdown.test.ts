// The bench report's view from the broker (issue 13 items 3 and 5), on short real runs
// through the CLI: against the reference broker (process backend) the result and both
// reports hold the latency breakdown from the broker's RequestMetrics and the measurement
// precision section; against a target without /metrics (the external backend, a broker
// started with no HTTP API) the run completes and the breakdown is left out; a run whose
// producer worker is stalled on purpose (SLUICE_DEBUG_WORKER_STALL_MS) is flagged. The
// precision section says how the load-generator threads were scheduled (real-time by
// default at such rates, the default scheduler with --no-realtime).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeDir, startBrokerProcess } from '../../helpers/broker-process.ts'
import { realtimeAllowed } from '../../helpers/realtime-allowed.ts'
import { readResult, runBenchCli, runDirsUnder } from './bench-cli.ts'
import { memoryBackingNote } from '../../../harness/results/precision.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-breakdown-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

const SHORT = ['--driver', 'native', '--duration', '3s', '--warmup', '1s', '--set', 'producerRate=2000']
const STALL_MS = 300

async function run (name: string, args: string[]): Promise<{ dir: string, stdout: string }> {
  const dir = join(resultsDir, name)
  const outcome = await runBenchCli(['workloads/latency-fixed-rate.yaml', ...SHORT, ...args, '--results-dir', dir])
  expect(outcome.code, outcome.stderr).toBe(0)
  const dirs = runDirsUnder(dir)
  expect(dirs).toHaveLength(1)
  return { dir: dirs[0]!, stdout: outcome.stdout }
}

describe('bench report: broker breakdown and measurement precision', () => {
  it('shows where the time goes when the target is the reference broker', async () => {
    const { dir, stdout } = await run('process', [])
    expect(stdout).toMatch(/end-to-end mean [\d.]+ ms, approx\. by the broker's RequestMetrics: produce queued/)
    const result = readResult(dir)
    const b = result.brokerBreakdown
    expect(b, 'brokerBreakdown').toBeTruthy()
    const produce = b!.apis.find(a => a.request === 'Produce')!
    const fetch = b!.apis.find(a => a.request === 'Fetch')!
    // 2,000 msg/s for 3 s with linger 1 ms: many produce requests, and consumers fetching.
    expect(produce.count).toBeGreaterThan(100)
    expect(fetch.count).toBeGreaterThan(10)
    for (const api of [produce, fetch]) {
      const m = api.meanMs
      const parts = m.RequestQueueTimeMs + m.LocalTimeMs + m.RemoteTimeMs + m.ResponseQueueTimeMs + m.ResponseSendTimeMs
      expect(m.TotalTimeMs).toBeGreaterThan(0)
      expect(m.TotalTimeMs + 1e-6).toBeGreaterThanOrEqual(parts)
    }
    const e2e = b!.endToEnd!
    expect(e2e.meanMs * 1000).toBeCloseTo(result.summary.endToEndLatencyUsAvg!, 0)
    const onPath = e2e.rows.filter(r => r.onPath).reduce((sum, r) => sum + r.meanMs, 0)
    expect(e2e.restMs).toBeCloseTo(e2e.meanMs - onPath, 6)
    expect(e2e.rows.map(r => r.label)).toContain('broker: produce queued + local (decode, validate, append)')

    const p = result.precision!
    expect(p.clockResolutionNs).toBeGreaterThan(0)
    expect(p.clockResolutionNs).toBeLessThan(1_000_000)
    expect(p.histogram).toMatch(/3 significant digits/)
    expect(p.logicalCores).toBeGreaterThan(0)
    expect(p.processes).toMatch(/1 reference broker process/)
    expect(p.workers.map(w => w.source).sort()).toEqual(['consumers-0', 'producers-0'])
    // Without the debug stall no pause comes near it (the third test's flags are its doing).
    expect(p.workers.find(w => w.source === 'producers-0')!.eventLoopDelayMaxMs).toBeLessThan(STALL_MS * 0.8)
    // At 2,000 msg/s both load generators run real-time where the OS allows it.
    const fifo = 'SCHED_FIFO priority 1 (real-time)'
    if (realtimeAllowed()) expect(p.scheduling).toBe(`producers-0: ${fifo}; consumers-0: ${fifo}`)
    else expect(p.scheduling).toMatch(/^producers-0: default scheduler: .+; consumers-0: default scheduler: /)

    const html = readFileSync(join(dir, 'report.html'), 'utf8')
    const md = readFileSync(join(dir, 'report.md'), 'utf8')
    for (const report of [html, md]) {
      expect(report).toContain('Where the time goes (broker RequestMetrics, approximate)')
      expect(report).toContain('Measurement precision')
      expect(report).toMatch(/smallest step seen \d+ ns/)
      expect(report).toMatch(/load-generator scheduling( \| |<\/t[hd]><td>)producers-0: /)
      // The memory row appears exactly when this machine's balloon reports free pages.
      if (memoryBackingNote() === null) expect(p.memory).toBeUndefined()
      else expect(report).toMatch(/memory( \| |<\/t[hd]><td>)a VM whose host backs memory on first write/)
    }
    expect(html).toContain('id="broker-breakdown"')
  }, 120_000)

  it('leaves the breakdown out, without failing, when the target has no /metrics', async () => {
    const broker = await startBrokerProcess({ httpPort: 'none' })
    try {
      const { dir } = await run('external', ['--bootstrap', broker.bootstrap, '--no-realtime'])
      const result = readResult(dir)
      expect(result.cluster?.backend).toBe('external')
      expect(result.status).toBe('complete')
      expect(result.brokerBreakdown).toBeNull()
      expect(result.precision?.brokerHistogram).toBeNull()
      expect(result.precision?.scheduling).toBe('producers-0: default scheduler; consumers-0: default scheduler')
      const html = readFileSync(join(dir, 'report.html'), 'utf8')
      expect(html).not.toContain('Where the time goes')
      expect(html).toContain('Measurement precision')
    } finally {
      await broker.stop()
      await removeDir(broker.dataDir)
    }
  }, 120_000)

  it('flags a run whose producer worker was stalled', async () => {
    process.env.SLUICE_DEBUG_WORKER_STALL_MS = String(STALL_MS)
    let dir: string
    let stdout: string
    try {
      ({ dir, stdout } = await run('stalled', []))
    } finally {
      delete process.env.SLUICE_DEBUG_WORKER_STALL_MS
    }
    const result = readResult(dir)
    const producer = result.precision!.workers.find(w => w.source === 'producers-0')!
    expect(producer.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(STALL_MS * 0.8)
    expect(producer.secondsBehind).toBeGreaterThan(0)
    const flags = result.precision!.disturbed
    expect(flags.some(f => f.startsWith('producers-0 fell behind its schedule'))).toBe(true)
    expect(flags.some(f => f.startsWith('producers-0\'s event loop was blocked'))).toBe(true)
    expect(stdout).toMatch(/disturbed: producers-0 fell behind/)
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/Disturbed: producers-0 fell behind/)
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/Disturbed: producers-0 fell behind/)
  }, 120_000)
})
