// The long fuzz run (`npm run fuzz`): starts a reference broker, records real kcat and
// kafkajs traffic through a proxy, then sends --frames frames (default 1,000,000) over
// short connections: half carry runs of hostile-but-valid requests for every advertised
// API and version (maximal strings and arrays, extreme integers, record batches with valid
// CRCs and lying headers), half a few mutations of the recorded frames. Prints progress, then a summary: frames, answers,
// connections the broker closed, health checks (a hang fails one), broker RSS and open
// files at start, peak and end, internal errors the broker logged, and whether it
// survived. Exit 0 if the broker stayed up and healthy, 1 if not, 2 if the run itself failed.
//
// Run: node bench/fuzz.ts [--frames 1000000] [--seed N] [--workers 8] [--no-record] [--no-lying-batches]
//        [--json out.json] [-o key=value ...]
// --no-lying-batches leaves out batches with valid CRCs and lying headers (to measure the
// rest of the broker while the log still trusts what such a batch claims).

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createRegistry } from '../broker/server/handlers/index.ts'
import { spawnBroker } from './ingest-env.ts'
import { FUZZ_TOPIC } from './fuzz/hostile-requests.ts'
import { driveRealClients, startRecordingProxy } from './fuzz/record-traffic.ts'
import { runFuzz, type FuzzStats } from './fuzz/runner.ts'

const MiB = 1024 * 1024

function summary (stats: FuzzStats, internalErrors: string[], seed: number): string {
  const mib = (b: number): string => (b / MiB).toFixed(0)
  return [
    `seed ${seed}: ${stats.frames} frames (${stats.hostileFrames} hostile requests, ${stats.mutatedFrames} mutated recordings) in ${(stats.elapsedMs / 1000).toFixed(0)} s`,
    `answers ${stats.answers}, connections ${stats.connections} (${stats.closedByBroker} closed by the broker, ${stats.hostileRunsClosed} of them carrying only valid requests)`,
    `health checks ${stats.healthChecks}, failed ${stats.healthFailures.length}${stats.healthFailures.length > 0 ? ': ' + stats.healthFailures.join('; ') : ''}`,
    `broker RSS MiB start ${mib(stats.rssStartBytes)}, peak ${mib(stats.rssMaxBytes)}, end ${mib(stats.rssEndBytes)}; open files start ${stats.fdsStart}, peak ${stats.fdsMax}, end ${stats.fdsEnd}`,
    `internal errors logged (first of each kind): ${internalErrors.length}${internalErrors.map(e => '\n  ' + e).join('')}`,
    `broker ${stats.brokerAlive ? 'survived' : 'DIED'}`,
  ].join('\n')
}

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
      workers: { type: 'string', default: '8' },
      'no-record': { type: 'boolean', default: false },
      'no-lying-batches': { type: 'boolean', default: false },
      json: { type: 'string' },
      override: { type: 'string', short: 'o', multiple: true, default: [] },
    },
  })
  const seed = Number(values.seed)
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-'))
  const proxy = await startRecordingProxy()
  const broker = await spawnBroker({
    dataDir, nodeFlags: [], cpuProfDir: null,
    overrides: ['num.partitions=3', `advertised.listeners=127.0.0.1:${proxy.port}`, 'socket.request.max.bytes=2097152', ...values.override],
  })
  const internalErrors: string[] = []
  broker.child.stderr!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.startsWith('internal error in')) internalErrors.push(line.slice(0, 300))
  })
  try {
    proxy.forwardTo(broker.port)
    if (!values['no-record']) {
      process.stderr.write('recording kcat and kafkajs traffic...\n')
      await driveRealClients(`127.0.0.1:${proxy.port}`, FUZZ_TOPIC)
    }
    await proxy.close()
    process.stderr.write(`recorded ${proxy.frames.length} frames; fuzzing with seed ${seed}\n`)
    const stats = await runFuzz({
      port: broker.port, pid: broker.pid, registry: createRegistry(), frames: Number(values.frames), seed,
      corpus: proxy.frames, frameBytesMax: 2 * MiB, lyingBatches: !values['no-lying-batches'], workers: Number(values.workers), healthEveryMs: 5000,
      onProgress: s => process.stderr.write(`  ${s.frames} frames, RSS ${(s.rssEndBytes / MiB).toFixed(0)} MiB, fds ${s.fdsEnd}, health failures ${s.healthFailures.length}\n`),
    })
    const text = summary(stats, internalErrors, seed)
    process.stdout.write(text + '\n')
    if (!stats.brokerAlive) process.stdout.write(`broker stderr tail:\n${broker.stderrTail()}\n`)
    if (values.json !== undefined) await writeFile(values.json, JSON.stringify({ seed, stats, internalErrors }, null, 2) + '\n')
    return stats.brokerAlive && stats.healthFailures.length === 0 ? 0 : 1
  } finally {
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

main().then(code => process.exit(code), err => {
  process.stderr.write(`fuzz run failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(2)
})
