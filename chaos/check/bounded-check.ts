/**
 * Checking a history of any length in bounded memory, in two passes:
 *
 * 1. spill.ts streams the file once, counts the stats, judges commit order as commits go by and
 *    splits every key's sends and reads into K bucket files by a hash of the key (K grows with
 *    the file's size, so a bucket holds about `bucketBytes` of history);
 * 2. each bucket is read back into a digest of its own and checked by the same per-key
 *    checkers as an in-memory check; findings are merged, keeping the exact count and the
 *    first `casesMax` cases of each anomaly in op order.
 *
 * Memory therefore follows the largest bucket, not the history: a single key's history is the
 * unit that cannot be split. What needs more than one key at a time has a bound of its own:
 * commit order is judged while streaming (one offset per group and partition); indeterminate
 * transactions spanning buckets are proven committed by a first read of every bucket; the
 * G0/G1c cycle search needs the whole dependency graph, so a bounded check of a history with
 * transactions says it skipped it (in `unchecked`), never silently.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ANOMALY_NAMES, compareKeys } from './anomaly.ts'
import type { AnomalyName, Case, CheckContext, Findings } from './anomaly.ts'
import { cycleChecker } from './cycles.ts'
import { Digester } from './digest.ts'
import type { Digest } from './digest.ts'
import { exactlyOnceChecker } from './exactly-once.ts'
import { atLine, forEachHistoryOp, readLines } from './history-file.ts'
import type { Process } from './history.ts'
import type { MicroOp } from './op-values.ts'
import { BucketFiles, NotBucketable, Spiller } from './spill.ts'
import type { SpillSummary } from './spill.ts'
import { UnseenBins, boundedPlots } from './plots.ts'
import { buildVersionOrder } from './version-order.ts'
import { BUCKET_BYTES, CASES_PER_ANOMALY_MAX, CHECKERS, citedLines, emptyVerdict, messageOf, nothingToCheck, uncheckedOf, validity } from './verdict.ts'
import type { FileCheckOptions, Verdict } from './verdict.ts'

/** At most this many bucket files (each keeps a small write buffer during pass 1). */
export const BUCKETS_MAX = 256

/** Op order first (the ops a case cites), then key and the rest, so merged output is stable. */
function compareCases (a: Case, b: Case): number {
  const byOp = (a.ops[0] ?? -1) - (b.ops[0] ?? -1)
  if (byOp !== 0) return byOp
  const byKey = compareKeys(a.key ?? '', b.key ?? '')
  if (byKey !== 0) return byKey
  const [textA, textB] = [JSON.stringify(a), JSON.stringify(b)]
  return textA < textB ? -1 : textA > textB ? 1 : 0
}

/** Findings of all buckets: exact counts, and the first `casesMax` cases of each anomaly. */
class CaseMerger {
  readonly counts = new Map<AnomalyName, number>()
  readonly #kept = new Map<AnomalyName, Case[]>()
  readonly #casesMax: number

