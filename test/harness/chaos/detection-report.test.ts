// Where the time from fault to detection is printed: report.md's one line, and the closing
// lines of `sluice soak --expect anomalies` (each caught run, then median and max).

import { describe, expect, it } from 'vitest'
import type { Detection } from '../../../harness/chaos/detection.ts'
import { detectionLine } from '../../../harness/chaos/report-markdown.ts'
import type { ChaosResult } from '../../../harness/chaos/result.ts'
import { soakReport } from '../../../harness/chaos/soak.ts'
import type { SoakOptions, SoakRun } from '../../../harness/chaos/soak.ts'

function detection (startSec: number | null, a: number, e: number): Detection {
  const base = startSec ?? 0
  return {
    firstAnomalousOp: { index: 12, anomaly: 'lost-write', atSec: base + a },
    firstEvidence: { anomaly: 'lost-write', lastOp: 90, atSec: base + e },
    fault: startSec === null ? null : { label: 'kill leader broker-1', startSec, inForce: true, startedAfterOp: false },
    anomalousOpAfterFaultSec: startSec === null ? null : a,
    evidenceAfterFaultSec: startSec === null ? null : e,
    withoutOps: [],
  }
}

function resultWith (valid: boolean, found: Detection | null | undefined): ChaosResult {
  // Only the fields detectionLine reads; the rest of the result plays no part here.
  return { verdict: { valid }, ...(found === undefined ? {} : { detection: found }) } as unknown as ChaosResult
}

describe('report.md detection line', () => {
  it('names the fault and both delays for an invalid run', () => {
    expect(detectionLine(resultWith(false, detection(4, 1.25, 22)))).toBe(
      'Detection: fault kill leader broker-1 at 4.0 s, first anomalous op +1.25 s (op 12, lost-write), evidence +22.00 s (lost-write, op 90).')
  })

  it('says when nothing could be timed, and prints nothing for a valid run or an old result', () => {
    expect(detectionLine(resultWith(false, null))).toMatch(/^Detection: not timed/)
    expect(detectionLine(resultWith(true, null))).toBeNull()
    expect(detectionLine(resultWith(false, undefined))).toBeNull()
  })
})

describe('soak closing lines', () => {
  const options: SoakOptions = { runs: 4, workload: 'w.yaml', resultsDir: '/tmp/x', baseSeed: 1000, sets: [], expect: 'anomalies', write: () => {} }

  function soakRun (seed: number, exitCode: number, found: Detection | null): SoakRun {
    return { run: seed - 1000, seed, exitCode, runDir: `/tmp/x/${seed}`, verdict: exitCode === 1 ? 'lost-write 3' : 'valid', detection: found, seconds: 40 }
  }

  it('prints each caught run\'s delays, then median and max over the timed ones', () => {
    const runs = [soakRun(1001, 1, detection(4, 1, 20)), soakRun(1002, 1, detection(6, 3, 30)), soakRun(1003, 1, detection(null, 0.5, 2)),
      soakRun(1004, 0, null)]
    const summary = { runs, anomalous: runs.slice(0, 3), valid: runs.slice(3), failed: [] }
    const { lines, exitCode } = soakReport(options, summary)
    expect(exitCode).toBe(1)
    expect(lines).toContain('    fault kill leader broker-1 at 4.0 s, first anomalous op +1.00 s, evidence +20.00 s')
    expect(lines).toContain('    before the first fault: first anomalous op at 0.5 s, evidence at 2.0 s')
    expect(lines).toContain('  time from fault over 2 caught run(s) (left out: 1 anomalous before the first fault): ' +
      'first anomalous op median +2.00 s, max +3.00 s; evidence median +25.00 s, max +30.00 s')
  })

  it('says n/a when no caught run could be timed', () => {
    const runs = [soakRun(1001, 1, null)]
    const { lines } = soakReport(options, { runs, anomalous: runs, valid: [], failed: [] })
    expect(lines).toContain('  time from fault over 0 caught run(s) (left out: 1 not timed): first anomalous op n/a; evidence n/a')
  })
})
