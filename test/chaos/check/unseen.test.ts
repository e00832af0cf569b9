import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

function history(final: boolean) {
  const h = new HistoryBuilder()
  h.send(1, 'k', 1, 0)
  const unseen = h.send(1, 'k', 2, 1)
  h.sendInfo(1, 'k', 3)
  h.assign(2, ['k'])
  h.poll(2, { k: [[0, 1]] }, { final })
  return { ops: h.ops, unseen }
}

describe('unseen', () => {
  it('reports acknowledged values that the final polls never returned, but not info sends', () => {
    const { ops, unseen } = history(true)
    const cases = onlyAnomaly(checkHistory(ops), 'unseen')
    expect(cases).toEqual([{ key: 'k', values: [2], offsets: [1], ops: [unseen], process: 1 }])
  })

  it('is not decided without final polls, and says so', () => {
    const verdict = checkHistory(history(false).ops)
    expectValid(verdict)
    expect(verdict.unchecked).toEqual(['unseen (no final polls)'])
  })

  it('reports a value acknowledged without an offset and never read', () => {
    const h = new HistoryBuilder()
    const sent = h.send(1, 'k', 1, null)
    h.poll(2, {}, { final: true })
    const cases = onlyAnomaly(checkHistory(h.ops), 'unseen')
    expect(cases).toEqual([{ key: 'k', values: [1], offsets: [null], ops: [sent], process: 1 }])
  })
})
