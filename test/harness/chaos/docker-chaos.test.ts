// Chaos runs with `backend: docker`: the broker in a container, faults through the
// container engine. The safe workload under kill, pause, restart and network partition
// must be valid, and the seeded no-fsync failure must be caught as with the process
// backend (its log files sit in a host dir the disk nemesis truncates). Without an engine
// the tests skip with the engine's own error.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEngine, type TestEngine } from '../../helpers/container-engine.ts'
import { CHAOS_TEST_TIMEOUT_MS, runWorkloadFile } from './chaos-run.ts'

const DOCKER_CHAOS_TIMEOUT_MS = CHAOS_TEST_TIMEOUT_MS + 120_000

describe('chaos with backend docker', () => {
  let t: TestEngine = { engine: null, shared: null, skipReason: 'not started' }
  beforeAll(async () => { t = await startTestEngine() }, 600_000)
  afterAll(async () => { await t.engine?.stop() }, 60_000)

  it('safe workload stays valid while its broker container is killed, paused, restarted and partitioned', async ({ skip }) => {
    if (t.engine === null) skip(t.skipReason)
    const run = await runWorkloadFile('docker-safe.yaml', { seed: 301 })
    try {
      expect(run.result.failure).toBeNull()
      expect(run.anomalies).toEqual([])
      expect(run.exitCode).toBe(0)
      const bands = run.result.nemesis.bands.map(band => band.label.split(' ')[0])
      for (const fault of ['kill', 'pause', 'partition', 'restart']) expect(bands).toContain(fault)
      expect(run.result.nemesis.errors).toEqual([])
      expect(run.verdict!.stats.sendsOk).toBeGreaterThan(10)
    } finally {
      await run.cleanup()
    }
  }, DOCKER_CHAOS_TIMEOUT_MS)

  it('no fsync + lose-un-fsynced-writes in a container -> lost-write or unseen', async ({ skip }) => {
    if (t.engine === null) skip(t.skipReason)
    const run = await runWorkloadFile('no-fsync-lose-writes.yaml', { seed: 302, overrides: { backend: 'docker' } })
    try {
      expect(run.result.failure).toBeNull()
      expect(run.result.nemesis.bands.some(band => band.label.startsWith('lose-unfsynced-writes'))).toBe(true)
      expect(run.anomalies.some(name => name === 'lost-write' || name === 'unseen')).toBe(true)
      expect(run.exitCode).toBe(1)
    } finally {
      await run.cleanup()
    }
  }, DOCKER_CHAOS_TIMEOUT_MS)
})
