import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('lost-write', () => {
  it('reports an acknowledged value below the highest offset read that nobody read', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    const lost = h.send(1, 'k', 2, 1)
    h.send(1, 'k', 3, 2)
    h.poll(2, { k: [[0, 1]] })
    const highest = h.poll(3, { k: [[2, 3]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'lost-write')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [2], offsets: [1], ops: [lost, highest], process: 1 })
  })

  it('does not report acknowledged values above the highest offset read', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.send(1, 'k', 2, 1)
    h.poll(2, { k: [[0, 1]] })
    expectValid(checkHistory(h.ops))
  })

  it('never counts a send that ended info as lost, even when later values were read', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.sendInfo(1, 'k', 2)
    h.send(2, 'k', 3, 2)
    h.poll(3, { k: [[0, 1], [2, 3]] }, { final: true })
    const verdict = checkHistory(h.ops)
    expectValid(verdict)
    expect(verdict.stats.sendsInfo).toBe(1)
  })
})
