import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { HistoryBuilder, onlyAnomaly } from './history-builder.ts'

describe('inconsistent-offsets', () => {
  it('reports an offset at which two polls read different values', () => {
    const h = new HistoryBuilder()
    const sent = h.send(1, 'k', 1, 0)
    h.sendInfo(2, 'k', 2)
    const readOne = h.poll(3, { k: [[0, 1]] })
    const readTwo = h.poll(4, { k: [[0, 2]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'inconsistent-offsets')
    expect(cases).toEqual([{ key: 'k', values: [1, 2], offsets: [0], ops: [sent, readOne, readTwo] }])
  })

  it('reports an acknowledged offset that a poll later saw holding another value', () => {
    const h = new HistoryBuilder()
    const first = h.send(1, 'k', 1, 0)
    const second = h.send(1, 'k', 2, 1)
    const read = h.poll(2, { k: [[0, 1], [1, 3]] })
    h.sendInfo(3, 'k', 3)

    const verdict = checkHistory(h.ops)
    expect(verdict.anomalies['inconsistent-offsets']).toEqual([{ key: 'k', values: [2, 3], offsets: [1], ops: [second, read] }])
    // Value 2 was acknowledged at an offset that was read, yet nobody read it: lost as well.
    expect(verdict.anomalies['lost-write']?.map((c) => c.values)).toEqual([[2]])
    expect(first).toBeLessThan(second)
  })
})
