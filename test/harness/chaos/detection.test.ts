// Time from fault to detection, from hand-written verdict cases, op times and fault bands:
// which fault is blamed, the two delays after its start, runs with no anomaly, an anomaly
// before any fault, white-box anomalies (no ops, not timed), and the soak's median and max.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Case, Findings } from '../../../chaos/check/anomaly.ts'
import type { FaultBand } from '../../../chaos/run/timeline.ts'
import { detectionStats, detectRun, faultBefore, faultBetween, formatDetection, formatDetectionShort, runDetection } from '../../../harness/chaos/detection.ts'
import type { Detection } from '../../../harness/chaos/detection.ts'

function c (ops: number[]): Case {
  return { values: [], offsets: [], ops }
}

/** Op i completed at times[i] seconds. */
function times (secs: Record<number, number>): Map<number, number> {
  return new Map(Object.entries(secs).map(([op, sec]) => [Number(op), Math.round(sec * 1e9)]))
}

const BANDS: FaultBand[] = [
  { startSec: 5, endSec: 8, label: 'kill broker-0' },
  { startSec: 12, endSec: 20, label: 'split isolate broker-1' },
]

describe('detectRun', () => {
  it('blames the fault in force at the first anomalous op and times both delays from its start', () => {
    const anomalies: Findings = {
      // Evidence complete at op 40 (15.5 s) although its first op is the earliest (op 30, 13 s).
      'lost-write': [c([30, 40])],
      // Starts later (op 35) but its evidence is complete first (op 36, 14.25 s).
      duplicate: [c([35, 36])],
    }
    const d = detectRun({ anomalies, bands: BANDS, opTimeNs: times({ 30: 13, 35: 14, 36: 14.25, 40: 15.5 }), finalPollsEndNs: null })!
    expect(d.fault).toEqual({ label: 'split isolate broker-1', startSec: 12, inForce: true, startedAfterOp: false })
    expect(d.firstAnomalousOp).toEqual({ index: 30, anomaly: 'lost-write', atSec: 13 })
    expect(d.firstEvidence).toEqual({ anomaly: 'duplicate', lastOp: 36, atSec: 14.25 })
    expect(d.anomalousOpAfterFaultSec).toBeCloseTo(1, 9)
    expect(d.evidenceAfterFaultSec).toBeCloseTo(2.25, 9)
    expect(d.withoutOps).toEqual([])
    expect(formatDetectionShort(d)).toBe('fault split isolate broker-1 at 12.0 s, first anomalous op +1.00 s, evidence +2.25 s')
  })

  it('blames the most recent healed fault when none is in force', () => {
    const d = detectRun({ anomalies: { 'poll-skip': [c([50])] }, bands: BANDS, opTimeNs: times({ 50: 10 }), finalPollsEndNs: null })!
    expect(d.fault).toEqual({ label: 'kill broker-0', startSec: 5, inForce: false, startedAfterOp: false })
    expect(d.anomalousOpAfterFaultSec).toBeCloseTo(5, 9)
    expect(d.evidenceAfterFaultSec).toBeCloseTo(5, 9)
    expect(formatDetection(d)).toContain('(healed by then)')
  })

  it('times an absence (unseen, missing output) at the end of the final polls, not at its send', () => {
    const end = 40e9
    const unseen = detectRun({ anomalies: { unseen: [c([50])] }, bands: BANDS, opTimeNs: times({ 50: 13 }), finalPollsEndNs: end })!
    expect(unseen.firstAnomalousOp.atSec).toBe(13)
    expect(unseen.firstEvidence).toEqual({ anomaly: 'unseen', lastOp: -1, atSec: 40 })
    expect(unseen.evidenceAfterFaultSec).toBeCloseTo(28, 9)
    expect(formatDetection(unseen)).toContain('evidence +28.00 s (unseen, end of the final polls)')
    const missing: Case = { ...c([50]), kind: 'missing' }
    const duplicated: Case = { ...c([51, 52]), kind: 'duplicated' }
    const d = detectRun({ anomalies: { 'exactly-once': [missing, duplicated] }, bands: BANDS, opTimeNs: times({ 50: 13, 51: 14, 52: 15 }), finalPollsEndNs: end })!
    expect(d.firstAnomalousOp.index).toBe(50)
    expect(d.firstEvidence).toEqual({ anomaly: 'exactly-once', lastOp: 52, atSec: 15 })
  })

  it('prefers a long fault still in force over a short one that came and went inside it', () => {
    const bands = [{ startSec: 2, endSec: 30, label: 'long' }, { startSec: 4, endSec: 5, label: 'short' }]
    expect(faultBefore(bands, 6)).toEqual({ label: 'long', startSec: 2, inForce: true, startedAfterOp: false })
    expect(faultBefore(bands, 4.5)).toEqual({ label: 'short', startSec: 4, inForce: true, startedAfterOp: false })
    expect(faultBefore(bands, 1)).toBeNull()
    expect(faultBetween(bands, 1, 3)).toEqual({ label: 'long', startSec: 2, inForce: true, startedAfterOp: true })
    expect(faultBetween(bands, 2, 3.9)).toBeNull()
  })

  it('blames the first fault after an op acknowledged just before it, with a negative delay', () => {
    // A send acked at 4.9 s, lost when broker-0 was killed at 5 s: seen missing at 9 s.
    const d = detectRun({ anomalies: { 'lost-write': [c([10, 90])] }, bands: BANDS, opTimeNs: times({ 10: 4.9, 90: 9 }), finalPollsEndNs: null })!
    expect(d.fault).toEqual({ label: 'kill broker-0', startSec: 5, inForce: true, startedAfterOp: true })
    expect(d.anomalousOpAfterFaultSec).toBeCloseTo(-0.1, 9)
    expect(d.evidenceAfterFaultSec).toBeCloseTo(4, 9)
    expect(formatDetectionShort(d)).toBe('fault kill broker-0 at 5.0 s, first anomalous op -0.10 s, evidence +4.00 s')
    expect(formatDetection(d)).toContain('(started after the first anomalous op)')
  })

  it('says "before the first fault" and gives no delays when the anomaly precedes every fault', () => {
    const d = detectRun({ anomalies: { duplicate: [c([3, 4])] }, bands: BANDS, opTimeNs: times({ 3: 1, 4: 2 }), finalPollsEndNs: null })!
    expect(d.fault).toBeNull()
    expect(d.anomalousOpAfterFaultSec).toBeNull()
    expect(d.evidenceAfterFaultSec).toBeNull()
    expect(d.firstEvidence.atSec).toBe(2)
    expect(formatDetection(d)).toContain('before the first fault')
    expect(formatDetectionShort(d)).toBe('before the first fault: first anomalous op at 1.0 s, evidence at 2.0 s')
  })

  it('has no detection without anomalies', () => {
    expect(detectRun({ anomalies: {}, bands: BANDS, opTimeNs: new Map(), finalPollsEndNs: null })).toBeNull()
  })

  it('leaves white-box anomalies out: alone they give no detection, beside others they are listed', () => {
    const whitebox: Findings = { 'hw-regression': [c([])], 'replica-divergence': [c([])] }
    expect(detectRun({ anomalies: whitebox, bands: BANDS, opTimeNs: new Map(), finalPollsEndNs: null })).toBeNull()
    const d = detectRun({ anomalies: { ...whitebox, 'lost-write': [c([7])] }, bands: BANDS, opTimeNs: times({ 7: 6 }), finalPollsEndNs: null })!
    expect(d.withoutOps).toEqual(['hw-regression', 'replica-divergence'])
    expect(d.anomalousOpAfterFaultSec).toBeCloseTo(1, 9)
    expect(formatDetection(d)).toContain('not timed, no ops: hw-regression, replica-divergence')
  })
})