  constructor (casesMax: number) { this.#casesMax = casesMax }

  add (findings: Findings): void {
    for (const [name, cases] of Object.entries(findings) as Array<[AnomalyName, Case[]]>) {
      if (cases.length === 0) continue
      this.counts.set(name, (this.counts.get(name) ?? 0) + cases.length)
      const merged = [...(this.#kept.get(name) ?? []), ...cases].sort(compareCases)
      this.#kept.set(name, merged.slice(0, this.#casesMax))
    }
  }

  findings (): { anomalies: Findings, anomalyCounts: Partial<Record<AnomalyName, number>> } {
    const anomalies: Findings = {}
    const anomalyCounts: Partial<Record<AnomalyName, number>> = {}
    for (const name of ANOMALY_NAMES) {
      const cases = this.#kept.get(name)
      if (cases === undefined) continue
      anomalies[name] = cases
      anomalyCounts[name] = this.counts.get(name)!
    }
    return { anomalies, anomalyCounts }
  }
}

type BucketRow = [number, Process] | [number, Process, 'ok' | 'fail' | 'info', 'send' | 'poll' | 'txn', number, number, number, unknown[][]]

function microOf (raw: unknown[]): MicroOp {
  if (raw.length === 3) return { f: 'send', key: raw[0] as string, value: raw[1] as number, offset: raw[2] as number | null }
  const flat = raw[1] as number[]
  const records: Array<[number, number]> = []
  for (let i = 0; i < flat.length; i += 2) records.push([flat[i]!, flat[i + 1]!])
  return { f: 'poll', reads: new Map([[raw[0] as string, records]]) }
}

/** Reads one bucket file into a digest that carries the whole history's stats and topology. */
export async function digestBucket (path: string, summary: SpillSummary, txnsRead: Set<number>): Promise<Digest> {
  const digester = new Digester()
  for await (const [text] of readLines(path)) {
    const row = JSON.parse(text) as BucketRow
    if (row.length === 2) {
      digester.addReset(row[0], row[1])
      continue
    }
    const [index, process, type, f, final, invokeNs, timeNs, micros] = row
    digester.addDecoded({ index, process, type, f, final: final === 1, timeNs }, micros.map(microOf), invokeNs)
  }
  const digest = digester.finish(txnsRead)
  digest.stats = summary.stats
  digest.transform = summary.transform
  return digest
}

/** Pass 1: the summary and the bucket files, or null when the history cannot be split by key. */
async function spill (path: string, files: BucketFiles, options: FileCheckOptions): Promise<SpillSummary | null> {
  const spiller = new Spiller(files)
  try {
    await forEachHistoryOp(path, (op, line) => {
      try {
        spiller.add(op, line)
      } catch (error) {
        throw atLine(error, line)
      }
    }, {
      validateValues: false,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.progressEveryOps === undefined ? {} : { progressEveryOps: options.progressEveryOps }),
    })
  } catch (error) {
    if (error instanceof NotBucketable) return null
    throw error
  } finally {
    files.close()
  }
  return spiller.summary
}

/**
 * Checks a history file in bounded memory (see the top of this file). Resolves to null when the
 * history cannot be split by key (a transform declared after its output key's first records):
 * the caller then checks it in memory. A file that cannot be parsed rejects as in memory.
 */
export async function checkHistoryFileBounded (path: string, sizeBytes: number, options: FileCheckOptions = {}): Promise<Verdict | null> {
  const buckets = Math.min(BUCKETS_MAX, Math.max(1, Math.ceil(sizeBytes / (options.bucketBytes ?? BUCKET_BYTES))))
  const dir = await mkdtemp(join(options.spillDir ?? tmpdir(), 'sluice-check-'))
  try {
    const files = new BucketFiles(dir, buckets)
    const summary = await spill(path, files, options)
    return summary === null ? null : await checkBuckets(files.paths, summary, options)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function checkBuckets (paths: readonly string[], summary: SpillSummary, options: FileCheckOptions): Promise<Verdict> {
  const checkers = options.checkers ?? CHECKERS
  const cyclesSkipped = summary.txnOps > 0 && checkers.includes(cycleChecker)
  const perBucket = checkers.filter((checker) => checker !== cycleChecker)
  const merger = new CaseMerger(options.casesMax ?? CASES_PER_ANOMALY_MAX)
  if (checkers.includes(exactlyOnceChecker)) merger.add(summary.commitFindings)
  const errors = new Map<string, string>()
  const txnsRead = new Set<number>()
  // An indeterminate transaction counts as committed once any of its values was read, in
  // whichever bucket: learn those first when one spans buckets.
  if (summary.spanningInfoTxns > 0) for (const path of paths) await digestBucket(path, summary, txnsRead)
  const unseen = options.plots === true ? new UnseenBins(summary.lastNs) : undefined
  for (const [i, path] of paths.entries()) {
    let context: CheckContext
    try {
      const digest = await digestBucket(path, summary, txnsRead)
      context = { digest, order: buildVersionOrder(digest) }
    } catch (error) {
      return emptyVerdict([{ checker: 'history', message: messageOf(error) }], summary.stats)
    }
    // Called with the bucket's digest in memory: progress lines, and the scale test's samples.
    options.onChecker?.('per-key checkers, key bucket', i + 1, paths.length)
    for (const checker of perBucket) {
      try {
        merger.add(checker.check(context))
      } catch (error) {
        if (!errors.has(checker.name)) errors.set(checker.name, messageOf(error))
      }
    }
    unseen?.add(context)
  }
  const { anomalies, anomalyCounts } = merger.findings()
  const checkErrors = [...errors].map(([checker, message]) => ({ checker, message }))
  const unknownReasons = nothingToCheck(summary.stats, options)
  const unchecked = uncheckedOf(summary.stats, summary.transform.size)
  if (cyclesSkipped) {
    unchecked.push(`G0/G1c cycles (skipped: ${summary.txnOps} transactions in a history checked in bounded memory; the cycle search needs the whole dependency graph)`)
  }
  const verdict: Verdict = {
    valid: validity(anomalies, checkErrors, unknownReasons),
    anomalies, anomalyCounts, errors: checkErrors, unchecked, unknownReasons,
    checkers: checkers.filter((checker) => !errors.has(checker.name) && !(checker === cycleChecker && cyclesSkipped)).map((checker) => checker.name),
    stats: summary.stats,
  }
  if (unseen !== undefined) verdict.plots = await boundedPlots(anomalies, unseen, (key) => orderOfKey(paths, summary, txnsRead, key))
  const opLines = citedLines(anomalies, summary.lines)
  if (opLines !== undefined) verdict.opLines = opLines
  return verdict
}

/** The version order of one key's bucket, for the orders plot of a key with anomalies. */
async function orderOfKey (paths: readonly string[], summary: SpillSummary, txnsRead: Set<number>, key: string): Promise<CheckContext> {
  const bucket = summary.keyBuckets.get(key)
  if (bucket === undefined) return { digest: new Digester().finish(), order: new Map() }
  const digest = await digestBucket(paths[bucket]!, summary, txnsRead)
  return { digest, order: buildVersionOrder(digest) }
}
