// Leader failovers through the replication state machines: over many seeds of crashes,
// restarts, produces and fetches, no acknowledged acks=all write leaves the leader's log,
// replicas agree below their HWs, and HWs never go back; in both truncation modes.

import { describe, expect, it } from 'vitest'
import { runFailoverSim } from './failover-sim.ts'

const SEEDS = 300

describe.each([{ useDivergingEpoch: true }, { useDivergingEpoch: false }])('failover simulation (useDivergingEpoch=$useDivergingEpoch)', ({ useDivergingEpoch }) => {
  it(`holds the replication invariants for ${SEEDS} seeds`, () => {
    const failures: string[] = []
    let elections = 0
    let truncations = 0
    let acked = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runFailoverSim({ seed, steps: 400, useDivergingEpoch })
      if (r.failure !== null) failures.push(r.failure)
      elections += r.elections
      truncations += r.truncations
      acked += r.acked
    }
    expect(failures.slice(0, 3).join('\n')).toBe('')
    // Runs without failovers, truncations or acknowledgements would prove nothing.
    expect(elections).toBeGreaterThan(SEEDS * 2)
    expect(truncations).toBeGreaterThan(SEEDS / 10)
    expect(acked).toBeGreaterThan(SEEDS * 10)
  })
})
