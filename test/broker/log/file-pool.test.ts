// Issue 17 item 2: every segment kept three files open, so many partitions or segments ran
// the process out of descriptors and then the restart failed too. With a budget, the log
// keeps at most that many open, reopens idle ones on demand, and loses nothing.

import { readdir } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logConfig } from '../../../broker/log/config.ts'
import { LogManager } from '../../../broker/log/log-manager.ts'
import { batchOf, makeTempDir, readAll, removeDir } from './helpers.ts'

const OPEN_FILES_MAX = 16
const PARTITIONS = 40

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

async function openFds (): Promise<number> {
  return (await readdir('/proc/self/fd')).length
}

function open (): Promise<LogManager> {
  // Small segments: every other batch rolls, so partitions hold many segments each.
  return LogManager.open({ dataDir, config: logConfig({ segmentBytes: 200 }), brokerId: 1, openFilesMax: OPEN_FILES_MAX })
}

describe('open files budget', () => {
  it('keeps at most sluice.log.open.files.max log files open across many partitions and segments, and across a restart', async () => {
    const fdsBefore = await openFds()
    let manager = await open()
    await manager.createTopic('wide', PARTITIONS)
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => manager.partition('wide', p)!.append([batchOf([`p${p}-r${round}`])], 0)))
      expect(manager.storage.openFiles.count).toBeLessThanOrEqual(OPEN_FILES_MAX)
    }
    // Three files per segment, several segments per partition: far more than the budget.
    expect(manager.partition('wide', 0)!.segmentCount * 3 * PARTITIONS).toBeGreaterThan(10 * OPEN_FILES_MAX)
    for (let p = 0; p < PARTITIONS; p++) {
      expect((await readAll(manager.partition('wide', p)!, 0)).map(r => r.value!.toString())).toEqual([0, 1, 2, 3].map(r => `p${p}-r${r}`))
    }
    expect(manager.storage.openFiles.reopens).toBeGreaterThan(0)
    // The budget plus the ledger, the lock socket and a few in flight: not one per file.
    expect(await openFds() - fdsBefore).toBeLessThan(OPEN_FILES_MAX + 8)
    await manager.close()

    manager = await open()
    expect(manager.storage.openFiles.count).toBeLessThanOrEqual(OPEN_FILES_MAX)
    for (let p = 0; p < PARTITIONS; p += 7) {
      expect(await readAll(manager.partition('wide', p)!, 0)).toHaveLength(4)
    }
    await manager.partition('wide', 3)!.append([batchOf(['after restart'])], 0)
    expect((await readAll(manager.partition('wide', 3)!, 4)).map(r => r.value!.toString())).toEqual(['after restart'])
    await manager.close()
    expect(await openFds()).toBeLessThanOrEqual(fdsBefore + 1)
  })
})
