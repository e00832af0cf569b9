// Transactional histories (issue 15 item 2): f "txn" ops mixing sends and polls, committed or
// aborted as a unit. One hand-written history per anomaly, and a clean one that is valid.

import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('transactions', () => {
  it('finds a clean transactional history valid', () => {
    const h = new HistoryBuilder()
    h.txn(1, [['send', 'x', [0, 1]], ['send', 'y', [0, 1]]])
    h.txn(2, [['poll', { x: [[0, 1]] }], ['send', 'y', [1, 2]]])
    h.txn(3, [['poll', { y: [[0, 1], [1, 2]] }]])
    h.txn(4, [['send', 'x', [1, 2]]], 'fail')
    h.poll(5, { x: [[0, 1]], y: [[0, 1], [1, 2]] }, { final: true })
    const verdict = checkHistory(h.ops, { requireFinalPolls: true })
    expectValid(verdict)
  })

  it('int-send-skip: another value landed between two sends of one transaction', () => {
    const h = new HistoryBuilder()
    const txn = h.txn(1, [['send', 'k', [0, 1]], ['send', 'k', [2, 3]]])
    h.send(2, 'k', 2, 1)
    h.poll(3, { k: [[0, 1], [1, 2], [2, 3]] })
    const verdict = checkHistory(h.ops)
    expect(verdict.anomalies['int-send-skip']).toEqual([expect.objectContaining({ key: 'k', values: [1, 3], offsets: [0, 2], ops: [txn], process: 1 })])
    // The same interleaving is a write cycle between the transaction and the other send.
    expect(verdict.anomalies.G0).toHaveLength(1)
  })

  it('int-nonmonotonic-send: a later send of one transaction landed before an earlier one', () => {
    const h = new HistoryBuilder()
    const txn = h.txn(1, [['send', 'k', [1, 1]], ['send', 'k', [0, 2]]])
    h.poll(3, { k: [[0, 2], [1, 1]] })
    const verdict = checkHistory(h.ops)
    expect(verdict.anomalies['int-nonmonotonic-send']).toEqual([expect.objectContaining({ key: 'k', values: [1, 2], offsets: [1, 0], ops: [txn] })])
  })

  it('does not hold plain multi-send ops to transaction contiguity', () => {
    const h = new HistoryBuilder()
    h.add(1, 'invoke', 'send', [['send', 'k', 1], ['send', 'k', 3]])
    h.add(1, 'ok', 'send', [['send', 'k', [0, 1]], ['send', 'k', [2, 3]]])
    h.send(2, 'k', 2, 1)
    h.poll(3, { k: [[0, 1], [1, 2], [2, 3]] })
    expectValid(checkHistory(h.ops))
  })

  it('G1a: a read of an aborted transaction\'s write', () => {
    const h = new HistoryBuilder()
    const aborted = h.txn(1, [['send', 'k', [0, 1]]], 'fail')
    const read = h.txn(2, [['poll', { k: [[0, 1]] }]])
    const cases = onlyAnomaly(checkHistory(h.ops), 'G1a')
    expect(cases).toEqual([expect.objectContaining({ key: 'k', values: [1], ops: [aborted, read] })])
  })

  it('G0: two transactions whose writes interleave in opposite orders on two keys', () => {
    const h = new HistoryBuilder()
    const t1 = h.txn(1, [['send', 'x', [0, 1]], ['send', 'y', [1, 2]]])
    const t2 = h.txn(2, [['send', 'y', [0, 1]], ['send', 'x', [1, 2]]])
    h.poll(3, { x: [[0, 1], [1, 2]], y: [[0, 1], [1, 2]] }, { final: true })
    const cases = onlyAnomaly(checkHistory(h.ops), 'G0')
    expect(cases).toHaveLength(1)
    expect([...cases[0]!.ops].sort((a, b) => a - b)).toEqual([t1, t2])
    expect(cases[0]!.note).toMatch(/ww "x"/)
    expect(cases[0]!.note).toMatch(/ww "y"/)
  })

  it('G0 through a plain send: the graph is kept whenever a history has transactions', () => {
    const h = new HistoryBuilder()
    const a = h.txn(1, [['send', 'x', [0, 1]], ['send', 'y', [1, 2]]])
    const plain = h.send(2, 'x', 2, 1)
    const b = h.txn(3, [['send', 'x', [2, 3]], ['send', 'y', [0, 1]]])
    h.poll(4, { x: [[0, 1], [1, 2], [2, 3]], y: [[0, 1], [1, 2]] }, { final: true })
    const cases = onlyAnomaly(checkHistory(h.ops), 'G0')
    expect(cases).toHaveLength(1)
    expect([...cases[0]!.ops].sort((p, q) => p - q)).toEqual([a, plain, b])
  })

  it('G1c: two transactions each read the other\'s write', () => {
    const h = new HistoryBuilder()
    const t1 = h.txn(1, [['send', 'x', [0, 1]], ['poll', { y: [[0, 1]] }]])
    const t2 = h.txn(2, [['send', 'y', [0, 1]], ['poll', { x: [[0, 1]] }]])
    const cases = onlyAnomaly(checkHistory(h.ops), 'G1c')
    expect(cases).toHaveLength(1)
    expect([...cases[0]!.ops].sort((a, b) => a - b)).toEqual([t1, t2])
    expect(cases[0]!.note).toMatch(/wr "x"/)
  })

  it('G1c (real time): a transaction read a write of one invoked only after it completed', () => {
    const h = new HistoryBuilder()
    h.send(9, 'y', 1, 0)
    const reader = h.txn(1, [['poll', { x: [[0, 1]] }], ['send', 'y', [1, 2]]])
    const writer = h.txn(2, [['send', 'x', [0, 1]]])
    h.poll(3, { x: [[0, 1]], y: [[0, 1], [1, 2]] })
    const cases = onlyAnomaly(checkHistory(h.ops), 'G1c')
    expect(cases[0]).toMatchObject({ kind: 'realtime' })
    expect([...cases[0]!.ops].sort((a, b) => a - b)).toEqual([reader, writer])
  })
})
