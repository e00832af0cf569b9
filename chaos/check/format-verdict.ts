/**
 * A short human summary of a verdict: the outcome and the count of each anomaly first, then
 * what was checked, then the first few cases of each anomaly with their evidence and the
 * history.jsonl line of every op cited, so a reader knows which lines to open.
 */
import { ANOMALY_NAMES } from './anomaly.ts'
import type { Case } from './anomaly.ts'
import type { Verdict } from './checker.ts'

export interface FormatOptions {
  /** Cases printed per anomaly. */
  casesShown?: number
}

function list(items: ReadonlyArray<number | null>): string {
  return `[${items.map((item) => (item === null ? '?' : String(item))).join(', ')}]`
}

/** The history line of an op: `index + 1` as the harness writes histories, unless told otherwise. */
export function lineOf(op: number, opLines: Verdict['opLines']): number {
  return opLines?.[op] ?? op + 1
}

export function formatCase(found: Case, opLines?: Verdict['opLines']): string {
  const parts: string[] = []
  if (found.kind !== undefined) parts.push(found.kind)
  if (found.group !== undefined) parts.push(`group ${JSON.stringify(found.group)}`)
  if (found.partition !== undefined) parts.push(`partition ${JSON.stringify(found.partition)}`)
  if (found.key !== undefined) parts.push(`key ${JSON.stringify(found.key)}`)
  if (found.process !== undefined) parts.push(`process ${found.process}`)
  if (found.values.length > 0) parts.push(`values ${list(found.values)}`)
  if (found.offsets.length > 0) parts.push(`offsets ${list(found.offsets)}`)
  // White-box cases cite no history op: they come from the brokers' state.
  if (found.ops.length > 0) {
    parts.push(`ops ${list(found.ops)}`)
    if (opLines !== null) parts.push(`(lines ${found.ops.map((op) => lineOf(op, opLines)).join(', ')})`)
  }
  const line = parts.join(' ')
  return found.note === undefined ? line : `${line}: ${found.note}`
}

export function formatVerdict(verdict: Verdict, options: FormatOptions = {}): string {
  const casesShown = options.casesShown ?? 3
  const lines: string[] = []
  const found = ANOMALY_NAMES.filter((name) => verdict.anomalies[name] !== undefined)
  const outcome = verdict.valid === true ? 'VALID' : verdict.valid === false ? 'INVALID' : 'UNKNOWN'
  const counts = found.map((name) => `${name} ${verdict.anomalyCounts[name] ?? verdict.anomalies[name]!.length}`)
  lines.push(counts.length === 0 ? outcome : `${outcome}: ${counts.join(', ')}`)
  const s = verdict.stats
  lines.push(
    `ops ${s.ops}; sends ok ${s.sendsOk} / fail ${s.sendsFail} / info ${s.sendsInfo}; ` +
      `polls ${s.polls} (final ${s.pollsFinal}); keys ${s.keys}; values read ${s.valuesRead}; ` +
      `commits ${s.commits}; rebalances ${s.rebalances}; crashes ${s.crashes}; nemesis ops ${s.nemesisOps}`,
  )
  for (const reason of verdict.unknownReasons ?? []) lines.push(`unknown: ${reason}`)
  for (const error of verdict.errors) lines.push(`error in ${error.checker}: ${error.message}`)
  if (verdict.unchecked.length > 0) lines.push(`not checked: ${verdict.unchecked.join(', ')}`)
  if ((verdict.checkers ?? []).length > 0) lines.push(`checkers run: ${verdict.checkers.join(', ')}`)
  for (const name of found) {
    const cases = verdict.anomalies[name]!
    const total = verdict.anomalyCounts[name] ?? cases.length
    lines.push(`${name} (${total}):`)
    for (const shown of cases.slice(0, casesShown)) lines.push(`  ${formatCase(shown, verdict.opLines)}`)
    if (total > casesShown) lines.push(`  ... ${total - casesShown} more`)
  }
  return lines.join('\n')
}
