// The grudges of split: who can no longer send to whom, for each topology.

import { describe, expect, it } from 'vitest'
import { splitGrudge, type Drop } from '../../../chaos/nemesis/grudge.ts'

/** Can `from` still send to `to`? */
const reaches = (drops: readonly Drop[], from: number, to: number): boolean => !drops.some(([f, t]) => f === from && t === to)

describe('splitGrudge', () => {
  it('isolate cuts the targets from the rest both ways, and keeps the rest whole', () => {
    const g = splitGrudge('isolate', [1], 3)
    expect(g.groups).toEqual([[1], [0, 2]])
    expect(g.isolated).toEqual([1])
    for (const other of [0, 2]) {
      expect(reaches(g.drops, 1, other)).toBe(false)
      expect(reaches(g.drops, other, 1)).toBe(false)
    }
    expect(reaches(g.drops, 0, 2) && reaches(g.drops, 2, 0)).toBe(true)
    expect(g.drops).toHaveLength(4)
  })

  it('isolate in / out drops one direction only', () => {
    const inbound = splitGrudge('isolate', [0], 3, 'in')
    expect(reaches(inbound.drops, 1, 0)).toBe(false)
    expect(reaches(inbound.drops, 0, 1)).toBe(true)
    const outbound = splitGrudge('isolate', [0], 3, 'out')
    expect(reaches(outbound.drops, 0, 1)).toBe(false)
    expect(reaches(outbound.drops, 1, 0)).toBe(true)
  })

  it('halves splits a minority from a majority of five', () => {
    const g = splitGrudge('halves', [4, 2], 5)
    expect(g.groups).toEqual([[2, 4], [0, 1, 3]])
    expect(g.drops).toHaveLength(2 * 3 * 2)
  })

  it('bridge: the two halves lose each other, the middle node sees both', () => {
    const g = splitGrudge('bridge', [3, 0, 4, 1, 2], 5)
    expect(g.groups).toEqual([[0, 3], [4], [1, 2]])
    for (const a of [0, 3]) {
      for (const b of [1, 2]) expect(reaches(g.drops, a, b) || reaches(g.drops, b, a)).toBe(false)
      expect(reaches(g.drops, a, 4) && reaches(g.drops, 4, a)).toBe(true)
    }
    for (const b of [1, 2]) expect(reaches(g.drops, b, 4) && reaches(g.drops, 4, b)).toBe(true)
  })

  it('ring: every node hears a majority, and no two nodes hear the same one', () => {
    for (const n of [3, 5]) {
      const order = Array.from({ length: n }, (_, i) => (i * 2) % n)
      const g = splitGrudge('ring', order, n)
      const hears = (node: number): number[] => order.filter(other => other === node || reaches(g.drops, other, node))
      const sets = order.map(node => hears(node).sort().join(','))
      for (const node of order) expect(hears(node).length).toBe(Math.floor(n / 2) + 1)
      expect(new Set(sets).size).toBe(n)
      expect(g.drops.length).toBeGreaterThan(0)
    }
  })
})
