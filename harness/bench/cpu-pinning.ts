// Pinning for `sluice bench --broker-cpus 0 --harness-cpus 1`: the broker processes the
// process backend starts run under taskset(1) on one CPU list, and the harness (this process
// and every thread it has or starts later: producers, consumers) on another, so a latency
// run can show what sharing the cores costs. The report's precision section reads the
// affinities back from /proc, so it states what was in force, not what was asked for.

import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { BenchError } from './errors.ts'

/** "0", "1,3", "0-2": taskset's list form, every CPU one this machine has. */
export function parseCpuList (text: string, flag: string): string {
  const cpuCount = os.availableParallelism()
  const trimmed = text.trim()
  const bad = (why: string): never => {
    throw new BenchError('ERR_BENCH_OPTIONS', `${flag} takes a CPU list like 0, 1,3 or 0-1 (this machine has CPUs 0-${cpuCount - 1}); ${why}`)
  }
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(trimmed)) bad(`got ${JSON.stringify(text)}`)
  for (const range of trimmed.split(',')) {
    const [from, to = from] = range.split('-').map(Number) as [number, number?]
    if (to < from) bad(`the range ${range} runs backwards`)
    if (to >= cpuCount) bad(`CPU ${to} does not exist`)
  }
  return trimmed
}

function taskset (args: string[], flag: string): void {
  try {
    execFileSync('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new BenchError('ERR_BENCH_OPTIONS', `${flag} needs taskset (Debian package util-linux), which is not on PATH`)
    throw new BenchError('ERR_BENCH_OPTIONS', `${flag}: taskset ${args.join(' ')} failed: ${e.stderr?.toString().trim() ?? e.message}`)
  }
}

/** Fails early, with the flag's name, when taskset is missing (the brokers start later). */
export function checkTaskset (flag: string): void {
  taskset(['-p', String(process.pid)], flag)
}

/** Pins this process, all its threads, and the threads it starts from now on. */
export function pinThisProcess (cpus: string, flag: string): void {
  taskset(['-a', '-p', '-c', cpus, String(process.pid)], flag)
}
