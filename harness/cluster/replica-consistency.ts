// The end-of-run white-box check (issue 10, item 5): do the replicas of every partition hold
// the same bytes below the high watermark? Asks every reference broker's /admin/replicas for
// its replicas' states, plans per partition the range [highest log start, lowest HW) over
// the replicas in its replica set, asks each for a checksum of that range, and reports every
// partition where they differ, with evidence: which replicas agree with which, each one's
// checksum and stop offset, and (by bisecting on upTo) the first batch where they part, with
// the records each replica holds there. Each broker serves one checksum at a time; brokers
// work in parallel. Brokers that cannot be reached make the check incomplete, not failed.

import type { LogChecksum } from '../../broker/log/log-checksum.ts'
import { fetchReplicas, type ReplicaQuery, type ReplicasReport } from './replica-admin.ts'
import { groupChecksums, planPartitions, type AgreementGroup, type ChecksumOutcome, type PartitionPlan } from './replica-compare.ts'
import { divergenceSample, type RecordSample } from './replica-records.ts'

export interface ConsistencyOptions {
  /** Every broker's HTTP API base URL. */
  httpUrls: readonly string[]
  /** Only these topics (default: every topic any broker reports, internal ones included). */
  topics?: readonly string[]
  /** Per HTTP request (default 60 s). */
  requestTimeoutMs?: number
  /** Each broker's limit on one checksum's bytes (default 1 GiB) and time (default 30 s). */
  bytesMax?: number
  checksumTimeoutMs?: number
  /** Bisect a disagreement down to its first differing batch (default true). */
  locate?: boolean
}

export interface DivergencePoint {
  /** Every compared replica holds the same batches in [fromOffset, agreeBelowOffset). */
  agreeBelowOffset: number
  /** ...and not the same ones once the range reaches this offset: the difference lies in [agreeBelowOffset, differBelowOffset). */
  differBelowOffset: number
  /** The records each replica holds from agreeBelowOffset (one batch, a few records). */
  samples: RecordSample[]
}

export interface PartitionConsistency extends PartitionPlan {
  agree: boolean
  /** Agreeing replicas over [fromOffset, upToOffset), largest group first. */
  groups: AgreementGroup[]
  checksums: ChecksumOutcome[]
  divergence: DivergencePoint | null
}

export interface ConsistencyReport {
  /** No disagreement among the replicas that could be compared. */
  ok: boolean
  /** Every broker answered and every assigned replica was compared. */
  complete: boolean
  checkedAtMs: number
  brokers: Array<{ httpUrl: string, brokerId: number | null, incarnation: string | null, error: string | null }>
  partitions: PartitionConsistency[]
  disagreements: PartitionConsistency[]
  /** Replicated HW of every compared replica, as reported at the start of the check. */
  highWatermarks: Array<{ topic: string, partition: number, brokerId: number, role: string, highWatermark: number | null, logEndOffset: number }>
  /** One line per finding, for a verdict or a log. */
  lines: string[]
}

const LOCATE_STEPS_MAX = 48

