// Micro-benchmarks of the partition log's hot paths, printed as comparable figures:
//   - append throughput of 1 KiB batches with group commit (a burst of appends per event-loop
//     turn, as a busy produce path makes), without fsync and with fsync per group;
//   - the same batches appended one at a time (each awaited), to show what grouping buys;
//   - offset-index lookups (binary search over typed arrays) and full reads at random offsets.
// Run: node bench/log.bench.ts

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bench } from 'tinybench'
import type { Task } from 'tinybench'
import { OffsetCheckpointFile, RECOVERY_POINT_CHECKPOINT_FILE } from '../broker/log/checkpoint.ts'
import { logConfig } from '../broker/log/config.ts'
import type { LogConfig } from '../broker/log/config.ts'
import { PartitionLog } from '../broker/log/partition-log.ts'
import { OffsetIndex } from '../broker/log/segment-index.ts'
import { Storage } from '../broker/log/storage.ts'
import { encodeRecordBatch } from '../broker/protocol/record-batch.ts'

const BATCH_BYTES = 1024
const BURST_BATCHES = 256
const INDEX_ENTRIES = 262_144

function makeBatches (count: number): Buffer[] {
  const value = Buffer.alloc(BATCH_BYTES - 80, 'v')
  return Array.from({ length: count }, () => encodeRecordBatch({ records: [{ key: null, value }] }))
}

async function openBenchLog (dataDir: string, overrides: Partial<LogConfig>): Promise<{ log: PartitionLog, storage: Storage }> {
  const storage = await Storage.open(dataDir)
  const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_CHECKPOINT_FILE)
  const config = logConfig({ segmentBytes: 256 * 1024 * 1024, retentionBytes: 512 * 1024 * 1024, ...overrides })
  const log = await PartitionLog.open({ storage, topic: 'bench', partition: 0, config, checkpoint })
  return { log, storage }
}

// From the median iteration time: on a shared two-core machine the mean is dragged around by
// whatever else runs, the median much less.
function mibPerSecond (task: Task | undefined, bytesPerIteration: number): string {
  const result = task?.result
  if (result === undefined || !('latency' in result)) return 'n/a'
  return (bytesPerIteration / 1024 / 1024 / (result.latency.p50 / 1000)).toFixed(1)
}

async function main (): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-log-bench-'))
  const noFsync = await openBenchLog(join(root, 'no-fsync'), {})
  const fsyncEach = await openBenchLog(join(root, 'fsync'), { flushIntervalMessages: 1 })
  const burst = makeBatches(BURST_BATCHES)
  const single = makeBatches(1)

  const index = new OffsetIndex(INDEX_ENTRIES)
  for (let i = 0; i < INDEX_ENTRIES; i++) index.append(i * 4, i * 4096)
  let probe = 0

  const bench = new Bench({ time: 1500, warmupTime: 300 })
  bench
    .add(`append ${BURST_BATCHES} x 1 KiB, one turn (no fsync)`, async () => {
      await Promise.all(burst.map(batch => noFsync.log.append([batch], 0)))
      if (noFsync.log.segmentCount > 2) await noFsync.log.enforceRetention()
    })
    .add(`append ${BURST_BATCHES} x 1 KiB, one turn (fsync per group)`, async () => {
      await Promise.all(burst.map(batch => fsyncEach.log.append([batch], 0)))
      if (fsyncEach.log.segmentCount > 2) await fsyncEach.log.enforceRetention()
    })
    .add('append 1 x 1 KiB, awaited (no fsync)', async () => {
      await noFsync.log.append(single, 0)
    })
    .add(`offset index floor lookup (${INDEX_ENTRIES} entries)`, () => {
      probe = (probe + 7919 * 4) % (INDEX_ENTRIES * 4)
      if (index.floorPosition(probe) < 0) throw new Error('unreachable')
    })
    .add('read 64 KiB at a random offset (index + header scan + pread)', async () => {
      const { log } = noFsync
      const offset = log.logStartOffset + Math.floor(Math.random() * (log.highWatermark - log.logStartOffset))
      await log.read(offset, 64 * 1024)
    })

  await bench.run()
  console.table(bench.table())
  const burstBytes = BURST_BATCHES * BATCH_BYTES
  console.log(`group commit, no fsync:        ${mibPerSecond(bench.tasks[0], burstBytes)} MiB/s`)
  console.log(`group commit, fsync per group: ${mibPerSecond(bench.tasks[1], burstBytes)} MiB/s`)
  console.log(`one append at a time:          ${mibPerSecond(bench.tasks[2], BATCH_BYTES)} MiB/s (median iteration)`)
  console.log(`storage: ${JSON.stringify(noFsync.storage.stats)}`)
  console.log('machine: 2 cores shared with whatever else runs; compare runs on the same machine only')

  await Promise.all([noFsync.log.close(), fsyncEach.log.close()])
  await Promise.all([noFsync.storage.close(), fsyncEach.storage.close()])
  await rm(root, { recursive: true, force: true })
}

await main()
