// The safe configuration (fsync before every ack, acks=all, no client re-sends) under broker
// kills, pauses and network faults must be reported valid: a chaos harness that cries wolf is
// as useless as one that never does. Each run is also re-checked offline with `sluice check`,
// which must give the live run's verdict, and its reports must show the faults.

import { describe, expect, it } from 'vitest'
import { CHAOS_TEST_TIMEOUT_MS, readRunFile, runWorkloadFile, sluiceCheck, verdictEssence } from './chaos-run.ts'

describe('safe configuration', () => {
  it('is valid under kill, pause and network faults (assign-style polls), and sluice check agrees', async () => {
    const run = await runWorkloadFile('safe.yaml', { seed: 101 })
    try {
      expect(run.result.failure).toBeNull()
      expect(run.anomalies).toEqual([])
      expect(run.verdict!.valid).toBe(true)
      expect(run.exitCode).toBe(0)
      // The run did what it claims: faults of every family, real load, crashes, final polls.
      const faults = new Set(run.result.nemesis.bands.map(band => band.label.split(' ')[0]))
      for (const fault of ['kill', 'pause', 'delay', 'reset', 'blackhole', 'proxy-down']) expect(faults.has(fault)).toBe(true)
      const stats = run.verdict!.stats
      expect(stats.sendsOk).toBeGreaterThan(100)
      expect(stats.polls).toBeGreaterThan(50)
      expect(stats.valuesRead).toBeGreaterThan(stats.sendsOk)
      expect(stats.pollsFinal).toBeGreaterThan(0)
      expect(stats.commits).toBeGreaterThan(0)
      expect(stats.crashes).toBeGreaterThan(0)
      expect(run.verdict!.unchecked).toEqual([])

      const offline = await sluiceCheck(run.historyPath)
      expect(offline.exitCode).toBe(0)
      expect(verdictEssence(offline.verdict)).toEqual(verdictEssence(run.verdict!))

      const markdown = await readRunFile(run, 'report.md')
      expect(markdown).toContain('— VALID')
      const html = await readRunFile(run, 'report.html')
      expect(html).toContain('<svg')
      expect(html).toContain('kill broker-0')
      expect(html).toContain('No anomalies found.')
      const result = JSON.parse(await readRunFile(run, 'result.json')) as { exitCode: number, seed: number }
      expect(result).toMatchObject({ exitCode: 0, seed: 101 })
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)

  it('is valid with group-subscribe polls, rebalances recorded', async () => {
    const run = await runWorkloadFile('safe.yaml', { seed: 102, overrides: { 'chaos.subscribeVia': 'subscribe' } })
    try {
      expect(run.anomalies).toEqual([])
      expect(run.exitCode).toBe(0)
      const stats = run.verdict!.stats
      expect(stats.rebalances).toBeGreaterThan(0)
      expect(stats.polls).toBeGreaterThan(20)
      expect(stats.valuesRead).toBeGreaterThan(0)
      expect(stats.sendsOk).toBeGreaterThan(50)
    } finally {
      await run.cleanup()
    }
  }, CHAOS_TEST_TIMEOUT_MS)
})
