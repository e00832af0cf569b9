// The white-box verdict on hand-made evidence: a HW that goes back within a broker process,
// two leaders in one epoch and replicas that differ below the HW each become an anomaly
// with its evidence and make the run's verdict invalid (and its exit code 1); a HW drop
// across a restart is tolerated and listed; checks that could not run say why; and the
// reports show all of it.

import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { formatVerdict } from '../../../chaos/check/format-verdict.ts'
import type { HighWatermarkSamples } from '../../../harness/cluster/hw-sampler.ts'
import type { HighWatermarkPoint } from '../../../harness/cluster/hw-regressions.ts'
import type { ConsistencyReport, PartitionConsistency } from '../../../harness/cluster/replica-consistency.ts'
import { chaosResultToHtml } from '../../../harness/chaos/report-html.ts'
import { chaosResultToMarkdown } from '../../../harness/chaos/report-markdown.ts'
import { stepValues } from '../../../harness/chaos/report-whitebox.ts'
import { verdictForResult } from '../../../harness/chaos/result.ts'
import type { ChaosResult } from '../../../harness/chaos/result.ts'
import { exitCodeOf } from '../../../harness/chaos/runner.ts'
import { judgeWhitebox, mergeWhitebox, skippedWhitebox } from '../../../harness/chaos/whitebox-judge.ts'
import type { JudgeInput } from '../../../harness/chaos/whitebox-judge.ts'
import { HistoryBuilder } from '../../chaos/check/history-builder.ts'

const point = (atMs: number, highWatermark: number, incarnation = 'a'): HighWatermarkPoint => ({ atMs, incarnation, role: 'follower', leaderEpoch: 2, highWatermark })

function samples (over: Partial<HighWatermarkSamples> = {}): HighWatermarkSamples {
  return {
    rounds: 40,
    series: [{ brokerId: 1, topic: 'chaos', topicId: 'x', partition: 0, points: [point(1000, 5), point(2000, 9)] }],
    regressions: [],
    epochLeaderConflicts: [],
    partitions: [{ topic: 'chaos', partition: 0, replicas: [0, 1, 2], points: [
      { atMs: 1000, leaderId: 0, leaderEpoch: 1, isrSize: 3, reporters: 3 },
      { atMs: 3000, leaderId: 1, leaderEpoch: 2, isrSize: 2, reporters: 2 },
    ] }, { topic: '__consumer_offsets', partition: 0, replicas: [0], points: [{ atMs: 1000, leaderId: 0, leaderEpoch: 0, isrSize: 1, reporters: 3 }] }],
    pointsDropped: 0,
    misses: [{ httpUrl: 'http://127.0.0.1:1', count: 4, attempts: 40, lastError: 'no answer' }],
    ...over,
  }
}

function partition (over: Partial<PartitionConsistency> = {}): PartitionConsistency {
  return {
    topic: 'chaos', partition: 0, topicId: 'x', assigned: [0, 1, 2], states: [], compared: [0, 1, 2], unchecked: [], fromOffset: 0, upToOffset: 120, notes: [],
    agree: true, groups: [], checksums: [], divergence: null, ...over,
  }
}

function consistency (partitions: PartitionConsistency[], lines: string[] = ['all replicas agree below the HW in 1 partitions on 3 brokers'], complete = true): ConsistencyReport {
  const disagreements = partitions.filter(p => !p.agree)
  return { ok: disagreements.length === 0, complete, checkedAtMs: 0, brokers: [], partitions, disagreements, highWatermarks: [], lines }
}

const input = (over: Partial<JudgeInput> = {}): JudgeInput => ({
  samples: samples(), intervalMs: 250, consistency: consistency([partition()]), toSec: ms => ms / 1000 - 0.5, topics: ['chaos'], ...over,
})

const statuses = (result: ReturnType<typeof judgeWhitebox>): Record<string, string> => Object.fromEntries(result.checks.map(c => [c.name, c.status]))

function validVerdict (): ReturnType<typeof checkHistory> {
  const h = new HistoryBuilder()
  h.send(0, 'k', 1, 0)
  h.poll(1, { k: [[0, 1]] })
  return checkHistory(h.ops)
}

