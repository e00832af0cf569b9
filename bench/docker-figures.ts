// Figures of the docker backend for the README, measured in one run on this machine:
// time from start() to ready brokers (one and three containers; the engine already up,
// the broker image already built), container kill-to-ready restart time, and the smoke
// workload's throughput and latency in a container next to the process backend.
//
//   eval "$(scripts/container-engine.sh up)"; npx node bench/docker-figures.ts [--smoke-duration 10s]

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { DockerBackend } from '../harness/cluster/docker-backend.ts'
import { ensureContainerEngine } from '../harness/cluster/engine.ts'
import type { BenchResult } from '../harness/results/result.ts'

const REPO = join(import.meta.dirname, '..')
const RESTARTS = 3
const smokeDuration = process.argv.includes('--smoke-duration') ? process.argv[process.argv.indexOf('--smoke-duration') + 1]! : '10s'

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const engine = await ensureContainerEngine({ log: line => process.stderr.write(`${line}\n`) })
Object.assign(process.env, engine.env)
const shared = { ...engine, stop: async () => {} }
try {
  // Builds the image if this checkout has none yet, so the timed starts below do not.
  await (await new DockerBackend({ engine: shared }).start({ brokers: 1, brokerConfig: {} })).stop()
  for (const brokers of [1, 3]) {
    const started = Date.now()
    const cluster = await new DockerBackend({ engine: shared }).start({ brokers, brokerConfig: {} })
    const upMs = Date.now() - started
    const restartMs: number[] = []
    if (brokers === 1) {
      for (let i = 0; i < RESTARTS; i++) {
        const killed = Date.now()
        await cluster.brokers[0]!.kill()
        await cluster.brokers[0]!.restart()
        restartMs.push(Date.now() - killed)
      }
    }
    const stopped = Date.now()
    await cluster.stop()
    console.log(`${brokers} broker(s): up to ready ${(upMs / 1000).toFixed(1)} s, stop ${((Date.now() - stopped) / 1000).toFixed(1)} s` +
      (restartMs.length > 0 ? `, kill-to-ready median ${(median(restartMs) / 1000).toFixed(1)} s of ${restartMs.map(ms => (ms / 1000).toFixed(1)).join(', ')}` : ''))
  }
  for (const backend of ['process', 'docker']) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-figures-'))
    try {
      const run = await execa(process.execPath, [join(REPO, 'harness', 'cli.ts'), 'bench', 'workloads/smoke.yaml', '--backend', backend, '--duration', smokeDuration, '--results-dir', dir, '--no-progress', '--json'], { cwd: REPO, reject: false })
      if (run.exitCode !== 0) throw new Error(`bench --backend ${backend} failed: ${run.stderr.split('\n').slice(-5).join('\n')}`)
      const runDir = readdirSync(dir).find(name => existsSync(join(dir, name, 'result.json')))
      if (runDir === undefined) throw new Error(`bench --backend ${backend} wrote no result.json under ${dir}`)
      const result = JSON.parse(readFileSync(join(dir, runDir, 'result.json'), 'utf8')) as BenchResult
      const s = result.summary
      console.log(`smoke ${backend}: ${s.publishRateMsgPerSec.toFixed(0)} msg/s produced, ${s.consumeRateMsgPerSec?.toFixed(0)} msg/s consumed, publish p99 ${((s.publishLatencyUsP99 ?? NaN) / 1000).toFixed(1)} ms, end-to-end p99 ${((s.endToEndLatencyUsP99 ?? NaN) / 1000).toFixed(1)} ms`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
} finally {
  await engine.stop()
}
