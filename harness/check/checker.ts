/**
 * The composed checker: digests a history once, builds the version order, runs every checker and
 * merges their findings into one verdict. Pure: the same ops always give the same verdict, which
 * is what lets `sluice check <history>` reproduce the live run's verdict offline.
 *
 * Validity: `false` when any anomaly was found (a found anomaly is a fact even if another checker
 * crashed), else `unknown` when any checker (or reading the history) threw, else `true`. A
 * checker that throws can therefore never make a history look valid.
 */
import { ANOMALY_NAMES } from './anomaly.ts'
import type { AnomalyName, Case, CheckContext, Checker, Findings } from './anomaly.ts'
import { abortedReadChecker } from './aborted-read.ts'
import { digestHistory, emptyStats } from './digest.ts'
import type { DigestStats } from './digest.ts'
import { duplicatesChecker } from './duplicates.ts'
import { exactlyOnceChecker } from './exactly-once.ts'
import type { Op } from './history.ts'
import { readHistoryFile } from './history-file.ts'
import { inconsistentOffsetsChecker } from './inconsistent-offsets.ts'
import { lostWriteChecker } from './lost-write.ts'
import { pollOrderChecker } from './poll-order.ts'
import { precommittedReadChecker } from './precommitted-read.ts'
import { nonmonotonicSendChecker, orderChecker } from './send-order.ts'
import { unseenChecker } from './unseen.ts'
import { buildVersionOrder } from './version-order.ts'

export { formatVerdict } from './format-verdict.ts'

export type VerdictValidity = true | false | 'unknown'

export interface CheckError {
  /** The checker that threw, or "history" when the history itself could not be digested. */
  checker: string
  message: string
}

export interface Verdict {
  valid: VerdictValidity
  /** Only anomalies with at least one case, each list cut to `casesMax` cases. */
  anomalies: Findings
  /** Cases found per anomaly before the cut. */
  anomalyCounts: Partial<Record<AnomalyName, number>>
  errors: CheckError[]
  /** Checks this history cannot decide, e.g. `unseen` without final polls. */
  unchecked: string[]
  stats: DigestStats
}

export interface CheckOptions {
  checkers?: readonly Checker[]
  /** Cases kept per anomaly; the count stays exact. */
  casesMax?: number
}

export const CASES_PER_ANOMALY_MAX = 10_000

export const CHECKERS: readonly Checker[] = [
  inconsistentOffsetsChecker,
  duplicatesChecker,
  lostWriteChecker,
  unseenChecker,
  pollOrderChecker,
  nonmonotonicSendChecker,
  orderChecker,
  abortedReadChecker,
  precommittedReadChecker,
  exactlyOnceChecker,
]

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function validity(anomalies: Findings, errors: readonly CheckError[]): VerdictValidity {
  if (Object.keys(anomalies).length > 0) return false
  return errors.length > 0 ? 'unknown' : true
}

function uncheckedOf(context: CheckContext): string[] {
  if (context.digest.stats.pollsFinal > 0) return []
  const unchecked = ['unseen (no final polls)']
  if (context.digest.transform.size > 0) unchecked.push('exactly-once missing outputs (no final polls)')
  return unchecked
}

/** Checks a history held in memory. Never throws on a bad history: that gives `unknown`. */
export function checkHistory(ops: readonly Op[], options: CheckOptions = {}): Verdict {
  const casesMax = options.casesMax ?? CASES_PER_ANOMALY_MAX
  const errors: CheckError[] = []
  let context: CheckContext
  try {
    const digest = digestHistory(ops)
    context = { digest, order: buildVersionOrder(digest) }
  } catch (error) {
    errors.push({ checker: 'history', message: messageOf(error) })
    return { valid: 'unknown', anomalies: {}, anomalyCounts: {}, errors, unchecked: [], stats: emptyStats(ops.length) }
  }
  const merged = new Map<AnomalyName, Case[]>()
  for (const checker of options.checkers ?? CHECKERS) {
    let findings: Findings
    try {
      findings = checker.check(context)
    } catch (error) {
      errors.push({ checker: checker.name, message: messageOf(error) })
      continue
    }
    for (const [name, cases] of Object.entries(findings) as Array<[AnomalyName, Case[]]>) {
      if (cases.length > 0) merged.set(name, [...(merged.get(name) ?? []), ...cases])
    }
  }
  const anomalies: Findings = {}
  const anomalyCounts: Partial<Record<AnomalyName, number>> = {}
  for (const name of ANOMALY_NAMES) {
    const cases = merged.get(name)
    if (cases === undefined) continue
    anomalies[name] = cases.slice(0, casesMax)
    anomalyCounts[name] = cases.length
  }
  return { valid: validity(anomalies, errors), anomalies, anomalyCounts, errors, unchecked: uncheckedOf(context), stats: context.digest.stats }
}

/**
 * Reads a JSONL history file and checks it. A file that cannot be parsed rejects with a
 * HistoryError naming the line (and field); that is a broken file, not a verdict.
 */
export async function checkHistoryFile(path: string, options: CheckOptions = {}): Promise<Verdict> {
  return checkHistory(await readHistoryFile(path), options)
}
