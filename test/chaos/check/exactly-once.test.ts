import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

/** Inputs 1, 2, 3 acknowledged on key "in", which the transformer copies to key "out". */
function inputs(): { h: HistoryBuilder; sends: number[] } {
  const h = new HistoryBuilder()
  h.transform({ in: 'out' })
  const sends = [h.send(1, 'in', 1, 0), h.send(1, 'in', 2, 1), h.send(1, 'in', 3, 2)]
  return { h, sends }
}

describe('exactly-once', () => {
  it('accepts output that holds every acknowledged input once, with commits moving forward', () => {
    const { h } = inputs()
    h.commit(5, 'transform', { 'in-0': 2 })
    h.commit(5, 'transform', { 'in-0': 3 })
    h.assign(9, ['out'])
    h.poll(9, { out: [[0, 1], [1, 2], [2, 3]] }, { final: true })
    expectValid(checkHistory(h.ops))
  })

  it('reports missing and duplicated outputs as separate cases', () => {
    const { h, sends } = inputs()
    const read = h.poll(9, { out: [[0, 1], [1, 1], [2, 3]] }, { final: true })

    const cases = onlyAnomaly(checkHistory(h.ops), 'exactly-once')
    expect(cases).toHaveLength(2)
    expect(cases).toContainEqual(expect.objectContaining({ kind: 'duplicated', key: 'out', values: [1], offsets: [0, 1], ops: [read] }))
    expect(cases).toContainEqual(expect.objectContaining({ kind: 'missing', key: 'in', values: [2], offsets: [1], ops: [sends[1]] }))
  })

  it('reports output whose input send failed', () => {
    const h = new HistoryBuilder()
    h.transform({ in: 'out' })
    h.sendFail(1, 'in', 1)
    const read = h.poll(9, { out: [[0, 1]] }, { final: true })
    const cases = onlyAnomaly(checkHistory(h.ops), 'exactly-once')
    expect(cases).toEqual([expect.objectContaining({ kind: 'unexpected', key: 'out', values: [1], offsets: [0], ops: [read] })])
  })

  it('lets an input whose send ended info appear once or not at all, but not twice', () => {
    const h = new HistoryBuilder()
    h.transform({ a: 'a-out', b: 'b-out', c: 'c-out' })
    h.sendInfo(1, 'a', 1)
    h.sendInfo(2, 'b', 1)
    h.sendInfo(3, 'c', 1)
    const read = h.poll(9, { 'a-out': [[0, 1]], 'c-out': [[0, 1], [1, 1]] }, { final: true })
    const cases = onlyAnomaly(checkHistory(h.ops), 'exactly-once')
    expect(cases).toEqual([expect.objectContaining({ kind: 'duplicated', key: 'c-out', values: [1], offsets: [0, 1], ops: [read] })])
  })

  it('reports a committed offset that moves backwards, per group and partition', () => {
    const h = new HistoryBuilder()
    const ahead = h.commit(5, 'g', { 'in-0': 3, 'in-1': 1 })
    h.commit(6, 'other', { 'in-0': 1 })
    const behind = h.commit(5, 'g', { 'in-0': 2, 'in-1': 1 })

    const cases = onlyAnomaly(checkHistory(h.ops), 'exactly-once')
    expect(cases).toEqual([
      expect.objectContaining({ kind: 'commit-backwards', group: 'g', partition: 'in-0', offsets: [3, 2], ops: [ahead, behind] }),
    ])
  })

  it('does not decide missing outputs without final polls', () => {
    const { h } = inputs()
    h.poll(9, { out: [[0, 1]] })
    const verdict = checkHistory(h.ops)
    expectValid(verdict)
    expect(verdict.unchecked).toContain('exactly-once missing outputs (no final polls)')
  })

  it('rejects a topology that uses one key as both input and output', () => {
    const h = new HistoryBuilder()
    h.transform({ a: 'b', b: 'c' })
    const verdict = checkHistory(h.ops)
    expect(verdict.valid).toBe('unknown')
    expect(verdict.errors[0]?.message).toMatch(/transform maps/)
  })
})
