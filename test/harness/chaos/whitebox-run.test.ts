// The white-box checks in real chaos runs on a three-node reference cluster. The safe
// replicated configuration under leader kills, pauses and network faults must pass all three
// (and say so in result.json and both reports, with each partition's leader and ISR over
// time); a seeded unsafe one (fixtures/unclean-paused-leader.yaml: acks=1, unclean election,
// the follower then the leader paused) must be caught by the white-box hw-regression: the
// old leader, resumed in the same process, truncates below its own HW. `sluice check` on the
// history alone cannot see that, and says nothing about it.

import { describe, expect, it } from 'vitest'
import type { ChaosResult } from '../../../harness/chaos/result.ts'
import { CHAOS_TEST_TIMEOUT_MS, readRunFile, runWorkloadFile, sluiceCheck, verdictEssence } from './chaos-run.ts'

const statusOf = (result: ChaosResult): Record<string, string> => Object.fromEntries((result.whitebox?.checks ?? []).map(c => [c.name, c.status]))

describe('white-box checks in a chaos run', () => {
  it('run and pass on the safe replicated configuration, with leaders and ISR sizes over time in the reports', async () => {
    const run = await runWorkloadFile('safe-rf3.yaml', { seed: 31, overrides: { testDurationSeconds: '14' } })
    try {
      expect(run.result.failure).toBeNull()
      expect(statusOf(run.result)).toEqual({ 'replica-consistency': 'ok', 'hw-monotonic': 'ok', 'one-leader-per-epoch': 'ok' })
      const whitebox = run.result.whitebox!
      expect(whitebox.anomalies).toEqual({})
      expect(whitebox.sampler!.rounds).toBeGreaterThan(10)
      // Every partition of the run's topic has a leader and ISR series; the kill moved a leader or shrank an ISR.
      expect(whitebox.partitions.map(p => `${p.topic}-${p.partition}`)).toEqual(['chaos-0', 'chaos-1', 'chaos-2'])
      expect(whitebox.partitions.every(p => p.points.length > 0 && p.replicas.length === 3)).toBe(true)
      expect(whitebox.partitions.some(p => p.points.length > 1)).toBe(true)
      expect(run.verdict!.valid).toBe(true)
      expect(run.exitCode).toBe(0)

      const saved = JSON.parse(await readRunFile(run, 'result.json')) as ChaosResult
      expect(statusOf(saved)).toEqual(statusOf(run.result))
      expect(await readRunFile(run, 'report.md')).toMatch(/## White-box checks[\s\S]*\| replica-consistency \| OK \| replicas agree below the HW in 3 partition/)
      const html = await readRunFile(run, 'report.html')
      expect(html).toContain('Leader of each partition over time')
      expect(html).toContain('ISR size of each partition over time')
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('catch a HW that goes back within one broker process after an unclean election (seeded), which the history alone cannot show', async () => {
    // The scenario depends on timing (see the fixture): if the ISR shrink was not committed before the
    // leader's pause, the election is clean and no HW goes back. That is a miss of the scenario, not of
    // the check, so it runs once more; a check that never reports the regression still fails here.
    // The unclean election is enabled broker-wide, so an internal partition (__consumer_offsets-N)
    // may go back as well; the case this test is about is the one on chaos-0.
    const chaosCase = (r: typeof run) => r.result.verdict?.anomalies['hw-regression']?.find(c => c.partition === 'chaos-0')
    let run = await runWorkloadFile('test/harness/chaos/fixtures/unclean-paused-leader.yaml', { seed: 5 })
    if (chaosCase(run) === undefined) {
      const log = await readRunFile(run, 'cluster/broker-0.log')
      console.warn(`unclean-paused-leader produced no HW regression on chaos-0 (seed 5); running it again. broker-0 on chaos-0:\n${log.split('\n').filter(line => line.includes('chaos-0')).join('\n')}`)
      await run.cleanup()
      run = await runWorkloadFile('test/harness/chaos/fixtures/unclean-paused-leader.yaml', { seed: 6 })
    }
    try {
      expect(statusOf(run.result)['hw-monotonic']).toBe('failed')
      const found = chaosCase(run)
      expect(found).toBeDefined()
      expect(found!.offsets[0]!).toBeGreaterThan(found!.offsets[1]!)
      expect(found!.note).toMatch(/chaos-0 on broker \d: HW went back from \d+ .* to \d+/)
      expect(found!.note).not.toContain('across a restart')
      expect(run.verdict!.valid).toBe(false)
      expect(run.exitCode).toBe(1)
      expect(await readRunFile(run, 'report.md')).toMatch(/\| hw-regression \| \d+ \|/)

      const offline = await sluiceCheck(run.historyPath)
      expect(offline.verdict.anomalies['hw-regression']).toBeUndefined()
      expect(verdictEssence(offline.verdict)).toEqual(verdictEssence(run.historyVerdict!))
    } finally {
      await run.cleanup()
    }
  }, 2 * CHAOS_TEST_TIMEOUT_MS)
})