/** Runs `work` for one broker after its earlier work: one checksum at a time per broker. */
class BrokerQueues {
  readonly #tails = new Map<number, Promise<unknown>>()
  run<T> (brokerId: number, work: () => Promise<T>): Promise<T> {
    const next = (this.#tails.get(brokerId) ?? Promise.resolve()).then(work, work)
    this.#tails.set(brokerId, next.catch(() => {}))
    return next
  }
}

export async function checkReplicaConsistency (options: ConsistencyOptions): Promise<ConsistencyReport> {
  const timeoutMs = options.requestTimeoutMs ?? 60_000
  const answers = await Promise.all(options.httpUrls.map(async httpUrl => {
    try {
      return { httpUrl, report: await fetchReplicas(httpUrl, { checksum: false }, { timeoutMs }), error: null }
    } catch (err) {
      return { httpUrl, report: null, error: (err as Error).message }
    }
  }))
  const reports = answers.flatMap(a => a.report === null ? [] : [a.report])
  const urlOf = new Map(answers.flatMap(a => a.report === null ? [] : [[a.report.brokerId, a.httpUrl] as const]))
  const unreachable = answers.flatMap(a => a.report === null ? [a.httpUrl] : [])
  const wanted = options.topics === undefined ? null : new Set(options.topics)
  const plans = planPartitions(reports, unreachable).filter(p => wanted === null || wanted.has(p.topic))
  const queues = new BrokerQueues()
  const ask = (plan: PartitionPlan, brokerId: number, upToOffset: number): Promise<LogChecksum> => queues.run(brokerId, async () => {
    const query: ReplicaQuery = { topic: plan.topic, partition: plan.partition, fromOffset: plan.fromOffset, upToOffset, bytesMax: options.bytesMax, checksumTimeoutMs: options.checksumTimeoutMs }
    const report = await fetchReplicas(urlOf.get(brokerId)!, query, { timeoutMs })
    const checksum = report.replicas[0]?.checksum
    if (checksum === undefined || checksum === null) throw new Error(`broker ${brokerId} answered without a checksum for ${plan.topic}-${plan.partition}`)
    return checksum
  })
  const partitions = await Promise.all(plans.map(plan => checkPartition(plan, ask, urlOf, options.locate ?? true, timeoutMs)))
  return summarize(answers, reports, partitions)
}

type Ask = (plan: PartitionPlan, brokerId: number, upToOffset: number) => Promise<LogChecksum>

async function checksumsAt (plan: PartitionPlan, ask: Ask, upToOffset: number): Promise<ChecksumOutcome[]> {
  return await Promise.all(plan.compared.map(async brokerId => {
    try {
      return { brokerId, checksum: await ask(plan, brokerId, upToOffset), error: null }
    } catch (err) {
      return { brokerId, checksum: null, error: (err as Error).message }
    }
  }))
}

async function checkPartition (plan: PartitionPlan, ask: Ask, urlOf: ReadonlyMap<number, string>, locate: boolean, timeoutMs: number): Promise<PartitionConsistency> {
  if (plan.compared.length < 2 || plan.upToOffset <= plan.fromOffset) {
    return { ...plan, agree: true, groups: [], checksums: [], divergence: null }
  }
  const checksums = await checksumsAt(plan, ask, plan.upToOffset)
  const groups = groupChecksums(checksums)
  const agree = groups.length <= 1
  let divergence: DivergencePoint | null = null
  if (!agree && locate) {
    const range = await bisect(plan, ask)
    const samples = await divergenceSample(plan, urlOf, range.agreeBelowOffset, range.differBelowOffset, timeoutMs)
    divergence = { ...range, samples }
  }
  return { ...plan, agree, groups, checksums, divergence }
}

/**
 * Narrows [fromOffset, upToOffset) to the first place the replicas' checksums part: the
 * prefix up to `lo` agrees, up to `hi` it does not. Each step re-hashes a prefix on every
 * replica, so the cost is about log2(range) full reads; LOCATE_STEPS_MAX bounds it.
 */
async function bisect (plan: PartitionPlan, ask: Ask): Promise<{ agreeBelowOffset: number, differBelowOffset: number }> {
  let lo = plan.fromOffset
  let hi = plan.upToOffset
  let agreeBelowOffset = plan.fromOffset
  for (let step = 0; step < LOCATE_STEPS_MAX && hi - lo > 1; step++) {
    const mid = lo + Math.floor((hi - lo) / 2)
    const outcomes = await checksumsAt(plan, ask, mid)
    if (outcomes.some(o => o.checksum === null)) break
    const groups = groupChecksums(outcomes)
    if (groups.length <= 1) {
      lo = mid
      agreeBelowOffset = groups[0]?.stopOffset ?? lo
    } else {
      hi = mid
    }
  }
  return { agreeBelowOffset, differBelowOffset: hi }
}

function summarize (answers: Array<{ httpUrl: string, report: ReplicasReport | null, error: string | null }>, reports: ReplicasReport[], partitions: PartitionConsistency[]): ConsistencyReport {
  const disagreements = partitions.filter(p => !p.agree)
  const lines: string[] = []
  for (const a of answers) if (a.error !== null) lines.push(`broker at ${a.httpUrl} not checked: ${a.error}`)
  for (const p of partitions) {
    const name = `${p.topic}-${p.partition}`
    for (const u of p.unchecked) lines.push(`${name}: replica on broker ${u.brokerId} not compared: ${u.reason}`)
    for (const c of p.checksums) if (c.error !== null) lines.push(`${name}: replica on broker ${c.brokerId} gave no checksum: ${c.error}`)
    if (p.agree) continue
    const groupText = p.groups.map(g => `brokers [${g.brokers.join(',')}] hash ${g.value.slice(0, 16)} over offsets ${g.startOffset}..${g.stopOffset} (${g.batchCount} batches, ${g.sizeBytes} bytes)`).join('; ')
    const where = p.divergence === null ? '' : `; first difference in offsets [${p.divergence.agreeBelowOffset}, ${p.divergence.differBelowOffset})`
    lines.push(`${name}: replicas disagree below HW ${p.upToOffset} (from offset ${p.fromOffset}): ${groupText}${where}`)
  }
  const highWatermarks = partitions.flatMap(p => p.states.filter(s => p.assigned.includes(s.brokerId)).map(s => ({
    topic: p.topic, partition: p.partition, brokerId: s.brokerId, role: s.role, highWatermark: s.highWatermark, logEndOffset: s.logEndOffset,
  })))
  const complete = answers.every(a => a.error === null) && partitions.every(p => p.unchecked.length === 0 && p.checksums.every(c => c.error === null))
  return {
    ok: disagreements.length === 0,
    complete,
    checkedAtMs: Date.now(),
    brokers: answers.map(a => ({ httpUrl: a.httpUrl, brokerId: a.report?.brokerId ?? null, incarnation: a.report?.incarnation ?? null, error: a.error })),
    partitions,
    disagreements,
    highWatermarks,
    lines: lines.length === 0 ? [`all replicas agree below the HW in ${partitions.length} partitions on ${reports.length} brokers`] : lines,
  }
}
