/**
 * The composed checker: digests a history once, builds the version order, runs every checker and
 * merges their findings into one verdict. Pure: the same ops always give the same verdict, which
 * is what lets `sluice check <history>` reproduce the live run's verdict offline.
 *
 * Validity: `false` when any anomaly was found (a found anomaly is a fact even if another checker
 * crashed), else `unknown` when any checker (or reading the history) threw or the history gave
 * nothing to judge (see `nothingToCheck`), else `true`. A checker that throws, or a history
 * with nothing in it, can therefore never look valid.
 */
import { ANOMALY_NAMES } from './anomaly.ts'
import type { AnomalyName, Case, CheckContext, Checker, Findings } from './anomaly.ts'
import { abortedReadChecker } from './aborted-read.ts'
import { cycleChecker } from './cycles.ts'
import { Digester, digestHistory, emptyStats } from './digest.ts'
import type { Digest, DigestStats } from './digest.ts'
import { duplicatesChecker } from './duplicates.ts'
import { exactlyOnceChecker } from './exactly-once.ts'
import type { Op } from './history.ts'
import { atLine, forEachHistoryOp } from './history-file.ts'
import { validateOpValue } from './op-values.ts'
import { inconsistentOffsetsChecker } from './inconsistent-offsets.ts'
import { lostWriteChecker } from './lost-write.ts'
import { pollOrderChecker } from './poll-order.ts'
import { plotsOf } from './plots.ts'
import type { Plots } from './plots.ts'
import { precommittedReadChecker } from './precommitted-read.ts'
import { internalSendChecker } from './internal-send.ts'
import { nonmonotonicSendChecker, orderChecker } from './send-order.ts'
import { unseenChecker } from './unseen.ts'
import { buildVersionOrder } from './version-order.ts'


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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function validity(anomalies: Findings, errors: readonly CheckError[], unknownReasons: readonly string[]): VerdictValidity {
  if (Object.keys(anomalies).length > 0) return false
  return errors.length > 0 || unknownReasons.length > 0 ? 'unknown' : true
}

function uncheckedOf(digest: Digest): string[] {
  if (digest.stats.pollsFinal > 0) return []
  const unchecked = ['unseen (no final polls)']
  if (digest.transform.size > 0) unchecked.push('exactly-once missing outputs (no final polls)')
  return unchecked
}

/** Reasons a history gives the checkers nothing to judge; empty when it can be judged. */
export function nothingToCheck(digest: Digest, options: CheckOptions): string[] {
  const s = digest.stats
  if (s.ops === 0) return ['the history is empty']
  const reasons: string[] = []
  if (s.sendsOk + s.sendsInfo + s.sendsFail === 0) reasons.push('no sends: nothing was written for a checker to judge')
  else if (s.valuesRead === 0) reasons.push('no poll returned any value: no read depends on a write')
  if (options.requireFinalPolls === true && s.pollsFinal === 0) {
    reasons.push('no final polls: the history ends before the final reads (a run cut short, or a truncated file), so unseen values cannot be told from lost ones')
  }
  return reasons
}

function emptyVerdict(errors: CheckError[], stats: DigestStats): Verdict {
  return { valid: 'unknown', anomalies: {}, anomalyCounts: {}, errors, unchecked: [], unknownReasons: [], checkers: [], stats }
}

/** Runs the checkers over a digest and merges their findings into a verdict. */
export function checkDigest(digest: Digest, options: CheckOptions = {}, lines?: ReadonlyMap<number, number>): Verdict {
  const casesMax = options.casesMax ?? CASES_PER_ANOMALY_MAX
  const errors: CheckError[] = []
  let context: CheckContext
  try {
    context = { digest, order: buildVersionOrder(digest) }
  } catch (error) {
    return emptyVerdict([{ checker: 'history', message: messageOf(error) }], digest.stats)
  }
  const merged = new Map<AnomalyName, Case[]>()
  const ran: string[] = []
  const checkers = options.checkers ?? CHECKERS
  for (const [i, checker] of checkers.entries()) {
    options.onChecker?.(checker.name, i + 1, checkers.length)
    let findings: Findings
    try {
      findings = checker.check(context)
    } catch (error) {
      errors.push({ checker: checker.name, message: messageOf(error) })
      continue
    }
    ran.push(checker.name)
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
  const unknownReasons = nothingToCheck(digest, options)
  const verdict: Verdict = {
    valid: validity(anomalies, errors, unknownReasons),
    anomalies, anomalyCounts, errors, unchecked: uncheckedOf(digest), unknownReasons, checkers: ran, stats: digest.stats,
  }
  if (options.plots === true) verdict.plots = plotsOf(context, anomalies)
  const opLines = citedLines(anomalies, lines)
  if (opLines !== undefined) verdict.opLines = opLines
  return verdict
}

function citedLines(anomalies: Findings, lines: ReadonlyMap<number, number> | undefined): Record<number, number> | undefined {
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

/** Checks a history held in memory. Never throws on a bad history: that gives `unknown`. */
export function checkHistory(ops: readonly Op[], options: CheckOptions = {}): Verdict {
  let digest: Digest
  try {
    digest = digestHistory(ops)
  } catch (error) {
    return emptyVerdict([{ checker: 'history', message: messageOf(error) }], emptyStats(ops.length))
  }
  return checkDigest(digest, options)
}

export interface FileCheckOptions extends CheckOptions {
  /** Called every `progressEveryOps` ops (default a million) with the ops read so far. */
  onProgress?: (opsRead: number) => void
  progressEveryOps?: number
}

/**
 * Reads a JSONL history file op by op into a digest (the ops themselves are not kept, so memory
 * follows what the checkers need, not the file's size) and checks it. A file that cannot be
 * parsed rejects with a HistoryError naming the line (and field); that is a broken file, not a
 * verdict.
 */
export async function checkHistoryFile(path: string, options: FileCheckOptions = {}): Promise<Verdict> {
  const digester = new Digester()
  const lines = new Map<number, number>()
  await forEachHistoryOp(path, (op, line) => {
    // The digest decodes each completion's value as it adds it; invokes it skips are
    // validated here, so a file is held to the same rules as with full validation.
    try {
      if (op.type === 'invoke') validateOpValue(op)
      digester.add(op)
    } catch (error) {
      throw atLine(error, line)
    }
    if (line !== op.index + 1) lines.set(op.index, line)
  }, {
    validateValues: false,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.progressEveryOps === undefined ? {} : { progressEveryOps: options.progressEveryOps }),
  })
  return checkDigest(digester.finish(), options, lines)
}
