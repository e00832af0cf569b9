// The chaos reports and exit code, from hand-made results and verdicts: the verdict comes
// first, every anomaly shows its evidence (ops to open in history.jsonl), faults appear as
// bands on the charts, and a failed run is never reported as valid.

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { chaosResultToHtml } from '../../../harness/chaos/report-html.ts'
import { chaosResultToMarkdown } from '../../../harness/chaos/report-markdown.ts'
import { verdictForResult } from '../../../harness/chaos/result.ts'
import type { ChaosResult } from '../../../harness/chaos/result.ts'
import { exitCodeOf } from '../../../harness/chaos/runner.ts'
import { HistoryBuilder } from '../../chaos/check/history-builder.ts'
import { countColor, decodePng } from '../report/png.ts'

const run = promisify(execFile)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_TIMEOUT_MS = 90_000

function lostWriteVerdict (): ReturnType<typeof checkHistory> {
  const h = new HistoryBuilder()
  h.send(0, 'k', 1, 0)
  h.send(0, 'k', 2, 1)
  h.poll(1, { k: [[1, 2]] })
  return checkHistory(h.ops)
}

function result (fields: Partial<ChaosResult> = {}): ChaosResult {
  const verdict = lostWriteVerdict()
  return {
    format: 'sluice-chaos-result',
    formatVersion: 1,
    runId: '20260101T000000Z-test-abcdef',
    workload: 'test',
    workloadFile: 'workloads/chaos/test.yaml',
    startTime: '2026-01-01T00:00:00.000Z',
    endTime: '2026-01-01T00:00:30.000Z',
    seed: 7,
    nemesisSeed: 7,
    exitCode: 1,
    status: 'complete',
    failure: null,
    verdict: verdictForResult(verdict),
    mode: 'register',
    transform: null,
    nemesis: { plannedFaults: 1, bands: [{ startSec: 3, endSec: 5, label: 'kill broker-0' }], errors: [] },
    finalPolls: { complete: ['chaos-0'], incomplete: [], polls: 1 },
    outcomeReasons: { 'send info: timeout': 3 },
    opsWritten: verdict.stats.ops,
    cluster: null,
    toxiproxy: { url: 'http://127.0.0.1:8474', embedded: true },
    environment: { gitCommit: null, gitDirty: null, nodeVersion: 'v24', os: 'Linux', arch: 'x64', cpuModel: 'cpu', cpuCores: 2, totalMemoryBytes: 1, coreSharing: null },
    settings: {
      brokers: 1, partitionsPerTopic: 1, durationSeconds: 20, warmupSeconds: 0, brokerConfig: {},
      producer: { acks: -1, lingerMs: 0, batchSizeBytes: 0, compression: 'none', idempotent: false, maxInFlight: 1, retries: 0 },
      consumer: { autoCommit: false, autoCommitIntervalMs: 5000, fetchMaxWaitMs: 500, fetchMinBytes: 1 },
      chaos: null, nemesis: null,
    },
    series: Array.from({ length: 10 }, (_, i) => ({
      startSec: i, sendsOk: 10, sendsFail: 0, sendsInfo: i === 4 ? 3 : 0, pollsOk: 5, pollsFailed: 0, recordsRead: 9,
      sendLatencyMsP50: 2, sendLatencyMsP99: 9, sendLatencyMsMax: 12,
    })),
    ...fields,
  }
}

describe('chaos reports', () => {
  it('lead with the verdict and show each anomaly with its evidence', () => {
    const markdown = chaosResultToMarkdown(result())
    expect(markdown.split('\n')[0]).toBe('# Sluice chaos run: test — INVALID')
    expect(markdown).toContain('| lost-write | 1 |')
    expect(markdown).toMatch(/key "k".*values \[1\].*offsets \[0\].*ops \[1, 5\]/)
    expect(markdown).toContain('| kill broker-0 | 3.0 | 5.0 |')
    expect(markdown).toContain('--seed 7')
    expect(markdown).toContain('| send info: timeout | 3 |')
    const html = chaosResultToHtml(result())
    expect(html).toContain('<span class="badge invalid">INVALID</span>')
    expect(html).toContain('<strong>lost-write</strong>')
    expect(html).toContain('ops [1, 5]')
    // Two charts, each with the fault band, and no script anywhere.
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2)
    expect(html.match(/<title>kill broker-0: 3–5 s<\/title>/g)).toHaveLength(2)
    expect(html).not.toMatch(/<script/i)
  })

  it('say plainly when the run itself failed', () => {
    const failed = result({ exitCode: 2, failure: 'healing failed: restart broker-0: timed out', verdict: verdictForResult(checkHistory([])) })
    expect(chaosResultToMarkdown(failed)).toContain('**The run itself failed:** healing failed')
    expect(chaosResultToMarkdown(failed).split('\n')[0]).toContain('FAILED RUN')
    expect(chaosResultToHtml(failed)).toContain('<span class="badge failed">')
  })
})

