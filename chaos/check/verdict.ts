/**
 * What a check returns (the verdict) and what every way of checking shares: the checkers run,
 * the options, and how findings, errors and the history's stats make the verdict's validity.
 * Used by the in-memory check (checker.ts) and the bounded one (bounded-check.ts).
 *
 * Validity: `false` when any anomaly was found (a found anomaly is a fact even if another checker
 * crashed), else `unknown` when any checker (or reading the history) threw or the history gave
 * nothing to judge (see `nothingToCheck`), else `true`. A checker that throws, or a history
 * with nothing in it, can therefore never look valid.
 */
import type { AnomalyName, Checker, Findings } from './anomaly.ts'
import { abortedReadChecker } from './aborted-read.ts'
import { cycleChecker } from './cycles.ts'
import type { DigestStats } from './digest.ts'
import { duplicatesChecker } from './duplicates.ts'
import { exactlyOnceChecker } from './exactly-once.ts'
import { inconsistentOffsetsChecker } from './inconsistent-offsets.ts'
import { internalSendChecker } from './internal-send.ts'
import { lostWriteChecker } from './lost-write.ts'
import type { Plots } from './plots.ts'
import { pollOrderChecker } from './poll-order.ts'
import { precommittedReadChecker } from './precommitted-read.ts'
import { nonmonotonicSendChecker, orderChecker } from './send-order.ts'
import { unseenChecker } from './unseen.ts'

/** The history line of an op where it is not `index + 1` (a Map, or spill.ts's LineShifts). */
export interface OpLineLookup {
  readonly size: number
  get: (op: number) => number | undefined
}

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
  /** Why the verdict is `unknown` although no checker failed: the history gave nothing to judge. */
  unknownReasons: string[]
  /** The checkers that ran to completion, in order. */
  checkers: string[]
  /** History file line of a cited op, only where it is not `index + 1` (the harness's layout). */
  opLines?: Record<number, number>
  /** Bounded data for the report's orders and unseen plots (see plots.ts). */
  plots?: Plots
  stats: DigestStats
}

export interface CheckOptions {
  checkers?: readonly Checker[]
  /** Cases kept per anomaly; the count stays exact. */
  casesMax?: number
  /**
   * A history without final polls is `unknown` (not `valid`): the run was cut short or never
   * read its keys back. What `sluice check` and `sluice chaos` use; unit tests of single
   * checkers may leave it off.
   */
  requireFinalPolls?: boolean
  /** Also compute the report's plot data (`plots`). */
  plots?: boolean
  /** Called as each checker starts (1-based position of the checker), for progress lines. */
  onChecker?: (name: string, position: number, checkers: number) => void
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
  internalSendChecker,
  cycleChecker,
  exactlyOnceChecker,
]

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function validity(anomalies: Findings, errors: readonly CheckError[], unknownReasons: readonly string[]): VerdictValidity {
  if (Object.keys(anomalies).length > 0) return false
  return errors.length > 0 || unknownReasons.length > 0 ? 'unknown' : true
}

/** Checks the history cannot decide; `transformKeys`: input keys of a consume-transform-produce run. */
export function uncheckedOf(stats: DigestStats, transformKeys: number): string[] {
  if (stats.pollsFinal > 0) return []
  const unchecked = ['unseen (no final polls)']
  if (transformKeys > 0) unchecked.push('exactly-once missing outputs (no final polls)')
  return unchecked
}

/** Reasons a history gives the checkers nothing to judge; empty when it can be judged. */
export function nothingToCheck(s: DigestStats, options: CheckOptions): string[] {
  if (s.ops === 0) return ['the history is empty']
  const reasons: string[] = []
  if (s.sendsOk + s.sendsInfo + s.sendsFail === 0) reasons.push('no sends: nothing was written for a checker to judge')
  else if (s.valuesRead === 0) reasons.push('no poll returned any value: no read depends on a write')
  if (options.requireFinalPolls === true && s.pollsFinal === 0) {
    reasons.push('no final polls: the history ends before the final reads (a run cut short, or a truncated file), so unseen values cannot be told from lost ones')
  }
  return reasons
}

export function emptyVerdict(errors: CheckError[], stats: DigestStats): Verdict {
  return { valid: 'unknown', anomalies: {}, anomalyCounts: {}, errors, unchecked: [], unknownReasons: [], checkers: [], stats }
}


export function citedLines(anomalies: Findings, lines: OpLineLookup | undefined): Record<number, number> | undefined {
  if (lines === undefined || lines.size === 0) return undefined
  const cited: Record<number, number> = {}
  let any = false
  for (const cases of Object.values(anomalies)) {
    for (const found of cases) {
      for (const op of found.ops) {
        const line = lines.get(op)
        if (line === undefined) continue
        cited[op] = line
        any = true
      }
    }
  }
  return any ? cited : undefined
}


/** Files above this size are checked in bounded memory (bounded-check.ts). */
export const BOUNDED_ABOVE_BYTES = 128 * 2 ** 20
/** History bytes per key bucket of a bounded check. */
export const BUCKET_BYTES = 64 * 2 ** 20

export interface FileCheckOptions extends CheckOptions {
  /** Called every `progressEveryOps` ops (default a million) with the ops read so far. */
  onProgress?: (opsRead: number) => void
  progressEveryOps?: number
  /** Check in bounded memory when the file is larger than this (default BOUNDED_ABOVE_BYTES; 0: always). */
  boundedAboveBytes?: number
  /** History bytes per key bucket of a bounded check (default BUCKET_BYTES). */
  bucketBytes?: number
  /** Where a bounded check writes its bucket files (a temporary directory inside it, removed after). */
  spillDir?: string
}

