// bench --broker-cpus / --harness-cpus (issue 13: the latency workload also measured with
// the broker on one core and the harness on the other): bad lists name the flag, and a
// short real run reports the affinities read back from /proc, not the ones asked for.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCpuList } from '../../../harness/bench/cpu-pinning.ts'
import { readResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(os.tmpdir(), 'sluice-bench-pin-'))
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }))

describe('bench CPU pinning', () => {
  it('takes taskset CPU lists of CPUs this machine has, and names the flag otherwise', () => {
    expect(parseCpuList(' 0 ', '--broker-cpus')).toBe('0')
    expect(parseCpuList('0-0', '--broker-cpus')).toBe('0-0')
    for (const bad of ['', 'a', '0-', '1-0', String(os.availableParallelism())]) {
      expect(() => parseCpuList(bad, '--harness-cpus'), bad).toThrow(/--harness-cpus takes a CPU list/)
    }
  })

  it.runIf(os.availableParallelism() >= 2)('runs the broker and the harness on the CPUs given, and the report says so', async () => {
    const outcome = await runBenchCli(['workloads/latency-fixed-rate.yaml', '--driver', 'native', '--duration', '1s', '--warmup', '0s',
      '--broker-cpus', '0', '--harness-cpus', '1', '--results-dir', resultsDir])
    expect(outcome.code, outcome.stderr).toBe(0)
    const [dir] = runDirsUnder(resultsDir)
    const affinity = readResult(dir!).precision!.affinity
    expect(affinity.find(a => a.process.startsWith('harness'))?.cpus).toBe('1')
    expect(affinity.find(a => a.process.startsWith('broker 0'))?.cpus).toBe('0')
    // The report's cores line says the run was pinned, not "shared by".
    expect(readFileSync(join(dir!, 'report.md'), 'utf8')).toMatch(/logical cores split by pinning: harness on CPUs 1, broker 0 on CPUs 0/)
  })
})
