// The seeded quorum simulation in CI: 1,000 seeds must hold every invariant and recover
// after healing; each deliberately broken rule must be caught within those seeds. A failing
// seed is reported with its replay command (npm run sim -- --seed ...).

import { describe, expect, it } from 'vitest'
import { runScenario, type ScenarioOptions } from '../../../../harness/raft-sim/scenario.ts'

const SEEDS = 1000

function firstFailure (opts: Omit<ScenarioOptions, 'seed'>): { seed: number; failure: string } | null {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = runScenario({ seed, ...opts })
    if (!result.ok) return { seed, failure: result.failure! }
  }
  return null
}

describe('metadata quorum simulation', () => {
  it(`holds every invariant and recovers for ${SEEDS} seeds`, () => {
    const failures: string[] = []
    let elections = 0
    let truncations = 0
    let snapshots = 0
    const startedMs = performance.now()
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario({ seed })
      if (!r.ok) failures.push(`seed ${seed}: ${r.failure}\n  replay: ${r.replay}`)
      elections += r.stats?.leaderChanges ?? 0
      truncations += r.stats?.truncations ?? 0
      snapshots += r.stats?.snapshotsInstalled ?? 0
    }
    const seedsPerSec = SEEDS / ((performance.now() - startedMs) / 1000)
    console.log(`raft simulation: ${SEEDS} seeds at ${seedsPerSec.toFixed(0)} seeds/s; ${elections} elections, ${truncations} truncations, ${snapshots} snapshot installs`)
    expect(failures.slice(0, 5).join('\n')).toBe('')
    // A run that never elects, truncates or installs a snapshot would prove nothing.
    expect(elections).toBeGreaterThan(SEEDS)
    expect(truncations).toBeGreaterThan(0)
    expect(snapshots).toBeGreaterThan(0)
  })

  it('replays a seed exactly, also from the printed command with explicit voters and observers', () => {
    const drawn = runScenario({ seed: 4242 })
    const again = runScenario({ seed: 4242 })
    expect(again).toStrictEqual(drawn)
    const explicit = runScenario({ seed: 4242, voters: drawn.voters, observers: drawn.observers })
    expect(explicit).toStrictEqual(drawn)
    expect(drawn.replay).toBe(`npm run sim -- --seed 4242 --voters ${drawn.voters} --observers ${drawn.observers}`)
  })

  it('catches a voter that grants two votes in one epoch, and the replay fails the same way', () => {
    const caught = firstFailure({ debug: { grantTwoVotes: true } })
    expect(caught?.failure).toMatch(/two leaders in epoch/)
    const first = runScenario({ seed: caught!.seed, debug: { grantTwoVotes: true } })
    const replayed = runScenario({ seed: caught!.seed, voters: first.voters, observers: first.observers, debug: { grantTwoVotes: true } })
    expect(replayed.failure).toBe(caught!.failure)
    expect(first.replay).toMatch(/^npm run sim -- --seed \d+ --voters \d --observers \d --debug grantTwoVotes$/)
  })

  it('catches followers truncating to their high watermark (the pre-KIP-101 bug)', () => {
    const caught = firstFailure({ debug: { truncateToHighWatermarkOnFollow: true } })
    expect(caught?.failure).toMatch(/fewer than a majority|committed entry at offset/)
  })
})