describe('judgeWhitebox', () => {
  it('passes a clean run: every check ok, no anomaly, leader and ISR series in run seconds for the run topics only', () => {
    const result = judgeWhitebox(input())
    expect(statuses(result)).toEqual({ 'replica-consistency': 'ok', 'hw-monotonic': 'ok', 'one-leader-per-epoch': 'ok' })
    expect(result.anomalies).toEqual({})
    expect(result.partitions).toEqual([{ topic: 'chaos', partition: 0, replicas: [0, 1, 2], points: [[0.5, 0, 1, 3], [2.5, 1, 2, 2]] }])
    expect(result.checks[0]!.detail).toContain('120 offsets compared')
    const verdict = validVerdict()
    expect(mergeWhitebox(verdict, result)).toBe(verdict)
  })

  it('makes a HW drop within one broker process an hw-regression with both points, and tolerates one across a restart', () => {
    const within = { brokerId: 2, topic: 'chaos', topicId: 'x', partition: 0, before: point(5000, 80), after: point(5250, 61), acrossRestart: false }
    const across = { ...within, brokerId: 1, before: point(4000, 70, 'a'), after: point(6000, 50, 'b'), acrossRestart: true }
    const result = judgeWhitebox(input({ samples: samples({ regressions: [within, across] }) }))
    expect(statuses(result)['hw-monotonic']).toBe('failed')
    expect(result.anomalies['hw-regression']).toEqual([expect.objectContaining({ partition: 'chaos-0', kind: 'broker 2', offsets: [80, 61], ops: [] })])
    expect(result.anomalies['hw-regression']![0]!.note).toMatch(/chaos-0 on broker 2: HW went back from 80 .* to 61/)
    expect(result.tolerated).toEqual([expect.stringMatching(/chaos-0 on broker 1: HW went back from 70 .* across a restart/)])

    const verdict = mergeWhitebox(validVerdict(), result)
    expect(verdict.valid).toBe(false)
    expect(verdict.anomalyCounts).toEqual({ 'hw-regression': 1 })
    expect(exitCodeOf(null, verdict)).toBe(1)
    // A white-box anomaly is definite: a failed run that shows one still exits 1.
    expect(exitCodeOf('final polls did not finish', verdict)).toBe(1)
    const text = formatVerdict(verdict)
    expect(text.split('\n')[0]).toBe('INVALID: hw-regression 1')
    expect(text).toMatch(/broker 2 partition "chaos-0" offsets \[80, 61\]: chaos-0 on broker 2/)
    expect(text).not.toContain('ops []')
  })

  it('makes two leaders in one epoch an epoch-two-leaders anomaly naming both', () => {
    const conflict = { topic: 'chaos', topicId: 'x', partition: 0, leaderEpoch: 3, leaders: [{ brokerId: 0, firstSeenMs: 1000 }, { brokerId: 2, firstSeenMs: 1500 }] }
    const result = judgeWhitebox(input({ samples: samples({ epochLeaderConflicts: [conflict] }) }))
    expect(statuses(result)).toMatchObject({ 'one-leader-per-epoch': 'failed', 'hw-monotonic': 'ok' })
    expect(result.anomalies['epoch-two-leaders']![0]).toMatchObject({ partition: 'chaos-0', kind: 'leader epoch 3' })
    expect(result.anomalies['epoch-two-leaders']![0]!.note).toMatch(/2 leaders in leader epoch 3: broker 0 .*broker 2/)
    expect(mergeWhitebox(validVerdict(), result).valid).toBe(false)
  })

  it('makes replicas that differ below the HW a replica-divergence with the offsets and records where they part', () => {
    const diverged = partition({
      agree: false,
      groups: [{ brokers: [0, 1], startOffset: 0, stopOffset: 120, batchCount: 9, sizeBytes: 900, value: 'aaaa' }, { brokers: [2], startOffset: 0, stopOffset: 120, batchCount: 9, sizeBytes: 900, value: 'bbbb' }],
      divergence: { agreeBelowOffset: 77, differBelowOffset: 78, samples: [
        { brokerId: 0, fromOffset: 77, records: [{ offset: 77, key: 'k', value: '41' }], error: null },
        { brokerId: 2, fromOffset: 77, records: [{ offset: 77, key: 'k', value: '44' }], error: null },
      ] },
    })
    const line = 'chaos-0: replicas disagree below HW 120 (from offset 0): brokers [0,1] hash aaaa ...; first difference in offsets [77, 78)'
    const result = judgeWhitebox(input({ consistency: consistency([diverged], [line]) }))
    expect(statuses(result)['replica-consistency']).toBe('failed')
    const [found] = result.anomalies['replica-divergence']!
    expect(found).toMatchObject({ partition: 'chaos-0', offsets: [77, 78] })
    expect(found!.note).toBe(`${line}; records there: broker 0: 77=41; broker 2: 77=44`)
    expect(mergeWhitebox(validVerdict(), result).anomalyCounts).toEqual({ 'replica-divergence': 1 })
  })

  it('says why a check could not vouch for the run: a silent broker, no report, nothing to compare', () => {
    const silent = judgeWhitebox(input({
      samples: samples({ misses: [{ httpUrl: 'http://127.0.0.1:9', count: 31, attempts: 31, lastError: 'ECONNREFUSED' }] }),
      consistency: null, consistencyError: 'GET /admin/replicas: no answer',
    }))
    expect(statuses(silent)).toEqual({ 'replica-consistency': 'incomplete', 'hw-monotonic': 'incomplete', 'one-leader-per-epoch': 'incomplete' })
    expect(silent.checks[0]!.detail).toContain('no answer')
    expect(silent.checks[1]!.detail).toContain('never answered: http://127.0.0.1:9 (ECONNREFUSED)')

    const oneNode = judgeWhitebox(input({ samples: samples({ series: [] }), consistency: consistency([partition({ compared: [0], upToOffset: 0 })]) }))
    expect(statuses(oneNode)).toEqual({ 'replica-consistency': 'skipped', 'hw-monotonic': 'skipped', 'one-leader-per-epoch': 'skipped' })

    const skipped = skippedWhitebox('Apache Kafka brokers have no /admin/replicas')
    expect(skipped.checks.map(c => `${c.status}: ${c.detail}`)).toEqual(Array(3).fill('skipped: Apache Kafka brokers have no /admin/replicas'))
  })
})