describe('exit code', () => {
  // An empty history is unknown (nothing was checked), so "valid" needs a history with a read.
  const valid = ((): ReturnType<typeof checkHistory> => {
    const h = new HistoryBuilder()
    h.send(0, 'k', 1, 0)
    h.poll(1, { k: [[0, 1]] }, { final: true })
    return checkHistory(h.ops)
  })()
  const lost = lostWriteVerdict()
  const unseenOnly = ((): ReturnType<typeof checkHistory> => {
    const h = new HistoryBuilder()
    h.send(0, 'k', 1, 0)
    h.poll(1, {}, { final: true })
    return checkHistory(h.ops)
  })()

  it('is 0 for a valid run, 1 for anomalies, 2 without a verdict', () => {
    expect(exitCodeOf(null, valid)).toBe(0)
    expect(exitCodeOf(null, lost)).toBe(1)
    expect(exitCodeOf(null, null)).toBe(2)
    expect(exitCodeOf(null, { ...valid, valid: 'unknown' })).toBe(2)
  })

  it('is 2 for a failed run unless an anomaly stands on its own', () => {
    expect(unseenOnly.anomalies.unseen).toBeDefined()
    expect(exitCodeOf(null, unseenOnly)).toBe(1)
    // unseen depends on final polls a failed run may not have finished.
    expect(exitCodeOf('final polls did not finish', unseenOnly)).toBe(2)
    expect(exitCodeOf('final polls did not finish', valid)).toBe(2)
    expect(exitCodeOf('healing failed', lost)).toBe(1)
  })
})

/** A longer history on one key with a lost write and a duplicate, and reads lagging behind. */
function plottedVerdict (): ReturnType<typeof checkHistory> {
  const h = new HistoryBuilder()
  for (let value = 1; value <= 40; value++) h.send(0, 'k', value, value - 1)
  h.send(0, 'j', 1, 0)
  const reads: Array<[number, number]> = []
  for (let offset = 0; offset < 40; offset++) if (offset !== 17) reads.push([offset, offset + 1])
  reads.push([40, 5])
  h.poll(1, { k: reads, j: [[0, 1]] }, { final: true })
  return checkHistory(h.ops, { plots: true })
}

describe('report.html anomaly plots', () => {
  const verdict = plottedVerdict()
  const html = chaosResultToHtml(result({ verdict: verdictForResult(verdict) }))

  it('has an orders plot for each key with anomalies only, anomalous values in red', () => {
    expect(Object.keys(verdict.anomalies)).toEqual(expect.arrayContaining(['lost-write', 'duplicate']))
    expect(verdict.plots!.orders.map(plot => plot.key)).toEqual(['k'])
    expect(html).toContain('aria-label="Key k: value by offset"')
    expect(html).not.toContain('aria-label="Key j: value by offset"')
    expect(html).toContain('<title>offset 17: value 18 (anomaly)</title>')
    expect(html).toContain('<title>offset 40: value 5 (anomaly)</title>')
    expect(html.match(/fill="#dc2626"/g)?.length).toBeGreaterThanOrEqual(3)
  })

  it('has the unseen count over time, back to zero at the end except for the lost value', () => {
    const unseen = verdict.plots!.unseen
    expect(Math.max(...unseen.map(([, count]) => count))).toBeGreaterThan(30)
    expect(unseen.at(-1)![1]).toBe(1)
    expect(html).toContain('aria-label="Unseen values over time"')
  })

  it('lists the checkers that ran', () => {
    expect(html).toMatch(/Checkers run: inconsistent-offsets, .*cycles \(G0, G1c\)/)
    expect(chaosResultToMarkdown(result({ verdict: verdictForResult(verdict) }))).toMatch(/checkers run: inconsistent-offsets/)
  })
})

describe.skipIf(!existsSync(CHROMIUM))('report.html anomaly plots in headless Chromium', () => {
  it('parses and draws the orders dots and the unseen area', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'sluice-chaos-report-'))
    try {
      const page = join(dir, 'report.html')
      await writeFile(page, chaosResultToHtml(result({ verdict: verdictForResult(plottedVerdict()) })))
      const flags = [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
      ]
      const url = pathToFileURL(page).href
      const shot = join(dir, 'shot.png')
      await run(CHROMIUM, [...flags, `--screenshot=${shot}`, '--window-size=1280,1400', url], { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL' })
      const dom = (await run(CHROMIUM, [...flags, '--dump-dom', url], { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 })).stdout
      expect(dom).toContain('aria-label="Key k: value by offset"')
      expect(dom.match(/<circle /g)?.length).toBeGreaterThanOrEqual(40)
      const image = decodePng(await readFile(shot))
      // The anomalous dots are red; the unseen area is violet.
      expect(countColor(image, [0xdc, 0x26, 0x26], 40)).toBeGreaterThan(30)
      expect(countColor(image, [0x7c, 0x3a, 0xed], 40)).toBeGreaterThan(100)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 2 * CHROMIUM_TIMEOUT_MS + 10_000)
})
