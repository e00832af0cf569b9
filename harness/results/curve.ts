// curve.json: a latency-throughput curve (`sluice bench --curve`, harness/bench/curve.ts runs
// it), the data the curve report (harness/report/curve-report.ts) draws. Here, in the results
// layer, so the report reads it without importing the bench runner.

import type { BenchResult } from './result.ts'

export const CURVE_FORMAT = 'sluice-latency-curve'

export interface CurveStep {
  /** Percent of the maximum rate; 100 for the max-rate run itself. */
  percent: number
  targetRateMsgPerSec: number
  publishRateMsgPerSec: number
  /** Published at least 95% of the target over the measured phase. */
  held: boolean
  publishLatencyUs: Quantiles
  endToEndLatencyUs: Quantiles
  publishDelayUsP99: number | null
  status: BenchResult['status']
  /** The step's run directory, inside the curve's. */
  runDir: string
}

export interface Quantiles { p50: number | null, p99: number | null, p999: number | null }

export interface CurveResult {
  format: typeof CURVE_FORMAT
  workload: string
  driver: string
  maxRateMsgPerSec: number
  /** 'search': found by the max-rate run (its step is the 100% point); 'flag': --max-rate. */
  maxRateSource: 'search' | 'flag'
  startTime: string
  endTime: string
  steps: CurveStep[]
}

