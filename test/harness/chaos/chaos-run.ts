// Shared pieces of the chaos-run tests: run a workload file from workloads/chaos/ through the
// real runner (real broker processes, the embedded Toxiproxy, real clients) into a temporary
// results directory, and re-check a saved history with the real `sluice check` command.

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AnomalyName } from '../../../chaos/check/anomaly.ts'
import type { Verdict } from '../../../chaos/check/checker.ts'
import { runChaos } from '../../../harness/chaos/runner.ts'
import type { ChaosRunOutcome } from '../../../harness/chaos/runner.ts'
import { loadWorkload } from '../../../harness/workload/load.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const CLI = join(ROOT, 'harness', 'cli.ts')

/** A chaos run takes its load time plus healing and final polls; leave room on a loaded machine. */
export const CHAOS_TEST_TIMEOUT_MS = 180_000

export interface TestRun extends ChaosRunOutcome {
  resultsDir: string
  anomalies: AnomalyName[]
  cleanup (): Promise<void>
}

/** `name` is a file in workloads/chaos/, or a path relative to the repository (a test fixture). */
export async function runWorkloadFile (name: string, options: { seed: number, overrides?: Record<string, string> }): Promise<TestRun> {
  const resultsDir = await mkdtemp(join(tmpdir(), 'sluice-chaos-test-'))
  // Kafka's 3 s initial rebalance delay only slows the test's group joins down.
  const overrides = { 'brokerConfig.group.initial.rebalance.delay.ms': '0', ...options.overrides }
  const workload = await loadWorkload(name.includes('/') ? join(ROOT, name) : join(ROOT, 'workloads', 'chaos', name), overrides)
  const outcome = await runChaos({ workload, resultsDir, seed: options.seed })
  return {
    ...outcome,
    resultsDir,
    anomalies: Object.keys(outcome.verdict?.anomalies ?? {}) as AnomalyName[],
    cleanup: () => rm(resultsDir, { recursive: true, force: true }),
  }
}

/** Runs `sluice check <history> --json` as a user would; resolves with its exit code and verdict. */
export function sluiceCheck (historyPath: string): Promise<{ exitCode: number, verdict: Verdict }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'check', historyPath, '--json'], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      try {
        resolve({ exitCode, verdict: JSON.parse(stdout) as Verdict })
      } catch (parseError) {
        reject(new Error(`sluice check printed no verdict (exit ${exitCode}): ${(parseError as Error).message}; ${error?.message ?? ''}`))
      }
    })
  })
}

/** The parts of a verdict that must agree between the live run and `sluice check`. */
export function verdictEssence (verdict: Verdict): unknown {
  return { valid: verdict.valid, anomalyCounts: verdict.anomalyCounts, anomalies: verdict.anomalies, stats: verdict.stats, unchecked: verdict.unchecked }
}

export async function readRunFile (run: TestRun, name: string): Promise<string> {
  return await readFile(join(run.runDir, name), 'utf8')
}
