import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('duplicate', () => {
  it('reports one value read at two offsets', () => {
    const h = new HistoryBuilder()
    const sent = h.send(1, 'k', 1, 0)
    h.send(1, 'k', 2, 2)
    const read = h.poll(2, { k: [[0, 1], [1, 1], [2, 2]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'duplicate')
    expect(cases).toEqual([{ key: 'k', values: [1], offsets: [0, 1], ops: [sent, read] }])
  })

  it('keeps keys apart: the same value on two keys is no duplicate', () => {
    const h = new HistoryBuilder()
    h.send(1, 'a', 1, 0)
    h.send(1, 'b', 1, 0)
    h.poll(2, { a: [[0, 1]], b: [[0, 1]] })
    expectValid(checkHistory(h.ops))
  })
})
