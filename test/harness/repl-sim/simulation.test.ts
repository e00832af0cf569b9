// The partition replication simulation in CI (issue #9, "Simulation"): SEEDS seeds of
// producers, consumers, crashes, restarts, pauses, network cuts and clean and unclean
// elections must hold every invariant of replication.md, and each deliberately broken rule
// (the historical bugs) must be caught within those seeds. A failing seed is printed with
// its replay command (npm run sim:repl -- --seed ...).

import { describe, expect, it } from 'vitest'
import { DEBUG_RULES, runReplSim, type ReplSimDebug } from '../../../harness/repl-sim/scenario.ts'

const SEEDS = 5000

function firstFailure (debug: ReplSimDebug): { seed: number, failure: string, replay: string } | null {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runReplSim({ seed, debug })
    if (!r.ok) return { seed, failure: r.failure!, replay: r.replay }
  }
  return null
}

describe('partition replication simulation', () => {
  it(`holds every invariant for ${SEEDS} seeds`, () => {
    const failures: string[] = []
    const totals = { acked: 0, consumed: 0, elections: 0, uncleanElections: 0, truncations: 0, lostEntries: 0, strictSeeds: 0 }
    const startedMs = performance.now()
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runReplSim({ seed })
      if (!r.ok) failures.push(`seed ${seed} (${r.shape}): ${r.failure}\n  replay: ${r.replay}`)
      totals.acked += r.stats.acked
      totals.consumed += r.stats.consumed
      totals.elections += r.stats.elections
      totals.uncleanElections += r.stats.uncleanElections
      totals.truncations += r.stats.truncations
      totals.lostEntries += r.stats.lostEntries
      if (!r.stats.voided) totals.strictSeeds++
    }
    const seedsPerSec = SEEDS / ((performance.now() - startedMs) / 1000)
    console.log(`replication simulation: ${SEEDS} seeds at ${seedsPerSec.toFixed(0)} seeds/s; ${JSON.stringify(totals)}`)
    expect(failures.slice(0, 5).join('\n')).toBe('')
    // Runs that never acknowledge, fail over, truncate or lose a tail would prove nothing.
    expect(totals.acked).toBeGreaterThan(SEEDS * 5)
    expect(totals.consumed).toBeGreaterThan(SEEDS * 5)
    expect(totals.elections).toBeGreaterThan(SEEDS * 2)
    expect(totals.uncleanElections).toBeGreaterThan(SEEDS / 10)
    expect(totals.truncations).toBeGreaterThan(SEEDS)
    expect(totals.lostEntries).toBeGreaterThan(SEEDS)
    // Many seeds keep every guarantee to the end (no unclean election, no loss beyond min ISR).
    expect(totals.strictSeeds).toBeGreaterThan(SEEDS * 0.4)
  })

  // What each broken rule must be caught as: the invariant its bug breaks.
  const expected: Record<(typeof DEBUG_RULES)[number], RegExp> = {
    truncateToHighWatermarkOnFollow: /below leader \d+'s HW|acknowledged acks=all write .* is not on leader|vanished/,
    shrinkIsrWithoutController: /below leader \d+'s HW|acknowledged acks=all write .* is not on leader|vanished/,
    ignoreMinIsr: /fewer than min ISR/,
    skipLeaderEpochBump: /two leaders in leader epoch/,
    consumerReadsLogEnd: /a consumer read .* vanished/,
    skipFetchEpochCheck: /appended after records of epoch|differ at offset|below leader \d+'s HW/,
    uncleanElection: /acknowledged acks=all write .* is not on leader|vanished|HW went back|differ at offset|below leader/,
    eligibleByFencingOnly: /below leader \d+'s HW|fewer than min ISR|acknowledged acks=all write .* is not on leader/,
  }

  it.each(DEBUG_RULES.map(rule => [rule]))(`catches the broken rule %s within ${SEEDS} seeds`, rule => {
    const caught = firstFailure({ [rule]: true })
    console.log(caught === null ? `${rule}: not caught in ${SEEDS} seeds` : `${rule}: caught at seed ${caught.seed}: ${caught.failure}\n  replay: ${caught.replay}`)
    expect(caught).not.toBeNull()
    expect(caught!.failure).toMatch(expected[rule])
  })
})
