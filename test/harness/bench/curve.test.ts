// The latency-throughput curve (issue 13: the latency workload at 20%, 50% and 80% of the
// max rate, drawn in the report): flag parsing, the report's chart, and one short real
// curve through the CLI against the reference broker, with --max-rate so no search runs.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CURVE_FORMAT, parseCurvePercents, parseMaxRate, stepRate } from '../../../harness/bench/curve.ts'
import type { CurveResult, CurveStep } from '../../../harness/bench/curve.ts'
import { curveToHtml, curveToMarkdown } from '../../../harness/report/curve-report.ts'
import { runBenchCli } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-curve-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

function step (percent: number, target: number, achieved: number, e2eP99Us: number): CurveStep {
  return {
    percent, targetRateMsgPerSec: target, publishRateMsgPerSec: achieved, held: achieved >= 0.95 * target,
    publishLatencyUs: { p50: 500, p99: 900, p999: 1200 }, endToEndLatencyUs: { p50: 800, p99: e2eP99Us, p999: e2eP99Us * 2 },
    publishDelayUsP99: 100, status: 'complete', runDir: `run-${percent}`,
  }
}

describe('latency-throughput curve', () => {
  it('parses --curve and --max-rate, naming the flag on bad input', () => {
    expect(parseCurvePercents('80, 20,50%')).toEqual([20, 50, 80])
    for (const bad of ['', '0', '101', '20,,50', 'x', '20,20']) expect(() => parseCurvePercents(bad), bad).toThrow(/--curve/)
    expect(parseMaxRate('60000')).toBe(60000)
    expect(() => parseMaxRate('-1')).toThrow(/--max-rate/)
    expect(stepRate(64_700, 20)).toBe(12_940)
  })

  it('draws latency against achieved throughput and marks a step that did not hold its rate', () => {
    const curve: CurveResult = {
      format: CURVE_FORMAT, workload: 'w', driver: 'native', maxRateMsgPerSec: 10_000, maxRateSource: 'flag',
      startTime: 't0', endTime: 't1', steps: [step(20, 2000, 2000, 3000), step(80, 8000, 6000, 90_000)],
    }
    const html = curveToHtml(curve)
    expect(html).toContain('id="latency-throughput-curve"')
    expect(html).toMatch(/end-to-end p99 at 80% \(rate not held\), 6000 msg\/s: 90 ms/)
    // The held step's points are filled, the other's hollow.
    expect(html).toMatch(/fill="white" stroke="#ea580c"/)
    // Each step's row links to that run's own report.
    expect(html).toContain('<a href="run-80/report.html">run-80</a>')
    expect(curveToMarkdown(curve)).toMatch(/\| 80% \(rate not held\) \| 8000 \| 6000 \| 0\.80 \/ 90\.00 \/ 180\.00 \|/)
  })

  it('runs the workload at each percentage of --max-rate through the CLI', async () => {
    const dir = join(resultsDir, 'cli')
    const outcome = await runBenchCli(['workloads/latency-fixed-rate.yaml', '--driver', 'native', '--curve', '20,60', '--max-rate', '5000',
      '--duration', '2s', '--warmup', '0s', '--json', '--results-dir', dir])
    expect(outcome.code, outcome.stderr).toBe(0)
    const curve = JSON.parse(outcome.stdout) as CurveResult
    expect(curve.steps.map(s => [s.percent, s.targetRateMsgPerSec])).toEqual([[20, 1000], [60, 3000]])
    const [low, high] = curve.steps as [CurveStep, CurveStep]
    console.log(`curve steps achieved ${low.publishRateMsgPerSec.toFixed(0)} and ${high.publishRateMsgPerSec.toFixed(0)} msg/s`)
    expect(high.publishRateMsgPerSec).toBeGreaterThan(1.5 * low.publishRateMsgPerSec)
    for (const s of curve.steps) expect(s.endToEndLatencyUs.p50).toBeGreaterThan(0)
    const curveDir = join(dir, 'latest')
    expect(readFileSync(join(curveDir, 'curve.html'), 'utf8')).toContain('id="latency-throughput-curve"')
    for (const s of curve.steps) expect(existsSync(join(curveDir, s.runDir, 'result.json'))).toBe(true)
  }, 60_000)
})
