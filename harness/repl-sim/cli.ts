// `npm run sim:repl -- [--seed S [--trace] | --seeds N [--from S]] [--steps K] [--debug RULE]...`
// Runs the partition replication simulation. One seed prints its outcome (and with --trace
// every step); many seeds print a progress line, one line per failure with the command that
// replays it, and totals. Exit code 1 when any seed failed.

import { Command } from 'commander'
import { DEBUG_RULES, DEFAULT_STEPS, runReplSim, type ReplSimDebug, type ReplSimResult } from './scenario.ts'

interface CliOptions { seed?: string, seeds: string, from: string, steps: string, debug: string[], trace?: boolean }

function int (value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${value})`)
  return n
}

function debugRules (names: string[]): ReplSimDebug {
  const debug: ReplSimDebug = {}
  for (const name of names) {
    if (!(DEBUG_RULES as readonly string[]).includes(name)) throw new Error(`--debug ${name}: unknown rule; one of ${DEBUG_RULES.join(', ')}`)
    debug[name as keyof ReplSimDebug] = true
  }
  return debug
}

function main (): void {
  const o = new Command('sim:repl')
    .option('--seed <n>', 'run (replay) this one seed')
    .option('--seeds <n>', 'how many seeds to run', '10000')
    .option('--from <n>', 'first seed of a multi-seed run', '1')
    .option('--steps <n>', 'steps per seed', String(DEFAULT_STEPS))
    .option('--trace', 'with --seed: print every step and the cluster state after it')
    .option('--debug <rule>', `enable a deliberately broken rule: ${DEBUG_RULES.join(', ')}`, (v: string, all: string[]) => [...all, v], [] as string[])
    .parse()
    .opts<CliOptions>()
  const steps = int(o.steps, 'steps', 1)!
  const debug = debugRules(o.debug)
  const single = int(o.seed, 'seed')
  if (single !== undefined) {
    const result = runReplSim({ seed: single, steps, debug, trace: o.trace === true ? line => console.log(line) : undefined })
    console.log(describe(result))
    process.exitCode = result.ok ? 0 : 1
    return
  }
  runMany(int(o.from, 'from')!, int(o.seeds, 'seeds', 1)!, steps, debug)
}

function runMany (from: number, count: number, steps: number, debug: ReplSimDebug): void {
  const startedMs = performance.now()
  const totals: Record<string, number> = {}
  let failed = 0
  let lastLineMs = startedMs
  for (let seed = from; seed < from + count; seed++) {
    const r = runReplSim({ seed, steps, debug })
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + Number(v)
    if (!r.ok) {
      failed++
      console.log(`FAIL seed ${seed} (${r.shape}): ${r.failure}\n  replay: ${r.replay}`)
    }
    const nowMs = performance.now()
    if (nowMs - lastLineMs > 2000 || seed === from + count - 1) {
      lastLineMs = nowMs
      const done = seed - from + 1
      console.error(`sim:repl: ${done}/${count} seeds, ${failed} failed, ${(done / ((nowMs - startedMs) / 1000)).toFixed(0)} seeds/s`)
    }
  }
  console.error(`sim:repl: totals ${Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  process.exitCode = failed === 0 ? 0 : 1
}

function describe (r: ReplSimResult): string {
  return `seed ${r.seed} (${r.shape}): ${r.ok ? 'ok' : `FAIL: ${r.failure}`}; ${JSON.stringify(r.stats)}\n  replay: ${r.replay}`
}

try {
  main()
} catch (err) {
  console.error(`sim:repl: ${(err as Error).message}`)
  process.exitCode = 2
}
