/**
 * What checkers report: anomaly names (exactly as in the design's catalogue, checker.md) and the
 * evidence of each case, small enough to read and pointing at the ops to open in the history.
 */
import type { Digest } from './digest.ts'
import type { Process } from './history.ts'
import type { VersionOrder } from './version-order.ts'

export const ANOMALY_NAMES = [
  'inconsistent-offsets',
  'duplicate',
  'lost-write',
  'unseen',
  'poll-skip',
  'nonmonotonic-poll',
  'int-poll-skip',
  'int-nonmonotonic-poll',
  'nonmonotonic-send',
  'order',
  'G1a',
  'precommitted-read',
  'int-send-skip',
  'int-nonmonotonic-send',
  'G0',
  'G1c',
  'exactly-once',
  // White-box anomalies: not derived from the history but found by the chaos harness on the
  // reference broker's own state (harness/chaos/whitebox-judge.ts); `sluice check` on a
  // history alone never reports them.
  'replica-divergence',
  'hw-regression',
  'epoch-two-leaders',
] as const
export type AnomalyName = (typeof ANOMALY_NAMES)[number]

export interface Case {
  /** The key concerned (absent for committed-offset cases, which concern a partition). */
  key?: string
  /** Values involved, in the order the description of the anomaly names them. */
  values: number[]
  /** Offsets matching `values` position by position where that makes sense; null when unknown. */
  offsets: Array<number | null>
  /** Indexes of the ops involved, ascending unless the order carries meaning (earlier, later). */
  ops: number[]
  process?: Process
  /** Sub-kind, e.g. for exactly-once: missing, duplicated, unexpected, commit-backwards. */
  kind?: string
  group?: string
  partition?: string
  /** One sentence for humans, e.g. how many values a skip jumped over. */
  note?: string
}

export type Findings = Partial<Record<AnomalyName, Case[]>>

/** Everything a checker may read. Checkers are pure: they must not change it. */
export interface CheckContext {
  digest: Digest
  order: VersionOrder
}

export interface Checker {
  /** Name used in error reports; one checker may report several anomalies. */
  name: string
  check: (context: CheckContext) => Findings
}

/** Appends a case to a findings object, creating the list on first use. */
export function addCase(findings: Findings, name: AnomalyName, found: Case): void {
  const list = findings[name]
  if (list === undefined) findings[name] = [found]
  else list.push(found)
}

/** Orders keys for stable output: numeric keys numerically, then the rest as strings. */
export function compareKeys(a: string, b: string): number {
  const numberA = Number(a)
  const numberB = Number(b)
  const bothNumeric = a.trim() !== '' && b.trim() !== '' && Number.isFinite(numberA) && Number.isFinite(numberB)
  if (bothNumeric && numberA !== numberB) return numberA - numberB
  return a < b ? -1 : a > b ? 1 : 0
}

export function sortedKeys<T>(map: Map<string, T>): string[] {
  return [...map.keys()].sort(compareKeys)
}
