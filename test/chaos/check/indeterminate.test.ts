// Indeterminate operations are evidence too (issue 15 item 1), and a history with nothing to
// judge is unknown, never valid: one hand-written history per behaviour.

import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('info sends proven committed', () => {
  it('counts the unread value of an info transaction as lost once another of its values was read', () => {
    const h = new HistoryBuilder()
    h.add(1, 'invoke', 'txn', [['send', 'k', 1], ['send', 'k', 2]])
    // The client learnt both offsets, then the commit timed out: outcome unknown.
    const txn = h.add(1, 'info', 'txn', [['send', 'k', [0, 1]], ['send', 'k', [1, 2]]])
    h.send(3, 'k', 3, 2)
    const read = h.poll(2, { k: [[0, 1], [2, 3]] })
    const verdict = checkHistory(h.ops)
    expect(verdict.anomalies['lost-write']).toEqual([expect.objectContaining({ key: 'k', values: [2], offsets: [1], ops: [txn, read] })])
  })

  it('leaves an info transaction none of whose values was read indeterminate', () => {
    const h = new HistoryBuilder()
    h.add(1, 'invoke', 'txn', [['send', 'k', 1], ['send', 'k', 2]])
    h.add(1, 'info', 'txn', [['send', 'k', [0, 1]], ['send', 'k', [1, 2]]])
    h.send(3, 'k', 3, 2)
    h.poll(2, { k: [[2, 3]] })
    expectValid(checkHistory(h.ops))
  })

  it("uses a read info send's known offset for duplicate", () => {
    const h = new HistoryBuilder()
    h.add(1, 'invoke', 'send', [['send', 'k', 1]])
    const sent = h.add(1, 'info', 'send', [['send', 'k', [5, 1]]])
    const read = h.poll(2, { k: [[0, 1]] })
    const cases = onlyAnomaly(checkHistory(h.ops), 'duplicate')
    expect(cases).toEqual([expect.objectContaining({ key: 'k', values: [1], offsets: [0, 5], ops: [sent, read] })])
  })
})

describe('poll values are facts whatever the outcome', () => {
  it('finds a duplicate seen only by a failed poll', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.poll(2, { k: [[0, 1]] })
    h.add(3, 'invoke', 'poll', [['poll']])
    const failed = h.add(3, 'fail', 'poll', [['poll', { k: [[0, 1], [1, 1]] }]])
    const cases = onlyAnomaly(checkHistory(h.ops), 'duplicate')
    expect(cases).toEqual([expect.objectContaining({ key: 'k', values: [1], offsets: [0, 1] })])
    expect(cases[0]!.ops).toContain(failed)
  })

  it('finds a poll-skip seen only in an indeterminate poll, then lets the rolled-back consumer re-read', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.send(1, 'k', 2, 1)
    h.send(1, 'k', 3, 2)
    h.assign(4, ['k'])
    const first = h.poll(4, { k: [[0, 1]] })
    h.add(4, 'invoke', 'poll', [['poll']])
    const skipped = h.add(4, 'info', 'poll', [['poll', { k: [[2, 3]] }]])
    // After the info poll the client rolled back: reading offset 0 again is legal.
    h.poll(4, { k: [[0, 1], [1, 2], [2, 3]] })
    const cases = onlyAnomaly(checkHistory(h.ops), 'poll-skip')
    expect(cases).toEqual([expect.objectContaining({ key: 'k', values: [1, 3], offsets: [0, 2], ops: [first, skipped], process: 4 })])
  })
})

describe('nothing to check', () => {
  it('calls an empty history unknown and says why', () => {
    const verdict = checkHistory([])
    expect(verdict.valid).toBe('unknown')
    expect(verdict.unknownReasons).toEqual(['the history is empty'])
  })

  it('calls a history without sends unknown', () => {
    const h = new HistoryBuilder()
    h.poll(1, {}, { final: true })
    const verdict = checkHistory(h.ops)
    expect(verdict.valid).toBe('unknown')
    expect(verdict.unknownReasons.join()).toMatch(/no sends/)
  })

  it('calls a history whose polls read nothing unknown', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.poll(2, {})
    const verdict = checkHistory(h.ops)
    expect(verdict.valid).toBe('unknown')
    expect(verdict.unknownReasons.join()).toMatch(/no poll returned any value/)
  })

  it('calls a history without final polls unknown when final polls are required', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.poll(2, { k: [[0, 1]] })
    expect(checkHistory(h.ops).valid).toBe(true)
    const verdict = checkHistory(h.ops, { requireFinalPolls: true })
    expect(verdict.valid).toBe('unknown')
    expect(verdict.unknownReasons.join()).toMatch(/no final polls/)
  })

  it('still reports an anomaly in a history it cannot fully judge', () => {
    const h = new HistoryBuilder()
    h.sendFail(1, 'k', 1)
    h.poll(2, { k: [[0, 1]] })
    expect(checkHistory(h.ops, { requireFinalPolls: true }).valid).toBe(false)
  })

  it('lists the checkers that ran', () => {
    const verdict = checkHistory([])
    expect(verdict.checkers).toContain('lost-write')
    expect(verdict.checkers).toContain('cycles (G0, G1c)')
  })
})

describe('stats', () => {
  it('counts a crash recorded as invoke and completion once (regression: 3 crashes printed as 6)', () => {
    const h = new HistoryBuilder()
    for (const process of [1, 2, 3]) {
      h.add(process, 'invoke', 'crash', null)
      h.add(process, 'info', 'crash', null)
    }
    expect(checkHistory(h.ops).stats.crashes).toBe(3)
  })
})
