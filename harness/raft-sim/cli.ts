// `npm run sim -- [--seed N | --seeds N [--from S]] [--voters V] [--observers O] [--debug RULE]`
// Runs the metadata quorum simulation. One seed prints its outcome; many seeds print a
// progress line and, for every failure, the one-line command that replays it. Exit code 1
// when any seed failed.

import { Command } from 'commander'
import type { DebugFaults } from '../../broker/cluster/raft/types.ts'
import { runScenario, type ScenarioResult } from './scenario.ts'

const DEBUG_RULES = ['grantTwoVotes', 'commitOldEpochByCount', 'truncateToHighWatermarkOnFollow'] as const

interface CliOptions { seed?: string; seeds: string; from: string; voters?: string; observers?: string; debug: string[]; chaosMs?: string }

function int (value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got ${value})`)
  return n
}

function debugFaults (names: string[]): DebugFaults {
  const faults: DebugFaults = {}
  for (const name of names) {
    if (!(DEBUG_RULES as readonly string[]).includes(name)) throw new Error(`--debug ${name}: unknown rule; one of ${DEBUG_RULES.join(', ')}`)
    faults[name as keyof DebugFaults] = true
  }
  return faults
}

function main (): void {
  const program = new Command('sim')
    .option('--seed <n>', 'run (replay) this one seed')
    .option('--seeds <n>', 'how many seeds to run', '1000')
    .option('--from <n>', 'first seed of a multi-seed run', '1')
    .option('--voters <n>', 'voters (1-5; default drawn from the seed)')
    .option('--observers <n>', 'observers (default drawn from the seed)')
    .option('--chaos-ms <n>', 'simulated length of the fault phase')
    .option('--debug <rule>', `enable a deliberately broken rule: ${DEBUG_RULES.join(', ')}`, (v: string, all: string[]) => [...all, v], [] as string[])
    .parse()
  const o = program.opts<CliOptions>()
  const base = { voters: int(o.voters, 'voters'), observers: int(o.observers, 'observers'), chaosMs: int(o.chaosMs, 'chaos-ms'), debug: debugFaults(o.debug) }
  const single = int(o.seed, 'seed')
  if (single !== undefined) {
    const result = runScenario({ seed: single, ...base })
    console.log(describe(result))
    process.exitCode = result.ok ? 0 : 1
    return
  }
  const count = int(o.seeds, 'seeds')!
  const from = int(o.from, 'from')!
  runMany(from, count, base)
}

function runMany (from: number, count: number, base: Omit<Parameters<typeof runScenario>[0], 'seed'>): void {
  const startedMs = performance.now()
  const totals = { kills: 0, truncations: 0, snapshotsInstalled: 0, leaderChanges: 0, recoveryMsMax: 0 }
  let failed = 0
  let lastLineMs = 0
  for (let seed = from; seed < from + count; seed++) {
    const result = runScenario({ seed, ...base })
    addTotals(totals, result)
    if (!result.ok) {
      failed++
      console.log(`FAIL seed ${seed}: ${result.failure}\n  replay: ${result.replay}`)
    }
    const nowMs = performance.now()
    if (nowMs - lastLineMs > 2000 || seed === from + count - 1) {
      lastLineMs = nowMs
      const done = seed - from + 1
      const perSec = done / ((nowMs - startedMs) / 1000)
      console.error(`sim: ${done}/${count} seeds, ${failed} failed, ${perSec.toFixed(1)} seeds/s`)
    }
  }
  console.error(`sim: exercised ${totals.kills} kills, ${totals.leaderChanges} leader elections, ${totals.truncations} log truncations, ${totals.snapshotsInstalled} snapshot installs; slowest recovery ${totals.recoveryMsMax} ms`)
  process.exitCode = failed === 0 ? 0 : 1
}

function addTotals (totals: { kills: number; truncations: number; snapshotsInstalled: number; leaderChanges: number; recoveryMsMax: number }, r: ScenarioResult): void {
  totals.kills += r.stats?.kills ?? 0
  totals.truncations += r.stats?.truncations ?? 0
  totals.snapshotsInstalled += r.stats?.snapshotsInstalled ?? 0
  totals.leaderChanges += r.stats?.leaderChanges ?? 0
  totals.recoveryMsMax = Math.max(totals.recoveryMsMax, r.recoveryMs)
}

function describe (r: ScenarioResult): string {
  const head = r.ok ? 'ok' : `FAIL: ${r.failure}`
  return `seed ${r.seed} (${r.voters} voters, ${r.observers} observers): ${head}; ${r.events} events, ${r.committed} committed, recovery ${r.recoveryMs} ms; ${JSON.stringify(r.stats)}\n  replay: ${r.replay}`
}

main()
