// `sluice bench workloads/smoke.yaml --backend docker`, as a user runs it: the broker in a
// container, clients over its published port, every message produced consumed. Without a
// container engine the test skips with the engine's own error.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEngine, type TestEngine } from '../../helpers/container-engine.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from './bench-cli.ts'

const resultsDir = mkdtempSync(join(tmpdir(), 'sluice-bench-docker-'))

describe('sluice bench --backend docker', () => {
  let t: TestEngine = { engine: null, shared: null, skipReason: 'not started' }
  beforeAll(async () => { t = await startTestEngine() }, 600_000)
  afterAll(async () => {
    await t.engine?.stop()
    rmSync(resultsDir, { recursive: true, force: true })
  }, 60_000)

  it('runs workloads/smoke.yaml against a broker container with consumed = produced', async ({ skip }) => {
    if (t.engine === null) skip(t.skipReason)
    const run = await runBenchCli(['workloads/smoke.yaml', '--backend', 'docker', '--duration', '4s', '--results-dir', resultsDir, '--no-progress'], 300_000)
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(resultsDir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'smoke', durationSec: 4 })
    expect(result.cluster?.backend).toBe('docker')
  }, 320_000)
})
