// The seeded controller simulation. SIM_SEED=<n> replays one seed; SIM_SEEDS=<count> runs
// more (CI runs 1,000, in a few seconds).

import { describe, it } from 'vitest'
import { runControllerSim } from './controller-sim.ts'

const STEPS = 80
const SEEDS = Number(process.env.SIM_SEEDS ?? 1000)
const ONLY = process.env.SIM_SEED

describe('controller simulation', () => {
  it(ONLY !== undefined ? `replays seed ${ONLY}` : `keeps the invariants over ${SEEDS} seeds of ${STEPS} steps`, () => {
    const seeds = ONLY !== undefined ? [Number(ONLY)] : Array.from({ length: SEEDS }, (_, i) => i)
    for (const seed of seeds) {
      try {
        runControllerSim(seed, { steps: STEPS })
      } catch (err) {
        throw new Error(`${(err as Error).message}\nreplay: SIM_SEED=${seed} npx vitest run test/broker/cluster/controller-sim.test.ts`, { cause: err })
      }
    }
  }, 120_000)
})
