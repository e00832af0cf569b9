// The verdict half of a chaos run's white-box checks (issue 10, item 5), pure so it is tested
// on hand-made evidence: from the HW sampler's samples and the end-of-run replica
// consistency report, the status of each check (ok, failed, incomplete, skipped, with why)
// and the anomalies with their evidence: replica-divergence (replicas of a partition hold
// different bytes below the HW), hw-regression (a replica's HW went back within one broker
// process) and epoch-two-leaders (two brokers led one partition in one leader epoch). A HW
// that drops across a broker restart is listed as tolerated, not an anomaly: the broker
// comes back with its last checkpointed HW (replication-offset-checkpoint), which may be
// older. mergeWhitebox puts the anomalies into the history verdict, making it invalid.

import type { AnomalyName, Case } from '../../chaos/check/anomaly.ts'
import type { Verdict } from '../../chaos/check/checker.ts'
import { describeEpochLeaderConflict } from '../cluster/epoch-leaders.ts'
import { describeRegression } from '../cluster/hw-regressions.ts'
import type { HighWatermarkSamples } from '../cluster/hw-sampler.ts'
import type { ConsistencyReport, PartitionConsistency } from '../cluster/replica-consistency.ts'

export const WHITEBOX_CHECKS = ['replica-consistency', 'hw-monotonic', 'one-leader-per-epoch'] as const
export type WhiteboxCheckName = (typeof WHITEBOX_CHECKS)[number]
export type WhiteboxAnomalyName = Extract<AnomalyName, 'replica-divergence' | 'hw-regression' | 'epoch-two-leaders'>
/** ok: ran, found nothing; failed: found anomalies; incomplete: ran on part of the cluster; skipped: could not run. */
export type WhiteboxStatus = 'ok' | 'failed' | 'incomplete' | 'skipped'

export interface WhiteboxCheck {
  name: WhiteboxCheckName
  status: WhiteboxStatus
  detail: string
}

export interface WhiteboxPartitionSeries {
  topic: string
  partition: number
  replicas: number[]
  /** [seconds since the history's start, leader id (-1: none), leader epoch, ISR size]. */
  points: Array<[number, number, number, number]>
}

export interface WhiteboxResult {
  checks: WhiteboxCheck[]
  anomalies: Partial<Record<WhiteboxAnomalyName, Case[]>>
  /** HW drops seen across a broker restart (allowed: the HW comes back from its checkpoint). */
  tolerated: string[]
  /** The consistency check's own lines (what it compared, what it could not). */
  consistencyLines: string[]
  sampler: { rounds: number, intervalMs: number, pointsDropped: number, misses: HighWatermarkSamples['misses'] } | null
  partitions: WhiteboxPartitionSeries[]
}

export interface JudgeInput {
  samples: HighWatermarkSamples | null
  /** Why there are no samples, when there are none. */
  samplesError?: string
  intervalMs: number
  consistency: ConsistencyReport | null
  /** Why there is no consistency report, when there is none. */
  consistencyError?: string
  /** Harness wall-clock ms to seconds since the history's start. */
  toSec: (atMs: number) => number
  /** The run's topics: only their partitions get leader/ISR series (not __consumer_offsets). */
  topics: readonly string[]
}

/** Every check skipped for one reason (a Kafka or external cluster, an interrupted run). */
export function skippedWhitebox (reason: string): WhiteboxResult {
  return { checks: WHITEBOX_CHECKS.map(name => ({ name, status: 'skipped', detail: reason })), anomalies: {}, tolerated: [], consistencyLines: [], sampler: null, partitions: [] }
}

const partitionName = (p: { topic: string, partition: number }): string => `${p.topic}-${p.partition}`

function divergenceCase (p: PartitionConsistency, line: string): Case {
  const at = p.divergence
  const samples = (at?.samples ?? []).map(s => `broker ${s.brokerId}: ${s.error ?? s.records.map(r => `${r.offset}=${r.value ?? 'null'}`).join(' ')}`)
  return {
    partition: partitionName(p),
    kind: 'below-hw',
    values: [],
    offsets: at === null ? [p.fromOffset, p.upToOffset] : [at.agreeBelowOffset, at.differBelowOffset],
    ops: [],
    note: samples.length === 0 ? line : `${line}; records there: ${samples.join('; ')}`,
  }
}

function consistencyCheck (input: JudgeInput, anomalies: WhiteboxResult['anomalies']): WhiteboxCheck {
  const report = input.consistency
  const name = 'replica-consistency'
  if (report === null) return { name, status: 'incomplete', detail: `the check did not run: ${input.consistencyError ?? 'no report'}` }
  const lineOf = (p: PartitionConsistency): string => report.lines.find(l => l.startsWith(`${partitionName(p)}: replicas disagree`)) ?? `${partitionName(p)}: replicas disagree below HW ${p.upToOffset}`
  if (report.disagreements.length > 0) {
    anomalies['replica-divergence'] = report.disagreements.map(p => divergenceCase(p, lineOf(p)))
    return { name, status: 'failed', detail: `${report.disagreements.length} of ${report.partitions.length} partition(s) differ below the HW` }
  }
  const compared = report.partitions.filter(p => p.compared.length >= 2 && p.upToOffset > p.fromOffset)
  if (!report.complete) return { name, status: 'incomplete', detail: `no disagreement in ${compared.length} compared partition(s), but not every replica was compared: ${report.lines.join('; ')}` }
  if (compared.length === 0) return { name, status: 'skipped', detail: 'no partition has two replicas with data below the HW to compare (one broker, or replication factor 1)' }
  const offsets = compared.reduce((n, p) => n + p.upToOffset - p.fromOffset, 0)
  return { name, status: 'ok', detail: `replicas agree below the HW in ${compared.length} partition(s) (${offsets} offsets compared)` }
}

