// Background fsyncs take turns: the gate itself (bound, order, a failed task frees its
// slot), then partition logs sharing one Storage whose background fsyncs would all run at
// once if nothing stopped them.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OffsetCheckpointFile, RECOVERY_POINT_CHECKPOINT_FILE } from '../../../broker/log/checkpoint.ts'
import { logConfig } from '../../../broker/log/config.ts'
import { PartitionLog } from '../../../broker/log/partition-log.ts'
import { Storage } from '../../../broker/log/storage.ts'
import { BACKGROUND_SYNCS_MAX, SyncGate } from '../../../broker/log/sync-gate.ts'
import { batchOfSize, makeTempDir, removeDir } from './helpers.ts'

const tick = async (ms = 5): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('SyncGate', () => {
  it('runs at most max tasks at once, in the order they came', async () => {
    const gate = new SyncGate(2)
    const started: number[] = []
    const finish: Array<() => void> = []
    const runs = [0, 1, 2, 3, 4].map(i => gate.run(async () => {
      started.push(i)
      await new Promise<void>(resolve => { finish[i] = resolve })
      return i
    }))
    await tick()
    expect(started).toEqual([0, 1])
    expect(gate.waiting).toBe(3)
    finish[1]!()
    await tick()
    expect(started).toEqual([0, 1, 2])
    finish[0]!()
    finish[2]!()
    await tick()
    expect(started).toEqual([0, 1, 2, 3, 4])
    finish[3]!()
    finish[4]!()
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4])
    expect(gate.stats).toEqual({ peak: 2, ran: 5 })
  })

  it('frees the slot of a task that fails', async () => {
    const gate = new SyncGate(1)
    const failing = gate.run(async () => { await tick(); throw new Error('fsync failed') })
    const next = gate.run(async () => 'ran')
    await expect(failing).rejects.toThrow('fsync failed')
    expect(await next).toBe('ran')
    expect(gate.stats.peak).toBe(1)
  })
})

describe('background fsyncs of logs sharing a Storage', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir() })
  afterEach(async () => { await removeDir(dir) })

  it('run one at a time, and every log still gets its fsync', async () => {
    const storage = await Storage.open(dir)
    const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_CHECKPOINT_FILE)
    const config = logConfig({ bytesPerSync: 1_000 })
    const logs = await Promise.all([0, 1, 2, 3].map(partition =>
      PartitionLog.open({ storage, topic: 'orders', partition, config, checkpoint })))
    try {
      for (const log of logs) await log.append([batchOfSize(300, 'warm')], 0)
      // The four commits run in one turn of the event loop, and no fsync can complete before
      // the next: without the gate all four background fsyncs would be running at once.
      await Promise.all(logs.map(log => log.append([batchOfSize(2_000, 'due')], 0)))
      const deadline = Date.now() + 10_000
      while (logs.some(log => log.recoveryPoint < 2) && Date.now() < deadline) await tick(20)
      expect(logs.map(log => log.recoveryPoint)).toEqual([2, 2, 2, 2])
      expect(BACKGROUND_SYNCS_MAX).toBe(1)
      expect(storage.backgroundSyncs.stats.peak).toBe(1)
      expect(storage.backgroundSyncs.stats.ran).toBeGreaterThanOrEqual(4)
    } finally {
      for (const log of logs) await log.close()
      await storage.close()
    }
  })

  it('a log waiting for a slot does not hold up its own flush, truncation or close', async () => {
    const storage = await Storage.open(dir)
    const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_CHECKPOINT_FILE)
    const log = await PartitionLog.open({ storage, topic: 'orders', partition: 0, config: logConfig({ bytesPerSync: 1_000 }), checkpoint })
    // Another log's fsync holds the only slot until the end of the test.
    let release = (): void => {}
    const holder = storage.backgroundSyncs.run(async () => { await new Promise<void>(resolve => { release = resolve }) })
    try {
      await log.append([batchOfSize(2_000, 'due')], 0)
      await tick()
      expect(storage.backgroundSyncs.waiting).toBe(1)
      const within = async (what: string, work: Promise<unknown>): Promise<void> => {
        let timer: NodeJS.Timeout | undefined
        const late = new Promise<string>(resolve => { timer = setTimeout(() => resolve(`${what} still waiting after 2 s`), 2_000) })
        expect(await Promise.race([work.then(() => 'done'), late])).toBe('done')
        clearTimeout(timer)
      }
      await within('flush', log.flush())
      expect(log.recoveryPoint).toBe(1)
      await within('truncation', log.truncateTo(0))
      await within('close', log.close())
    } finally {
      release()
      await holder
      await storage.close()
    }
  })
})
