import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultToHtml } from '../../../harness/report/html.ts'
import { syntheticResult } from '../results/synthetic.ts'
import { countColor, countInk, decodePng } from './png.ts'

const run = promisify(execFile)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_TIMEOUT_MS = 90_000

const result = syntheticResult({ seed: 11, fault: { startSec: 15, endSec: 20, label: 'broker-0 paused' }, drainSec: 3 })
const html = resultToHtml(result)

describe('report.html', () => {
  it('is self-contained: no scripts, no external resources, a CSP that forbids fetching', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/\s(src|href)\s*=/i)
    expect(html).not.toMatch(/url\(/i)
    expect(html).not.toMatch(/@import/i)
    // The only URL is the SVG namespace, which is a name, not something fetched.
    const urls = html.match(/https?:\/\/[^"'\s<>)]+/g) ?? []
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']))
    expect(html).toContain("content=\"default-src 'none'")
  })

  it('draws the six charts with axis labels, legends, tooltips and bands', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(6)
    for (const title of ['Publish and consume rate', 'Backlog', 'Publish latency', 'Publish latency from intended send', 'End-to-end latency', 'Latency quantiles']) {
      expect(html).toContain(`aria-label="${title}"`)
    }
    expect(html).toContain('time since start (s)')
    expect(html).toContain('percentile (log scale of nines)')
    expect(html).toContain('>p99.9<')
    // One hover column per second on each of the five time charts.
    expect(html.match(/<rect class="hover"/g)).toHaveLength(5 * result.series.length)
    expect(html).toContain('<title>t = 16 s\npublish: ')
    expect(html).toContain('<title>broker-0 paused: 15–20 s</title>')
    expect(html).toMatch(/<text class="band-label"[^>]*>warm-up<\/text>/)
    expect(html).toMatch(/<text class="band-label"[^>]*>drain<\/text>/)
  })

  it('escapes text from the result', () => {
    const hostile = syntheticResult({ seed: 2, measureSec: 3, warmupSec: 1, name: 'x', fault: { startSec: 1, endSec: 2, label: '<script>alert(1)</script>' } })
    const page = resultToHtml({ ...hostile, workload: '<img src=x onerror=alert(1)>' })
    expect(page).not.toContain('<script>alert')
    expect(page).not.toContain('<img src=x')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('renders driver settings as key: value lines, notes as a list, escaped', () => {
    const settings = { notes: ['idempotence is off <b>', 'second'], producers: 1, producer: { acks: 1, lingerMs: 5 } }
    const page = resultToHtml({ ...result, driverConfig: { name: 'kafkajs', settings } })
    const row = page.match(/<tr><th>driver<\/th><td>(.*?)<\/td><\/tr>/)![1]
    expect(row).toMatch(/^kafkajs<ul class="settings">/)
    expect(row).toContain('<ul class="notes"><li>idempotence is off &lt;b&gt;</li><li>second</li></ul>')
    expect(row).toContain('<li><span class="setting">producers:</span> 1</li>')
    expect(row).toContain('<li><span class="setting">producer:</span> acks=1, lingerMs=5</li>')
    expect(row).not.toContain('{&quot;')
  })

  it('puts a warning above the figures when the max-rate answer did not hold', () => {
    const measuredPhase = { sustained: false, problems: ['end-to-end p99 2.00 s > 100 ms'], ratePerSec: 50_000, achievedRatePerSec: 49_000, backlogGrowthMessages: 0, backlogMessagesEnd: 10 }
    const page = resultToHtml({ ...result, maxRateSearch: { ratePerSec: 50_000, found: true, explanation: [], steps: [], measuredPhase } })
    const warning = page.indexOf('<div class="warning"><strong>The max-rate answer did not hold.</strong> The rate the max-rate search found (50,000 msg/s)')
    expect(warning).toBeGreaterThan(0)
    expect(warning).toBeLessThan(page.indexOf('<section class="cards">'))
    // The badge says so too: a run whose rate did not hold is not a green "complete".
    expect(page).toContain('<span class="badge warning">complete, rate not sustained</span>')
    expect(page).not.toContain('<span class="badge complete">')
    expect(html).not.toContain('did not hold')
    expect(html).toContain('<span class="badge complete">complete</span>')
  })

  it('shows a partial result as such', () => {
    const partial = syntheticResult({ seed: 3, measureSec: 4, status: 'partial', statusReason: 'broker-0 died (SIGKILL) at 9 s' })
    const page = resultToHtml(partial)
    expect(page).toContain('<span class="badge partial">partial</span>')
    expect(page).toContain('broker-0 died (SIGKILL) at 9 s')
  })
})

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let dir: string
  let screenshot: Buffer
  let dom: string

  beforeAll(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'sluice-report-'))
    const page = join(dir, 'report.html')
    await writeFile(page, html)
    const flags = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
    ]
    const url = pathToFileURL(page).href
    const shot = join(dir, 'shot.png')
    await run(CHROMIUM, [...flags, `--screenshot=${shot}`, '--window-size=1280,2000', url], { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL' })
    screenshot = await readFile(shot)
    const dumped = await run(CHROMIUM, [...flags, '--dump-dom', url], { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 })
    dom = dumped.stdout
  }, 2 * CHROMIUM_TIMEOUT_MS + 10_000)

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('parses into the DOM with every chart and its drawn series', () => {
    expect(dom.match(/<svg class="chart"/g)).toHaveLength(6)
    expect(dom.match(/<path class="series" d="M/g)?.length).toBeGreaterThanOrEqual(15)
    expect(dom.match(/<circle /g)?.length).toBeGreaterThanOrEqual(12)
  })

  it('renders the charts into pixels: series colours in both columns and every chart row', () => {
    const image = decodePng(screenshot)
    expect(image.width).toBe(1280)
    expect(image.height).toBe(2000)
    // A blank or broken render would be (almost) white.
    expect(countInk(image)).toBeGreaterThan(0.03 * image.width * image.height)
    const blue: [number, number, number] = [0x25, 0x63, 0xeb]
    const green: [number, number, number] = [0x16, 0xa3, 0x4a]
    const orange: [number, number, number] = [0xea, 0x58, 0x0c]
    const faultShade: [number, number, number] = [250, 227, 227]
    expect(countColor(image, blue, 40)).toBeGreaterThan(1000)
    expect(countColor(image, green, 40)).toBeGreaterThan(600)
    expect(countColor(image, orange, 40)).toBeGreaterThan(500)
    expect(countColor(image, faultShade, 4)).toBeGreaterThan(10_000)
    // Charts sit in two columns and three rows: each column has series ink, and so does
    // each of three horizontal strips of the chart area.
    const half = image.width / 2
    expect(countColor(image, blue, 40, { x: 0, y: 0, width: half, height: image.height })).toBeGreaterThan(500)
    expect(countColor(image, green, 40, { x: half, y: 0, width: half, height: image.height })).toBeGreaterThan(200)
    const rowsWithSeries = []
    for (let y = 0; y < image.height; y += 100) {
      const strip = { x: 0, y, width: image.width, height: 100 }
      if (countColor(image, blue, 40, strip) + countColor(image, green, 40, strip) > 100) rowsWithSeries.push(y)
    }
    expect(rowsWithSeries.length).toBeGreaterThanOrEqual(6)
    expect(rowsWithSeries.at(-1)! - rowsWithSeries[0]).toBeGreaterThan(700)
  })
})
