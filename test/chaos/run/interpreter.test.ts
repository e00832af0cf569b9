// The interpreter is the only writer of history.jsonl: indexes count up from 0, timeNs never
// goes backwards, one op is in flight per process, and every op is on disk as soon as it is
// recorded, so the history of a harness that dies mid-run can still be checked.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkHistoryFile } from '../../../chaos/check/checker.ts'
import { readHistoryFile } from '../../../chaos/check/history-file.ts'
import { HistoryWriter, InterpreterError } from '../../../chaos/run/interpreter.ts'
import { Timeline } from '../../../chaos/run/timeline.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-interpreter-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('HistoryWriter', () => {
  it('numbers ops from 0 with non-decreasing times and writes each at once', async () => {
    const path = join(dir, 'history.jsonl')
    const history = new HistoryWriter(path, { firstFreeProcess: 2 })
    history.invoke(0, 'send', [['send', 'k', 1]])
    history.invoke(1, 'poll', [['poll']])
    history.complete(0, 'ok', [['send', 'k', [0, 1]]])
    // Streaming: the file holds every op before the writer is closed.
    const early = await readHistoryFile(path)
    expect(early.map(op => op.index)).toEqual([0, 1, 2])
    history.complete(1, 'ok', [['poll', { k: [[0, 1]] }]])
    history.info('nemesis', 'nemesis', { fault: 'kill', phase: 'start', id: 0 })
    history.close()
    const ops = await readHistoryFile(path)
    expect(ops.map(op => op.index)).toEqual([0, 1, 2, 3, 4])
    for (let i = 1; i < ops.length; i++) expect(ops[i]!.timeNs).toBeGreaterThanOrEqual(ops[i - 1]!.timeNs)
    expect(ops[2]).toMatchObject({ process: 0, type: 'ok', f: 'send' })
    expect(ops[4]).toMatchObject({ process: 'nemesis', type: 'info', f: 'nemesis' })
    const verdict = await checkHistoryFile(path)
    expect(verdict.valid).toBe(true)
    expect(verdict.stats.sendsOk).toBe(1)
  })

  it('allows one op in flight per process and completes only invoked ops', () => {
    const history = new HistoryWriter(join(dir, 'h.jsonl'), { firstFreeProcess: 1 })
    history.invoke(0, 'send', [['send', 'k', 1]])
    expect(() => history.invoke(0, 'poll', [['poll']])).toThrow(InterpreterError)
    expect(() => history.complete(5, 'ok', null)).toThrow(InterpreterError)
    expect(history.inFlight(0)).toBe(true)
    history.complete(0, 'info', [['send', 'k', 1]])
    expect(history.inFlight(0)).toBe(false)
    history.close()
    expect(() => history.info(0, 'crash', null)).toThrow(InterpreterError)
  })

  it('hands out fresh process ids above the initial slots', () => {
    const history = new HistoryWriter(join(dir, 'h.jsonl'), { firstFreeProcess: 4 })
    expect([history.newProcess(), history.newProcess(), history.newProcess()]).toEqual([4, 5, 6])
    history.close()
  })

  it('keeps the final flag on both halves of a final poll and refuses to reuse a file', async () => {
    const path = join(dir, 'h.jsonl')
    const history = new HistoryWriter(path, { firstFreeProcess: 1 })
    history.invoke(0, 'poll', [['poll']], { final: true })
    history.complete(0, 'ok', [['poll', {}]])
    history.close()
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as { final?: boolean })
    expect(lines.map(line => line.final)).toEqual([true, true])
    expect(() => new HistoryWriter(path, { firstFreeProcess: 1 })).toThrow(/EEXIST/)
  })

  it('feeds observers: per-second counts, send latency and fault bands', () => {
    const history = new HistoryWriter(join(dir, 'h.jsonl'), { firstFreeProcess: 1 })
    const timeline = new Timeline()
    history.observe(timeline.observe)
    history.info('nemesis', 'nemesis', { fault: 'pause', phase: 'start', id: 3, targets: ['broker-0'] })
    history.invoke(0, 'send', [['send', 'k', 1]])
    history.complete(0, 'ok', [['send', 'k', [0, 1]]])
    history.invoke(0, 'poll', [['poll']])
    history.complete(0, 'ok', [['poll', { k: [[0, 1]] }]])
    history.info('nemesis', 'nemesis', { fault: 'pause', phase: 'end', id: 3, targets: ['broker-0'] })
    history.close()
    const [second] = timeline.samples()
    expect(second).toMatchObject({ sendsOk: 1, pollsOk: 1, recordsRead: 1 })
    expect(second!.sendLatencyMsP50).toBeGreaterThanOrEqual(0)
    expect(timeline.allBands()).toEqual([expect.objectContaining({ label: 'pause broker-0' })])
  })
})
