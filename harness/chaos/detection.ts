// Time from fault to detection (issue #10): for a run whose history shows anomalies, which
// fault was behind the first anomalous op, how long after that fault's start the first
// anomalous op completed, and how long until some case's evidence was complete.
//
// Everything is on the history's clock: op `timeNs` and the nemesis bands' `startSec`
// (timeline.ts builds the bands from the nemesis ops' own `timeNs`), so no wall clock enters.
// White-box anomalies (replica-divergence, hw-regression, epoch-two-leaders) cite no ops:
// they are found on the broker's state after the run and have no time, so they are left out
// and only listed in `withoutOps`. A run with white-box anomalies alone has no detection.
// `unseen` and the `missing` kind of exactly-once cite only the send: "never read" is only
// known once the final polls have read everything, so their evidence is complete at the last
// final poll, not at the send.

import type { AnomalyName, Case, Findings } from '../../chaos/check/anomaly.ts'
import { forEachHistoryOp } from '../../chaos/check/history-file.ts'
import type { FaultBand } from '../../chaos/run/timeline.ts'

export interface DetectionFault {
  label: string
  startSec: number
  /** True when the fault was still in force at the first anomalous op (else it had healed). */
  inForce: boolean
  /**
   * True when no fault had started by the first anomalous op and this is the first fault
   * started between that op and the first evidence: the delay to the op is then negative.
   * Typical of lost writes, whose first op is the send acknowledged just before the fault
   * that undid it (acks=1: acked by a leader that is then cut off before replicating).
   */
  startedAfterOp: boolean
}

export interface Detection {
  /** The earliest op index cited by any case, the anomaly citing it, and when it completed. */
  firstAnomalousOp: { index: number, anomaly: AnomalyName, atSec: number }
  /**
   * The case whose evidence was complete first: its latest op and that op's time; lastOp is
   * -1 when the case was only complete at the end of the final polls (unseen, missing output).
   */
  firstEvidence: { anomaly: AnomalyName, lastOp: number, atSec: number }
  /**
   * The fault behind the first anomalous op: in force at it or started last before it, else
   * the first started between it and the first evidence; null when none started by then.
   */
  fault: DetectionFault | null
  /** firstAnomalousOp.atSec - fault.startSec (null without a fault). */
  anomalousOpAfterFaultSec: number | null
  /** firstEvidence.atSec - fault.startSec (null without a fault). */
  evidenceAfterFaultSec: number | null
  /** Anomalies found whose cases cite no op (white-box): not timed. */
  withoutOps: AnomalyName[]
}

export interface DetectionInput {
  anomalies: Findings
  bands: readonly FaultBand[]
  /** Completion time of each op cited by the cases, by op index (history `timeNs`). */
  opTimeNs: ReadonlyMap<number, number>
  /** Completion time of the last final poll (history `timeNs`); null when there was none. */
  finalPollsEndNs: number | null
}

/** Cases whose evidence is the absence of a value, only complete when the final polls end. */
function decidedByFinalPolls (anomaly: AnomalyName, found: Case): boolean {
  return anomaly === 'unseen' || (anomaly === 'exactly-once' && found.kind === 'missing')
}

/** The op indexes cited by the cases, to know which op times to read from the history. */
export function citedOps (anomalies: Findings): Set<number> {
  const cited = new Set<number>()
  for (const cases of Object.values(anomalies)) for (const c of cases ?? []) for (const op of c.ops) cited.add(op)
  return cited
}

/**
 * The fault in force at `atSec` that started last, or else the one that started last before
 * `atSec` (already healed). In force wins: a short fault that came and went during a long one
 * is less likely the cause than the one still acting.
 */
export function faultBefore (bands: readonly FaultBand[], atSec: number): DetectionFault | null {
  let inForce: FaultBand | null = null
  let healed: FaultBand | null = null
  for (const band of bands) {
    if (band.startSec > atSec) continue
    if (band.endSec >= atSec) {
      if (inForce === null || band.startSec >= inForce.startSec) inForce = band
    } else if (healed === null || band.startSec >= healed.startSec) healed = band
  }
  const chosen = inForce ?? healed
  return chosen === null ? null : { label: chosen.label, startSec: chosen.startSec, inForce: inForce !== null, startedAfterOp: false }
}

