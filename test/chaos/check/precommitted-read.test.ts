import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('precommitted-read', () => {
  it('reports a transaction that read its own write', () => {
    const h = new HistoryBuilder()
    const txn = h.txn(1, [['send', 'k', [0, 1]], ['poll', { k: [[0, 1]] }]])

    const cases = onlyAnomaly(checkHistory(h.ops), 'precommitted-read')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1], offsets: [0], ops: [txn], process: 1 })
  })

  it('allows a transaction to read what others committed before it', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.txn(2, [['poll', { k: [[0, 1]] }], ['send', 'k', [1, 2]]])
    h.poll(3, { k: [[0, 1], [1, 2]] })
    expectValid(checkHistory(h.ops))
  })
})
