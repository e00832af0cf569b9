import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('G1a (aborted read)', () => {
  it('reports a poll that read the value of a failed send', () => {
    const h = new HistoryBuilder()
    const failed = h.sendFail(1, 'k', 1)
    const read = h.poll(2, { k: [[0, 1]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'G1a')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1], offsets: [0], ops: [failed, read] })
  })

  it('reports a poll that read a write of an aborted transaction', () => {
    const h = new HistoryBuilder()
    const aborted = h.txn(1, [['send', 'k', [0, 1]], ['send', 'j', [0, 1]]], 'fail')
    const read = h.poll(2, { j: [[0, 1]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'G1a')
    expect(cases).toEqual([expect.objectContaining({ key: 'j', values: [1], offsets: [0], ops: [aborted, read] })])
  })

  it('allows reading a send that ended info', () => {
    const h = new HistoryBuilder()
    h.sendInfo(1, 'k', 1)
    h.poll(2, { k: [[0, 1]] })
    expectValid(checkHistory(h.ops))
  })
})