function resultWith (whitebox: ChaosResult['whitebox'], verdict = validVerdict()): ChaosResult {
  return {
    format: 'sluice-chaos-result', formatVersion: 1, runId: 'r', workload: 'w', workloadFile: 'w.yaml', startTime: 's', endTime: 'e', seed: 1, nemesisSeed: 1,
    exitCode: verdict.valid === true ? 0 : 1, status: 'complete', failure: null, verdict: verdictForResult(verdict), mode: 'register', transform: null,
    nemesis: { plannedFaults: 1, bands: [{ startSec: 1, endSec: 2, label: 'kill broker-0' }], errors: [] },
    finalPolls: null, whitebox, outcomeReasons: {}, opsWritten: 2, cluster: null, toxiproxy: null,
    environment: { gitCommit: null, gitDirty: null, nodeVersion: 'v24', os: 'Linux', arch: 'x64', cpuModel: 'cpu', cpuCores: 2, totalMemoryBytes: 1, coreSharing: null },
    settings: {
      brokers: 3, partitionsPerTopic: 1, durationSeconds: 3, warmupSeconds: 0, brokerConfig: {},
      producer: { acks: -1, lingerMs: 0, batchSizeBytes: 0, compression: 'none', idempotent: false, maxInFlight: 1, retries: 0 },
      consumer: { autoCommit: false, autoCommitIntervalMs: 5000, fetchMaxWaitMs: 500, fetchMinBytes: 1 },
      chaos: null, nemesis: null,
    },
    series: [0, 1, 2].map(startSec => ({ startSec, sendsOk: 1, sendsFail: 0, sendsInfo: 0, pollsOk: 1, pollsFailed: 0, recordsRead: 1, sendLatencyMsP50: 1, sendLatencyMsP99: 1, sendLatencyMsMax: 1 })),
  }
}

describe('white-box reports', () => {
  it('list every check with its status, the anomaly with its evidence, and draw leader and ISR charts under the fault bands', () => {
    const within = { brokerId: 2, topic: 'chaos', topicId: 'x', partition: 0, before: point(5000, 80), after: point(5250, 61), acrossRestart: false }
    const whitebox = judgeWhitebox(input({ samples: samples({ regressions: [within] }) }))
    const result = resultWith(whitebox, mergeWhitebox(validVerdict(), whitebox))
    const markdown = chaosResultToMarkdown(result)
    expect(markdown.split('\n')[0]).toContain('INVALID')
    expect(markdown).toContain('| hw-regression | 1 |')
    expect(markdown).toMatch(/\| hw-monotonic \| FAILED \| 1 HW drop/)
    expect(markdown).toMatch(/\| replica-consistency \| OK \|/)
    const html = chaosResultToHtml(result)
    expect(html).toContain('<strong>hw-regression</strong>')
    expect(html).toContain('<span class="wb failed">failed</span>')
    expect(html).toContain('Leader of each partition over time')
    expect(html).toContain('ISR size of each partition over time')
    const leaders = html.slice(html.indexOf('id="leaders"'), html.indexOf('id="isr"'))
    expect(leaders).toContain('kill broker-0')
    expect(leaders).toContain('broker 1')
    expect(leaders).toContain('chaos-0')
  })

  it('say that the checks were skipped, and why, when they could not run', () => {
    const result = resultWith(skippedWhitebox('an external cluster (--bootstrap): the harness cannot read its replicas'))
    expect(chaosResultToMarkdown(result)).toContain('| replica-consistency | SKIPPED | an external cluster (--bootstrap)')
    const html = chaosResultToHtml(result)
    expect(html).toContain('<span class="wb skipped">skipped</span>')
    expect(html).not.toContain('Leader of each partition over time')
    expect(chaosResultToMarkdown(resultWith(undefined))).toContain('no white-box section')
  })

  it('draws a step series: the last point at or before each time', () => {
    expect(stepValues([[1, 0], [2.5, 1]], [0, 1, 2, 2.5, 3])).toEqual([null, 0, 0, 1, 1])
  })
})
