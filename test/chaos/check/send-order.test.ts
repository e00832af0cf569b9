import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('nonmonotonic-send', () => {
  it('reports a later send (ended info, placed by a poll) at a lower offset than the earlier one', () => {
    const h = new HistoryBuilder()
    const earlier = h.send(1, 'k', 1, 1)
    const later = h.sendInfo(1, 'k', 2)
    h.poll(2, { k: [[0, 2], [1, 1]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'nonmonotonic-send')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1, 2], offsets: [1, 0], ops: [earlier, later], process: 1 })
  })

  it('ignores sends whose position nobody observed', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 1)
    h.sendInfo(1, 'k', 2)
    // A poll that places value 1 only: a history nobody reads from is unknown, not valid.
    h.poll(2, { k: [[1, 1]] })
    expectValid(checkHistory(h.ops))
  })
})

describe('order', () => {
  it("reports a producer's later value acknowledged at a lower offset, once (not also as nonmonotonic-send)", () => {
    const h = new HistoryBuilder()
    const earlier = h.send(1, 'k', 1, 1)
    const later = h.send(1, 'k', 2, 0)

    const cases = onlyAnomaly(checkHistory(h.ops), 'order')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1, 2], offsets: [1, 0], ops: [earlier, later], process: 1 })
  })

  it('reports misordered acknowledgements within one op', () => {
    const h = new HistoryBuilder()
    h.add(1, 'invoke', 'send', [['send', 'k', 1], ['send', 'k', 2]])
    const op = h.add(1, 'ok', 'send', [['send', 'k', [5, 1]], ['send', 'k', [4, 2]]])
    const cases = onlyAnomaly(checkHistory(h.ops), 'order')
    expect(cases).toEqual([expect.objectContaining({ key: 'k', values: [1, 2], offsets: [5, 4], ops: [op] })])
  })

  it('allows concurrent producers to interleave in any order', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 1)
    h.send(2, 'k', 2, 0)
    h.send(1, 'k', 3, 2)
    h.poll(3, { k: [[0, 2], [1, 1], [2, 3]] })
    expectValid(checkHistory(h.ops))
  })
})