/** The first fault started in (fromSec, toSec]: the one that may have undone an op acknowledged at fromSec. */
export function faultBetween (bands: readonly FaultBand[], fromSec: number, toSec: number): DetectionFault | null {
  let first: FaultBand | null = null
  for (const band of bands) {
    if (band.startSec <= fromSec || band.startSec > toSec) continue
    if (first === null || band.startSec < first.startSec) first = band
  }
  return first === null ? null : { label: first.label, startSec: first.startSec, inForce: true, startedAfterOp: true }
}

interface TimedCase { anomaly: AnomalyName, firstOp: number, lastOp: number, lastSec: number }

/**
 * A case's earliest op and the time its evidence was complete (its latest op, or the end of
 * the final polls for absences); null when none of its ops has a known time.
 */
function timeCase (anomaly: AnomalyName, found: Case, input: DetectionInput): TimedCase | null {
  let timed: TimedCase | null = null
  for (const op of found.ops) {
    const ns = input.opTimeNs.get(op)
    if (ns === undefined) continue
    const sec = ns / 1e9
    if (timed === null) timed = { anomaly, firstOp: op, lastOp: op, lastSec: sec }
    else {
      if (op < timed.firstOp) timed.firstOp = op
      if (sec > timed.lastSec) { timed.lastSec = sec; timed.lastOp = op }
    }
  }
  const endNs = input.finalPollsEndNs
  if (timed !== null && endNs !== null && decidedByFinalPolls(anomaly, found) && endNs / 1e9 > timed.lastSec) {
    timed.lastSec = endNs / 1e9
    timed.lastOp = -1
  }
  return timed
}

/** Pure: the detection of one finished run, or null when no case cites a timed op. */
export function detectRun (input: DetectionInput): Detection | null {
  const withoutOps: AnomalyName[] = []
  let first: TimedCase | null = null
  let evidence: TimedCase | null = null
  for (const [name, cases] of Object.entries(input.anomalies) as Array<[AnomalyName, Case[]]>) {
    let timedAny = false
    for (const found of cases) {
      const timed = timeCase(name, found, input)
      if (timed === null) continue
      timedAny = true
      if (first === null || timed.firstOp < first.firstOp) first = timed
      if (evidence === null || timed.lastSec < evidence.lastSec) evidence = timed
    }
    if (!timedAny && cases.length > 0) withoutOps.push(name)
  }
  if (first === null || evidence === null) return null
  const firstSec = input.opTimeNs.get(first.firstOp)! / 1e9
  const fault = faultBefore(input.bands, firstSec) ?? faultBetween(input.bands, firstSec, evidence.lastSec)
  return {
    firstAnomalousOp: { index: first.firstOp, anomaly: first.anomaly, atSec: firstSec },
    firstEvidence: { anomaly: evidence.anomaly, lastOp: evidence.lastOp, atSec: evidence.lastSec },
    fault,
    anomalousOpAfterFaultSec: fault === null ? null : firstSec - fault.startSec,
    evidenceAfterFaultSec: fault === null ? null : evidence.lastSec - fault.startSec,
    withoutOps,
  }
}

/** Reads the cited ops' completion times and the last final poll's from a saved history (one pass). */
export async function readOpTimes (historyPath: string, wanted: ReadonlySet<number>):
  Promise<{ opTimeNs: Map<number, number>, finalPollsEndNs: number | null }> {
  const opTimeNs = new Map<number, number>()
  let finalPollsEndNs: number | null = null
  await forEachHistoryOp(historyPath, op => {
    if (wanted.has(op.index)) opTimeNs.set(op.index, op.timeNs)
    if (op.final === true && op.type !== 'invoke') finalPollsEndNs = Math.max(finalPollsEndNs ?? 0, op.timeNs)
  }, { validateValues: false })
  return { opTimeNs, finalPollsEndNs }
}

