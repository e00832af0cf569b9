import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkHistory, checkHistoryFile } from '../../../chaos/check/checker.ts'
import { HistoryError } from '../../../chaos/check/history.ts'
import { readHistoryFile, writeHistoryFile } from '../../../chaos/check/history-file.ts'
import { HistoryBuilder } from './history-builder.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-history-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A history with several anomalies, so the round trip has evidence to preserve. */
function messyHistory(): HistoryBuilder {
  const h = new HistoryBuilder()
  h.transform({ in: 'out' })
  h.send(1, 'k', 1, 0)
  h.send(1, 'k', 2, 1)
  h.send(1, 'k', 3, 2)
  h.sendFail(2, 'k', 4)
  h.sendInfo(3, 'k', 5)
  h.send(4, 'in', 1, 0)
  h.txn(5, [['send', 'j', [0, 1]], ['poll', { j: [[0, 1]] }]])
  h.poll(6, { k: [[0, 1], [2, 3], [3, 4]] })
  h.commit(6, 'g', { 'k-0': 4 })
  h.commit(6, 'g', { 'k-0': 1 })
  h.poll(7, { k: [[0, 1]], out: [[0, 1], [1, 1]] }, { final: true })
  return h
}

describe('history files', () => {
  it('round-trips: writing JSONL then checking the file gives the same verdict as checking in memory', async () => {
    const ops = messyHistory().ops
    const path = join(dir, 'history.jsonl')
    await writeHistoryFile(path, ops)
    expect(await readHistoryFile(path)).toEqual(ops)
    const fromFile = await checkHistoryFile(path)
    const inMemory = checkHistory(ops)
    expect(fromFile).toEqual(inMemory)
    expect(Object.keys(inMemory.anomalies).sort()).toEqual(['G1a', 'exactly-once', 'int-poll-skip', 'lost-write', 'precommitted-read'])
  })

  it('accepts blank lines, CRLF endings and a missing final newline', async () => {
    const ops = messyHistory().ops.slice(0, 3)
    const path = join(dir, 'crlf.jsonl')
    await writeFile(path, `${JSON.stringify(ops[0])}\r\n\r\n${JSON.stringify(ops[1])}\n${JSON.stringify(ops[2])}`)
    expect(await readHistoryFile(path)).toEqual(ops)
  })

  async function rejection(lines: string[]): Promise<HistoryError> {
    const path = join(dir, 'bad.jsonl')
    await writeFile(path, `${lines.join('\n')}\n`)
    const error = await checkHistoryFile(path).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(HistoryError)
    return error as HistoryError
  }

  const good = (index: number) => JSON.stringify({ index, timeNs: index, process: 1, type: 'invoke', f: 'poll', value: [['poll']] })

  it('names the line of bad JSON', async () => {
    const error = await rejection([good(0), good(1), '{"index": 2, "timeNs":'])
    expect(error.message).toMatch(/^line 3: not valid JSON/)
    expect(error.line).toBe(3)
    expect(error.code).toBe('HISTORY_INVALID')
  })

  it('names the line and the bad field of the op envelope', async () => {
    const error = await rejection([good(0), JSON.stringify({ index: 1, timeNs: 1, process: 1, type: 'done', f: 'poll', value: [] })])
    expect(error.message).toBe('line 2: op 1: field "type" must be one of invoke, ok, fail, info (got "done")')
    expect(error.field).toBe('type')
  })

  it('names the line and the path of a bad field inside a micro-op', async () => {
    const bad = { index: 1, timeNs: 1, process: 1, type: 'ok', f: 'send', value: [['send', 'k', [-1, 3]]] }
    const error = await rejection([good(0), JSON.stringify(bad)])
    expect(error.message).toMatch(/^line 2: op 1: field "value\[0\]\[2\]\[0\]" must be a non-negative integer offset or null/)
    expect(error.field).toBe('value[0][2][0]')
  })

  it('names the line where indexes stop increasing', async () => {
    const error = await rejection([good(0), good(5), good(5)])
    expect(error.message).toMatch(/^line 3: field "index" must be greater than the previous op's 5/)
  })

  it('reports progress while checking a long file, without keeping the ops', async () => {
    const path = join(dir, 'progress.jsonl')
    await writeHistoryFile(path, messyHistory().ops)
    const seen: number[] = []
    const verdict = await checkHistoryFile(path, { onProgress: (ops) => seen.push(ops), progressEveryOps: 5 })
    expect(seen).toEqual([5, 10, 15, 20, 25, 30].filter((n) => n <= verdict.stats.ops))
    expect(seen.length).toBeGreaterThan(1)
  })

  it('bounds the length of a line', async () => {
    const path = join(dir, 'long.jsonl')
    await writeFile(path, `${good(0)}\n${'x'.repeat(5000)}`)
    await expect(readHistoryFile(path, { lineCharsMax: 1000 })).rejects.toThrow(/line 2: longer than 1000 characters/)
  })
})
