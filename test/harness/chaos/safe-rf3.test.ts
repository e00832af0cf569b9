// The safe replicated configuration (workloads/chaos/safe-rf3.yaml: three nodes, RF 3, min
// ISR 2, acks=all, no unclean election, fsync per write, no client re-sends) must stay valid
// under leader and controller kills, pauses, delay and network partitions between the
// brokers: the leader isolated, the controller isolated, a minority cut from the majority
// (clients cut too) and a bridge. The test also checks that every one of those faults
// really started, with its groups in the history, and that the run did real work.

import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { CHAOS_TEST_TIMEOUT_MS, runWorkloadFile } from './chaos-run.ts'

interface NemesisValue { fault: string, phase: string, targets: string[], details?: Array<Record<string, unknown>>, error?: string }

describe('safe-rf3 on a three-node reference cluster', () => {
  it('is valid under kills, pauses, delay and splits (leader, controller, halves, bridge)', async () => {
    const run = await runWorkloadFile('safe-rf3.yaml', { seed: 7 })
    try {
      expect(run.result.failure).toBeNull()
      expect(run.anomalies).toEqual([])
      expect(run.verdict!.valid).toBe(true)
      const lines = (await readFile(run.historyPath, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as { f: string, value: NemesisValue })
      const starts = lines.filter(op => op.f === 'nemesis' && op.value.phase === 'start').map(op => op.value)
      const splits = starts.filter(v => v.fault === 'split' && v.error === undefined)
      const topologies = new Set(splits.map(v => v.details![0]!.topology))
      expect([...topologies].sort()).toEqual(['bridge', 'halves', 'isolate'])
      for (const split of splits) expect((split.details![0]!.groups as string[][]).flat().length).toBeGreaterThan(0)
      const faults = new Set(starts.filter(v => v.error === undefined).map(v => v.fault))
      for (const fault of ['kill', 'pause', 'delay', 'split']) expect(faults.has(fault)).toBe(true)
      expect(run.verdict!.stats.sendsOk).toBeGreaterThan(50)
      expect(run.verdict!.stats.pollsFinal).toBeGreaterThan(0)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)
})