describe('runDetection', () => {
  it('reads the cited ops\' times from a saved history, and is null for a valid verdict', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'sluice-detection-'))
    try {
      const path = join(dir, 'history.jsonl')
      const op = (index: number, sec: number): string =>
        JSON.stringify({ index, timeNs: sec * 1e9, process: 0, type: 'ok', f: 'poll', value: [['poll', {}]] })
      const finalPoll = JSON.stringify({ index: 3, timeNs: 12e9, process: 1, type: 'ok', f: 'poll', final: true, value: [['poll', {}]] })
      await writeFile(path, [op(0, 1), op(1, 7), op(2, 9), finalPoll].join('\n') + '\n')
      const bands = [{ startSec: 6, endSec: 10, label: 'pause broker-2' }]
      const d = await runDetection(path, { valid: false, anomalies: { 'poll-skip': [c([1, 2])] } }, bands)
      expect(d?.anomalousOpAfterFaultSec).toBeCloseTo(1, 9)
      expect(d?.evidenceAfterFaultSec).toBeCloseTo(3, 9)
      const unseen = await runDetection(path, { valid: false, anomalies: { unseen: [c([1])] } }, bands)
      expect(unseen?.firstEvidence).toEqual({ anomaly: 'unseen', lastOp: -1, atSec: 12 })
      expect(await runDetection(path, { valid: true, anomalies: {} }, bands)).toBeNull()
      expect(await runDetection(join(dir, 'missing.jsonl'), { valid: false, anomalies: { 'poll-skip': [c([1])] } }, bands)).toBeNull()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('detectionStats', () => {
  function timed (a: number, e: number): Detection {
    return {
      firstAnomalousOp: { index: 1, anomaly: 'lost-write', atSec: 10 + a },
      firstEvidence: { anomaly: 'lost-write', lastOp: 2, atSec: 10 + e },
      fault: { label: 'kill', startSec: 10, inForce: true, startedAfterOp: false },
      anomalousOpAfterFaultSec: a,
      evidenceAfterFaultSec: e,
      withoutOps: [],
    }
  }

  it('gives median and max over runs with a fault, counting the others apart', () => {
    const early: Detection = { ...timed(0, 0), fault: null, anomalousOpAfterFaultSec: null, evidenceAfterFaultSec: null }
    const stats = detectionStats([timed(3, 9), timed(1, 4), early, timed(2, 20), timed(8, 10)])
    expect(stats.timed).toBe(4)
    expect(stats.beforeFirstFault).toBe(1)
    expect(stats.anomalousOp).toEqual({ median: 2.5, max: 8 })
    expect(stats.evidence).toEqual({ median: 9.5, max: 20 })
    expect(detectionStats([timed(3, 9), timed(1, 4), timed(2, 5)]).anomalousOp).toEqual({ median: 2, max: 3 })
    expect(detectionStats([early]).anomalousOp).toBeNull()
  })
})