/**
 * The detection of a finished chaos run, for result.json: null when the verdict is not
 * invalid, when only white-box anomalies were found, or when the history cannot be read
 * (the verdict already says what went wrong there; detection is only a figure on top).
 */
export async function runDetection (historyPath: string, verdict: { valid: unknown, anomalies: Findings } | null,
  bands: readonly FaultBand[]): Promise<Detection | null> {
  if (verdict === null || verdict.valid !== false) return null
  try {
    const times = await readOpTimes(historyPath, citedOps(verdict.anomalies))
    return detectRun({ anomalies: verdict.anomalies, bands, ...times })
  } catch {
    return null
  }
}

function seconds (value: number): string {
  return `${value.toFixed(1)} s`
}

/**
 * A delay after the fault's start: "+1.25 s", or "-0.07 s" for an op acknowledged before it.
 * Two decimals: first anomalous ops often come tens of milliseconds after the fault.
 */
export function signed (value: number): string {
  return `${value < 0 ? '' : '+'}${value.toFixed(2)} s`
}

function evidenceWhere (evidence: Detection['firstEvidence']): string {
  return `${evidence.anomaly}, ${evidence.lastOp === -1 ? 'end of the final polls' : `op ${evidence.lastOp}`}`
}

/** One line for report.md and the soak: fault, then the two delays after its start. */
export function formatDetection (detection: Detection): string {
  const first = detection.firstAnomalousOp
  const evidence = detection.firstEvidence
  const skipped = detection.withoutOps.length === 0 ? '' : ` (not timed, no ops: ${detection.withoutOps.join(', ')})`
  if (detection.fault === null) {
    return `first anomalous op ${first.index} (${first.anomaly}) at ${seconds(first.atSec)}, before the first fault; ` +
      `evidence complete at ${seconds(evidence.atSec)} (${evidenceWhere(evidence)})${skipped}`
  }
  const f = detection.fault
  const when = f.startedAfterOp ? ' (started after the first anomalous op)' : f.inForce ? '' : ' (healed by then)'
  return `fault ${f.label} at ${seconds(f.startSec)}${when}, ` +
    `first anomalous op ${signed(detection.anomalousOpAfterFaultSec!)} (op ${first.index}, ${first.anomaly}), ` +
    `evidence ${signed(detection.evidenceAfterFaultSec!)} (${evidenceWhere(evidence)})${skipped}`
}

/** The soak's line per caught run: "fault X at T s, first anomalous op +A s, evidence +E s". */
export function formatDetectionShort (detection: Detection): string {
  if (detection.fault === null) {
    return `before the first fault: first anomalous op at ${seconds(detection.firstAnomalousOp.atSec)}, evidence at ${seconds(detection.firstEvidence.atSec)}`
  }
  return `fault ${detection.fault.label} at ${seconds(detection.fault.startSec)}, ` +
    `first anomalous op ${signed(detection.anomalousOpAfterFaultSec!)}, evidence ${signed(detection.evidenceAfterFaultSec!)}`
}

export interface DelayStats { median: number, max: number }

export interface DetectionStats {
  /** Runs with a fault before the first anomalous op: the ones the delays are over. */
  timed: number
  /** Runs whose first anomalous op came before the first fault. */
  beforeFirstFault: number
  anomalousOp: DelayStats | null
  evidence: DelayStats | null
}

function delayStats (values: number[]): DelayStats | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, max: sorted[sorted.length - 1]! }
}

/** Median and max of both delays over the runs that had a fault before their first anomalous op. */
export function detectionStats (detections: ReadonlyArray<Detection>): DetectionStats {
  const timed = detections.filter(d => d.fault !== null)
  return {
    timed: timed.length,
    beforeFirstFault: detections.length - timed.length,
    anomalousOp: delayStats(timed.map(d => d.anomalousOpAfterFaultSec!)),
    evidence: delayStats(timed.map(d => d.evidenceAfterFaultSec!)),
  }
}
