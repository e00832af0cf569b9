// The tree is the architecture diagram: imports between top-level folders go one way
// (bench -> harness -> chaos -> broker), and no two modules or components import each other.
// The few cycles listed below predate this test and belong to other work; the list can only
// shrink: a new cycle fails, and so does a listed one that is gone (delete it from the list).
import { describe, expect, it } from 'vitest'
import { componentOf, cycles, directionViolations, importEdges, type ImportEdge } from './helpers/import-graph.ts'

const KNOWN_MODULE_CYCLES = [
  'broker/config/cluster-config.ts <-> broker/config/config.ts',
  'harness/workload/client-config.ts <-> harness/workload/types.ts',
]
const KNOWN_COMPONENT_CYCLES = [
  'broker/group <-> broker/server',
  'harness/. <-> harness/bench <-> harness/commands',
]

const edges = importEdges()
const show = (found: string[][]): string[] => found.map(c => c.join(' <-> ')).sort()

describe('repository layout', () => {
  it('reads the imports (the parser sees static, type-only, re-export and dynamic imports)', () => {
    expect(edges.length).toBeGreaterThan(1000)
    const has = (from: string, to: string): boolean => edges.some(e => e.from === from && e.to === to)
    expect(has('harness/commands/check.ts', 'chaos/check/checker.ts')).toBe(true)
    expect(has('harness/workload/types.ts', 'chaos/spec.ts')).toBe(true)
  })

  it('imports between top-level folders flow one way: bench -> harness -> chaos -> broker', () => {
    expect(directionViolations(edges)).toEqual([])
  })

  it('has no import cycle between modules beyond the known ones', () => {
    expect(show(cycles(edges))).toEqual([...KNOWN_MODULE_CYCLES].sort())
  })

  it('has no import cycle between components beyond the known ones', () => {
    expect(show(cycles(edges, componentOf))).toEqual([...KNOWN_COMPONENT_CYCLES].sort())
  })

  it('the checks can fail: an upward import and a cycle are reported', () => {
    const bad: ImportEdge[] = [
      { from: 'chaos/run/a.ts', to: 'harness/b.ts' },
      { from: 'chaos/check/x.ts', to: 'chaos/check/y.ts' },
      { from: 'chaos/check/y.ts', to: 'chaos/check/x.ts' },
      { from: 'chaos/run/a.ts', to: 'somewhere/else.ts' },
    ]
    expect(directionViolations(bad)).toEqual(['chaos/run/a.ts -> harness/b.ts', 'chaos/run/a.ts -> somewhere/else.ts'])
    expect(show(cycles(bad))).toEqual(['chaos/check/x.ts <-> chaos/check/y.ts'])
    expect(show(cycles(bad, componentOf))).toEqual([])
  })
})
