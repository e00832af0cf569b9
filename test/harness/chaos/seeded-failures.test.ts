// Seeded failures: real misconfigurations that a chaos run must catch, each in a short run
// (about 20 s of load) of the workload file that demonstrates it. The assertions are on the
// kind of anomaly, never on counts, so a loaded machine changes how many cases appear but
// not whether the failure is caught.

import { describe, expect, it } from 'vitest'
import { CHAOS_TEST_TIMEOUT_MS, runWorkloadFile, sluiceCheck, verdictEssence } from './chaos-run.ts'

describe('seeded failures', () => {
  it('no fsync + lose-un-fsynced-writes -> lost-write or unseen', async () => {
    const run = await runWorkloadFile('no-fsync-lose-writes.yaml', { seed: 201 })
    try {
      expect(run.result.nemesis.bands.some(band => band.label.startsWith('lose-unfsynced-writes'))).toBe(true)
      expect(run.anomalies.some(name => name === 'lost-write' || name === 'unseen')).toBe(true)
      expect(run.exitCode).toBe(1)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('acks=0 with broker kills -> acknowledged writes never read (unseen, or lost-write)', async () => {
    const run = await runWorkloadFile('acks0-kill.yaml', { seed: 202 })
    try {
      expect(run.anomalies.some(name => name === 'lost-write' || name === 'unseen')).toBe(true)
      // acks=0 acknowledges without an offset: the lost values are exactly such sends.
      const unseen = run.verdict!.anomalies.unseen ?? []
      for (const found of unseen) expect(found.offsets).toEqual([null])
      expect(run.exitCode).toBe(1)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('idempotence off + client retries under response-dropping resets -> duplicate, and sluice check agrees', async () => {
    const run = await runWorkloadFile('retries-no-idempotence.yaml', { seed: 203 })
    try {
      expect(run.anomalies).toContain('duplicate')
      for (const found of run.verdict!.anomalies.duplicate!) expect(found.offsets.length).toBeGreaterThan(1)
      expect(run.exitCode).toBe(1)
      const offline = await sluiceCheck(run.historyPath)
      expect(offline.exitCode).toBe(1)
      expect(verdictEssence(offline.verdict)).toEqual(verdictEssence(run.verdict!))
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('auto-commit before processing with processor crashes -> exactly-once (missing outputs)', async () => {
    const run = await runWorkloadFile('autocommit-crash.yaml', { seed: 204 })
    try {
      expect(run.result.transform).toMatchObject({ commitMode: 'auto-commit', drained: true })
      expect(run.result.transform!.crashes).toBeGreaterThan(0)
      const cases = run.verdict!.anomalies['exactly-once'] ?? []
      expect(cases.some(found => found.kind === 'missing')).toBe(true)
      expect(run.exitCode).toBe(1)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('commit after produce under the same crashes never loses an output (at-least-once)', async () => {
    const run = await runWorkloadFile('autocommit-crash.yaml', { seed: 204, overrides: { 'chaos.commitMode': 'after-produce' } })
    try {
      expect(run.result.transform).toMatchObject({ commitMode: 'after-produce', drained: true })
      expect(run.result.transform!.crashes).toBeGreaterThan(0)
      expect(run.result.failure).toBeNull()
      const cases = run.verdict!.anomalies['exactly-once'] ?? []
      // Re-processing after a crash may repeat outputs; it must never drop one or commit backwards.
      expect(cases.filter(found => found.kind !== 'duplicated')).toEqual([])
      expect(run.anomalies.filter(name => name !== 'exactly-once')).toEqual([])
      expect(run.verdict!.stats.sendsOk).toBeGreaterThan(100)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)
})
