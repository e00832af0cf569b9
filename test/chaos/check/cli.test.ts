// `sluice check` through the CLI, as a CI job would call it: exit 0 valid, 1 anomalies,
// 2 unknown (empty, truncated, unreadable, no final polls), never a pass on a history that
// proves nothing (issue 14 point 2), and the verdict's summary first with history lines.

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Verdict } from '../../../chaos/check/checker.ts'
import { writeHistoryFile } from '../../../chaos/check/history-file.ts'
import { HistoryBuilder } from './history-builder.ts'

const CLI = resolve(import.meta.dirname, '../../../harness/cli.ts')
// Generous: eight CLI processes start at once, and a loaded machine makes each start slow.
const RUN_TIMEOUT_MS = 150_000

interface Outcome { code: number, stdout: string, stderr: string }

function sluice (args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
}

/** Sends, polls and final polls: a complete history of a short run. */
function completeHistory (): HistoryBuilder {
  const h = new HistoryBuilder()
  h.send(1, 'k', 1, 0)
  h.send(2, 'k', 2, 1)
  h.poll(3, { k: [[0, 1], [1, 2]] })
  h.send(1, 'k', 3, 2)
  h.poll(3, { k: [[2, 3]] })
  h.poll(4, { k: [[0, 1], [1, 2], [2, 3]] }, { final: true })
  return h
}

let dir: string
const outcomes: Record<string, Outcome> = {}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-check-cli-'))
  const complete = join(dir, 'complete.jsonl')
  await writeHistoryFile(complete, completeHistory().ops)
  const lines = (await readFile(complete, 'utf8')).split('\n')
  await writeFile(join(dir, 'empty.jsonl'), '')
  // Cut at a line boundary in the middle of the run: before the final polls.
  await writeFile(join(dir, 'truncated.jsonl'), `${lines.slice(0, 6).join('\n')}\n`)
  // Cut in the middle of a line, as a crash mid-write would leave it.
  await writeFile(join(dir, 'torn.jsonl'), `${lines.slice(0, 6).join('\n')}\n${lines[6]!.slice(0, 20)}`)
  const noFinal = completeHistory()
  noFinal.ops.splice(-2)
  await writeHistoryFile(join(dir, 'no-final.jsonl'), noFinal.ops)
  const lost = new HistoryBuilder()
  lost.send(1, 'k', 1, 0)
  lost.send(1, 'k', 2, 1)
  lost.send(1, 'k', 3, 2)
  lost.poll(2, { k: [[0, 1], [2, 3]] }, { final: true })
  await writeHistoryFile(join(dir, 'lost.jsonl'), lost.ops)
  const runs: Array<[string, string[]]> = [
    ['complete', ['check', complete]],
    ['empty', ['check', join(dir, 'empty.jsonl')]],
    ['truncated', ['check', join(dir, 'truncated.jsonl')]],
    ['torn', ['check', join(dir, 'torn.jsonl')]],
    ['noFinal', ['check', join(dir, 'no-final.jsonl')]],
    ['lost', ['check', join(dir, 'lost.jsonl')]],
    ['lostJson', ['check', join(dir, 'lost.jsonl'), '--json']],
    ['help', ['check', '--help']],
  ]
  const results = await Promise.all(runs.map(([, args]) => sluice(args)))
  runs.forEach(([name], i) => { outcomes[name] = results[i]! })
}, 2 * RUN_TIMEOUT_MS)

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('sluice check exit codes', () => {
  it('exits 0 on a complete valid history and lists the checkers that ran', () => {
    expect(outcomes.complete!.stdout.split('\n')[0]).toBe('VALID')
    expect(outcomes.complete!.stdout).toMatch(/checkers run: .*lost-write.*cycles \(G0, G1c\)/)
    expect(outcomes.complete!.code).toBe(0)
  })

  it('gives unknown and exit 2 on an empty history, never VALID', () => {
    expect(outcomes.empty!.stdout.split('\n')[0]).toBe('UNKNOWN')
    expect(outcomes.empty!.stdout).toContain('unknown: the history is empty')
    expect(outcomes.empty!.code).toBe(2)
  })

  it('gives unknown and exit 2 on a history cut at a line boundary mid-run', () => {
    expect(outcomes.truncated!.stdout.split('\n')[0]).toBe('UNKNOWN')
    expect(outcomes.truncated!.stdout).toMatch(/unknown: no final polls/)
    expect(outcomes.truncated!.code).toBe(2)
  })

  it('gives unknown and exit 2 on a history torn mid-line, naming the line', () => {
    expect(outcomes.torn!.stdout.split('\n')[0]).toBe('UNKNOWN')
    expect(outcomes.torn!.stdout).toMatch(/could not be read: line 7: not valid JSON/)
    expect(outcomes.torn!.code).toBe(2)
  })

  it('gives unknown and exit 2 on a history without final polls', () => {
    expect(outcomes.noFinal!.stdout).toMatch(/^UNKNOWN\n[\s\S]*unknown: no final polls/)
    expect(outcomes.noFinal!.code).toBe(2)
  })

  it('exits 1 on anomalies, summary first, then each class with its cases and history lines', () => {
    const lines = outcomes.lost!.stdout.split('\n')
    expect(lines[0]).toBe('INVALID: lost-write 1, int-poll-skip 1')
    const section = lines.indexOf('lost-write (1):')
    expect(section).toBeGreaterThan(1)
    // Op 3 (the send of value 2) is on line 4 of the file, the final poll (op 7) on line 8.
    expect(lines[section + 1]).toMatch(/values \[2\] offsets \[1\] ops \[3, 7\] \(lines 4, 8\)/)
    expect(outcomes.lost!.code).toBe(1)
  })

  it('prints the verdict as JSON with --json, same exit code', () => {
    const verdict = JSON.parse(outcomes.lostJson!.stdout) as Verdict
    expect(verdict.valid).toBe(false)
    expect(verdict.anomalyCounts['lost-write']).toBe(1)
    expect(verdict.checkers.length).toBeGreaterThan(5)
    expect(outcomes.lostJson!.code).toBe(1)
  })

  it('documents the exit codes in --help', () => {
    expect(outcomes.help!.stdout).toMatch(/Exit codes:\n\s+0\s+valid[\s\S]*1\s+anomalies found[\s\S]*2\s+unknown/)
  })
})