/** Why the samples cannot vouch for the whole run (a broker never answered), else null. */
function samplesGap (samples: HighWatermarkSamples): string | null {
  if (samples.rounds === 0) return 'no sampling round completed'
  const silent = samples.misses.filter(m => m.count >= m.attempts)
  if (silent.length > 0) return `never answered: ${silent.map(m => `${m.httpUrl} (${m.lastError})`).join('; ')}`
  return null
}

function samplerChecks (input: JudgeInput, anomalies: WhiteboxResult['anomalies'], tolerated: string[]): WhiteboxCheck[] {
  const samples = input.samples
  if (samples === null) {
    const detail = `the sampler did not run: ${input.samplesError ?? 'no samples'}`
    return [{ name: 'hw-monotonic', status: 'incomplete', detail }, { name: 'one-leader-per-epoch', status: 'incomplete', detail }]
  }
  const within = samples.regressions.filter(r => !r.acrossRestart)
  for (const r of samples.regressions.filter(r => r.acrossRestart)) tolerated.push(describeRegression(r))
  if (within.length > 0) {
    anomalies['hw-regression'] = within.map(r => ({
      partition: partitionName(r), kind: `broker ${r.brokerId}`, values: [], offsets: [r.before.highWatermark, r.after.highWatermark], ops: [], note: describeRegression(r),
    }))
  }
  if (samples.epochLeaderConflicts.length > 0) {
    anomalies['epoch-two-leaders'] = samples.epochLeaderConflicts.map(c => ({
      partition: partitionName(c), kind: `leader epoch ${c.leaderEpoch}`, values: [], offsets: [], ops: [], note: describeEpochLeaderConflict(c),
    }))
  }
  const gap = samplesGap(samples)
  const missed = samples.misses.reduce((n, m) => n + m.count, 0)
  const coverage = `up to ${samples.rounds} sample(s) per broker, every ${input.intervalMs} ms; ${missed} broker answer(s) missed (a killed, paused or cut-off broker misses its turns)`
  const status = (found: number): WhiteboxStatus => found > 0 ? 'failed' : gap !== null ? 'incomplete' : samples.series.length === 0 ? 'skipped' : 'ok'
  const quiet = (text: string): string => gap !== null ? `${text}; ${gap}` : samples.series.length === 0 ? 'no replica reported a replicated HW (a one-node broker has none)' : text
  const hw = within.length > 0
    ? `${within.length} HW drop(s) within one broker process; ${coverage}`
    : quiet(`no HW went back within a broker process over ${samples.series.length} replica(s); ${tolerated.length} drop(s) across a restart tolerated; ${coverage}`)
  const epochs = samples.epochLeaderConflicts.length > 0
    ? `${samples.epochLeaderConflicts.length} leader epoch(s) with two leaders; ${coverage}`
    : quiet(`at most one leader seen per partition and epoch; ${coverage}`)
  return [
    { name: 'hw-monotonic', status: status(within.length), detail: hw },
    { name: 'one-leader-per-epoch', status: status(samples.epochLeaderConflicts.length), detail: epochs },
  ]
}

export function judgeWhitebox (input: JudgeInput): WhiteboxResult {
  const anomalies: WhiteboxResult['anomalies'] = {}
  const tolerated: string[] = []
  const checks = [consistencyCheck(input, anomalies), ...samplerChecks(input, anomalies, tolerated)]
  const samples = input.samples
  return {
    checks,
    anomalies,
    tolerated,
    consistencyLines: input.consistency?.lines ?? [],
    sampler: samples === null ? null : { rounds: samples.rounds, intervalMs: input.intervalMs, pointsDropped: samples.pointsDropped, misses: samples.misses },
    partitions: (samples?.partitions ?? []).filter(t => input.topics.includes(t.topic)).map(t => ({
      topic: t.topic, partition: t.partition, replicas: t.replicas,
      points: t.points.map(p => [Math.round(input.toSec(p.atMs) * 1000) / 1000, p.leaderId, p.leaderEpoch, p.isrSize]),
    })),
  }
}

/** The history verdict with the white-box anomalies added: any of them makes it invalid. */
export function mergeWhitebox (verdict: Verdict, whitebox: WhiteboxResult): Verdict {
  const found = Object.entries(whitebox.anomalies) as Array<[WhiteboxAnomalyName, Case[]]>
  if (found.length === 0) return verdict
  const anomalies = { ...verdict.anomalies }
  const anomalyCounts = { ...verdict.anomalyCounts }
  for (const [name, cases] of found) {
    anomalies[name] = cases
    anomalyCounts[name] = cases.length
  }
  return { ...verdict, valid: false, anomalies, anomalyCounts }
}
