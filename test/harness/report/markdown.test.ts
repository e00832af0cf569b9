import { describe, expect, it } from 'vitest'
import { formatConsoleSummary } from '../../../harness/report/console.ts'
import { resultToMarkdown } from '../../../harness/report/markdown.ts'
import { decideMaxRate } from '../../../harness/measure/max-rate.ts'
import { syntheticResult } from '../results/synthetic.ts'

const result = syntheticResult({ seed: 5, fault: { startSec: 12, endSec: 16, label: 'broker-0 paused' } })
const s = result.summary

describe('report.md', () => {
  const md = resultToMarkdown(result)

  it('titles the run and says what ran', () => {
    expect(md.split('\n')[0]).toBe('## Sluice benchmark: synthetic (complete)')
    expect(md).toContain('1 topic × 4 partitions · 1 KiB messages · 2 producers per topic, 1 subscription × 1 consumer · target 2,000 msg/s · native driver · 30 s measured after 5 s warm-up')
  })

  it('has a throughput table with the summary rates', () => {
    expect(md).toContain('| publish | 2.0')
    const publishRow = md.split('\n').find((line) => line.startsWith('| publish |'))!
    expect(publishRow).toContain(`${(s.publishRateMsgPerSec / 1000).toPrecision(3)}k msg/s`)
    expect(publishRow).toContain(`${s.publishRateMiBPerSec.toPrecision(3)} MiB/s`)
    expect(publishRow).toContain(s.messagesProduced.toLocaleString('en-US'))
    expect(md).toContain(`Backlog: at most ${s.backlogMessagesMax!.toLocaleString('en-US')} messages`)
  })

  it('has one latency row per latency with p50, p99, p99.9 and max', () => {
    const lines = md.split('\n')
    expect(lines).toContain('|  | p50 | p99 | p99.9 | max | samples | measured as |')
    const rows = ['| publish |', '| publish from intended send |', '| end-to-end |', '| publish delay |'].map((start) => lines.find((line) => line.startsWith(start)))
    expect(rows.every((row) => row !== undefined)).toBe(true)
    const intended = rows[1]!.split('|').map((cell) => cell.trim())
    const ms = (us: number | null): string => `${(us! / 1000).toPrecision(3)} ms`
    expect(intended.slice(2, 6)).toEqual([
      s.correctedPublishLatencyUsP50! < 1000 ? `${s.correctedPublishLatencyUsP50} µs` : ms(s.correctedPublishLatencyUsP50),
      ms(s.correctedPublishLatencyUsP99), ms(s.correctedPublishLatencyUsP999), ms(s.correctedPublishLatencyUsMax),
    ])
    expect(md).toContain('corrected for coordinated omission')
  })

  it('lists errors by code, most frequent first, and the faults', () => {
    const errorLines = md.split('\n').filter((line) => /^\| `[A-Z_]+` \|/.test(line))
    expect(errorLines.map((line) => line.split('`')[1])).toEqual(Object.entries(s.errorsByCode).sort((a, b) => b[1] - a[1]).map(([code]) => code))
    expect(md).toContain('| 12 s | 16 s | broker-0 paused |')
  })

  it('records configuration and environment', () => {
    expect(md).toContain('| commit | 0123456789ab |')
    expect(md).toContain('| CPU | Synthetic CPU @ 3.00GHz × 2 cores |')
    expect(md).toContain('| core sharing | 1 broker process and 2 client worker threads on 2 cores, not pinned |')
    expect(md).toContain('| producer | acks=all, linger 5 ms')
  })

  it('says when a result is partial and why, and shows the max-rate search', () => {
    const partial = syntheticResult({ seed: 5, measureSec: 3, status: 'partial', statusReason: 'broker-0 exited with code 137' })
    const search = decideMaxRate({ startRate: 1000, stepFactor: 2, stepSeconds: 1, maxSteps: 1, refineSteps: 0, latencyUsP99Max: 50_000, backlogMaxMessages: 10 },
      [{ ratePerSec: 1000, intervals: [{ durationSec: 1, publishedCount: 1000, backlogMessages: 0, latencyUsP50: 100, latencyUsP99: 200 }] }])
    const text = resultToMarkdown({ ...partial, maxRateSearch: { ratePerSec: 1000, found: true, explanation: search.explanation, steps: search.judgements } })
    expect(text.split('\n')[0]).toBe('## Sluice benchmark: synthetic (PARTIAL)')
    expect(text).toContain('> **Partial result**: broker-0 exited with code 137. The figures cover the 3 measured seconds')
    expect(text).toContain('### Max-rate search\n\n```text\nMax-rate search: start 1,000 msg/s')
  })

  it('lists driver settings as key: value lines with notes as a nested list, not as JSON', () => {
    const settings = {
      notes: ['idempotence is off: the cluster does not advertise InitProducerId', 'a second note'],
      consumerErrors: {},
      producers: 2,
      topics: ['t-0', 't-1'],
      producer: { acks: -1, lingerMs: 5 },
    }
    const text = resultToMarkdown({ ...result, driverConfig: { name: 'platformatic', settings } })
    expect(text).toContain('| driver | platformatic |')
    expect(text).toContain([
      'Driver settings (platformatic):', '',
      '- notes:', '  - idempotence is off: the cluster does not advertise InitProducerId', '  - a second note',
      '- consumerErrors: none', '- producers: 2', '- topics: t-0, t-1', '- producer: acks=-1, lingerMs=5',
    ].join('\n'))
    expect(text).not.toContain('{"')
  })

  it('bounds what it prints of long driver settings', () => {
    const notes = Array.from({ length: 30 }, (_, i) => `note ${i} ${'x'.repeat(500)}`)
    const text = resultToMarkdown({ ...result, driverConfig: { name: 'native', settings: { notes } } })
    const noteLines = text.split('\n').filter((line) => line.startsWith('  - '))
    expect(noteLines).toHaveLength(21)
    expect(noteLines.at(-1)).toBe('  - … 10 more')
    expect(Math.max(...noteLines.map((line) => line.length))).toBeLessThan(260)
  })

  it('warns at the top when the max-rate answer did not hold over the measured phase', () => {
    const measuredPhase = { sustained: false, problems: ['consumers fell behind (backlog +90,000 messages over the step; they read 95.0% of what was produced)'], ratePerSec: 30_000, achievedRatePerSec: 29_900, backlogGrowthMessages: 90_000, backlogMessagesEnd: 90_500 }
    const search = { ratePerSec: 30_000, found: true, explanation: ['Result: 30,000 msg/s is the highest healthy rate'], steps: [], measuredPhase }
    const unsustained = { ...result, maxRateSearch: search }
    const lines = resultToMarkdown(unsustained).split('\n')
    expect(lines[0]).toMatch(/\(COMPLETE, RATE NOT SUSTAINED\)$/)
    // Right under the title, before any figure.
    expect(lines[2]).toMatch(/^> \*\*Warning: the max-rate answer did not hold\.\*\* The rate the max-rate search found \(30,000 msg\/s\) was not sustained over the measured phase: consumers fell behind/)
    expect(lines[2]).toContain('The sustainable rate is lower')
    const consoleLines = formatConsoleSummary(unsustained).split('\n')
    expect(consoleLines[2]).toMatch(/^WARNING: The rate the max-rate search found \(30,000 msg\/s\) was not sustained/)
    // A rate that held gets no warning.
    const held = { ...result, maxRateSearch: { ...search, measuredPhase: { ...measuredPhase, sustained: true, problems: [] } } }
    expect(resultToMarkdown(held)).not.toContain('Warning')
    expect(formatConsoleSummary(held)).not.toContain('WARNING')
  })

  it('escapes Markdown in names that come from outside', () => {
    const text = resultToMarkdown({ ...result, workload: 'a|b *c*' })
    expect(text.split('\n')[0]).toBe('## Sluice benchmark: a\\|b \\*c\\* (complete)')
  })
})

describe('console summary', () => {
  it('prints aligned throughput and latency tables without colour by default', () => {
    const text = formatConsoleSummary(result, { files: ['results/run/result.json'] })
    expect(text).not.toContain('\u001b[')
    const lines = text.split('\n')
    expect(lines[0]).toBe('Sluice benchmark synthetic (complete)')
    const headerIndex = lines.findIndex((line) => line.trim().startsWith('latency'))
    const rows = lines.slice(headerIndex + 1, headerIndex + 5)
    expect(rows.map((row) => row.trim().split(/\s{2,}/)[0])).toEqual(['publish', 'publish from intended send', 'end-to-end', 'publish delay'])
    // Right-aligned columns end at the same place as their headers.
    for (const row of rows) expect(row.length).toBe(lines[headerIndex].length)
    expect(text).toContain(`errors: ${s.publishErrors}`)
    expect(text).toContain('wrote results/run/result.json')
  })

  it('colours only when asked', () => {
    expect(formatConsoleSummary(result, { color: true })).toContain('\u001b[1m')
  })
})
