/**
 * The composed checker: digests a history once, builds the version order, runs every checker and
 * merges their findings into one verdict (verdict.ts says how validity is decided). Pure: the
 * same ops always give the same verdict, which is what lets `sluice check <history>` reproduce
 * the live run's verdict offline.
 *
 * A history file above `boundedAboveBytes` is checked in bounded memory instead, key bucket by
 * key bucket (bounded-check.ts): the same anomalies and counts, cases in op order.
 */
import { stat } from 'node:fs/promises'
import { ANOMALY_NAMES } from './anomaly.ts'
import type { AnomalyName, Case, CheckContext, Findings } from './anomaly.ts'
import { checkHistoryFileBounded } from './bounded-check.ts'
import { Digester, digestHistory, emptyStats } from './digest.ts'
import type { Digest } from './digest.ts'
import type { Op } from './history.ts'
import { atLine, forEachHistoryOp } from './history-file.ts'
import { validateOpValue } from './op-values.ts'
import { plotsOf } from './plots.ts'
import { buildVersionOrder } from './version-order.ts'
import { BOUNDED_ABOVE_BYTES, CASES_PER_ANOMALY_MAX, CHECKERS, citedLines, emptyVerdict, messageOf, nothingToCheck, uncheckedOf, validity } from './verdict.ts'
import type { CheckError, CheckOptions, FileCheckOptions, OpLineLookup, Verdict } from './verdict.ts'

export { BOUNDED_ABOVE_BYTES, BUCKET_BYTES, CASES_PER_ANOMALY_MAX, CHECKERS, nothingToCheck } from './verdict.ts'
export type { CheckError, CheckOptions, FileCheckOptions, Verdict, VerdictValidity } from './verdict.ts'

/** Runs the checkers over a digest and merges their findings into a verdict. */
export function checkDigest(digest: Digest, options: CheckOptions = {}, lines?: OpLineLookup): Verdict {
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
  const unknownReasons = nothingToCheck(digest.stats, options)
  const verdict: Verdict = {
    valid: validity(anomalies, errors, unknownReasons),
    anomalies, anomalyCounts, errors, unchecked: uncheckedOf(digest.stats, digest.transform.size), unknownReasons, checkers: ran, stats: digest.stats,
  }
  if (options.plots === true) verdict.plots = plotsOf(context, anomalies)
  const opLines = citedLines(anomalies, lines)
  if (opLines !== undefined) verdict.opLines = opLines
  return verdict
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

/**
 * Reads a JSONL history file op by op into a digest (the ops themselves are not kept, so memory
 * follows what the checkers need, not the file's size) and checks it; above `boundedAboveBytes`
 * in bounded memory (bounded-check.ts), falling back to memory when the file cannot be split. A file that cannot be
 * parsed rejects with a HistoryError naming the line (and field); that is a broken file, not a
 * verdict.
 */
export async function checkHistoryFile(path: string, options: FileCheckOptions = {}): Promise<Verdict> {
  const sizeBytes = (await stat(path)).size
  if (sizeBytes > (options.boundedAboveBytes ?? BOUNDED_ABOVE_BYTES)) {
    const verdict = await checkHistoryFileBounded(path, sizeBytes, options)
    if (verdict !== null) return verdict
  }
  return checkHistoryFileInMemory(path, options)
}

async function checkHistoryFileInMemory(path: string, options: FileCheckOptions): Promise<Verdict> {
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
