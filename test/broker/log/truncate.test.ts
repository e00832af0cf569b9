// The follower's side of the partition log: appending the leader's batches as they are
// (offsets and epochs kept, CRC and continuity checked), truncating at a batch boundary in the
// active segment and across segments, emptying and restarting at an offset, and the
// leader-epoch cache following all of it across a reopen.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../broker/log/errors.ts'
import { batchOf, closeLog, makeTempDir, openLog, readAll, removeDir } from './helpers.ts'

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

/** A batch as a leader would have stored it: offsets from `base`, leader epoch `epoch`. */
function leaderBatch (base: number, epoch: number, values: string[]): Buffer {
  const batch = batchOf(values)
  batch.writeBigInt64BE(BigInt(base), 0)
  batch.writeInt32BE(epoch, 12)
  return batch
}

describe('PartitionLog for followers', () => {
  it('keeps the leader epochs of appends and rebuilds nothing after a reopen', async () => {
    let opened = await openLog(dataDir, { segmentBytes: 1024 })
    await opened.log.append([batchOf(['a', 'b'])], 0)
    await opened.log.append([batchOf(['c'])], 2)
    await opened.log.append([batchOf(['d'])], 2)
    await opened.log.append([batchOf(['e'])], 5)
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 2 }, { epoch: 5, startOffset: 4 }])
    await closeLog(opened)
    opened = await openLog(dataDir, { segmentBytes: 1024 })
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 2 }, { epoch: 5, startOffset: 4 }])
    await closeLog(opened)
  })

  it('appends replicated batches byte for byte and refuses a gap or a bad CRC, appending nothing', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 4096 })
    const { log } = opened
    await log.appendAsFollower([leaderBatch(0, 3, ['x', 'y']), leaderBatch(2, 4, ['z'])])
    expect(log.logEndOffset).toBe(3)
    expect(log.leaderEpochs()).toEqual([{ epoch: 3, startOffset: 0 }, { epoch: 4, startOffset: 2 }])
    await expect(log.appendAsFollower([leaderBatch(5, 4, ['gap'])])).rejects.toBeInstanceOf(CorruptRecordError)
    const corrupt = leaderBatch(3, 4, ['bad'])
    corrupt[corrupt.length - 1] ^= 0xff
    await expect(log.appendAsFollower([corrupt])).rejects.toBeInstanceOf(CorruptRecordError)
    expect(log.logEndOffset).toBe(3)
    expect((await readAll(log, 0, 10)).map(r => `${r.offset}:${r.value!.toString()}`)).toEqual(['0:x', '1:y', '2:z'])
    await closeLog(opened)
  })

  it('truncates inside the active segment and across segments, durably, with the epoch cache', async () => {
    let opened = await openLog(dataDir, { segmentBytes: 300, indexIntervalBytes: 64 })
    for (let i = 0; i < 30; i++) await opened.log.append([batchOf([`v${i}`])], i < 15 ? 1 : 2)
    expect(opened.log.segmentCount).toBeGreaterThan(3)
    await opened.log.truncateTo(25)
    expect(opened.log.logEndOffset).toBe(25)
    expect(opened.log.highWatermark).toBe(25)
    await opened.log.truncateTo(10)
    expect(opened.log.logEndOffset).toBe(10)
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }])
    await opened.log.append([batchOf(['new'])], 3)
    await closeLog(opened)
    opened = await openLog(dataDir, { segmentBytes: 300, indexIntervalBytes: 64 })
    const read = await readAll(opened.log, 0, 100)
    expect(read.map(r => r.value!.toString())).toEqual([...Array.from({ length: 10 }, (_, i) => `v${i}`), 'new'])
    expect(read.map(r => r.offset)).toEqual(Array.from({ length: 11 }, (_, i) => i))
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }])
    await closeLog(opened)
  })

  it('cuts at the batch boundary when asked to truncate inside a batch', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 4096 })
    await opened.log.append([batchOf(['a', 'b', 'c'])], 0)
    await opened.log.append([batchOf(['d', 'e', 'f'])], 0)
    await opened.log.truncateTo(4)
    expect(opened.log.logEndOffset).toBe(3)
    await closeLog(opened)
  })

  it('empties the log and restarts it at an offset', async () => {
    let opened = await openLog(dataDir, { segmentBytes: 4096 })
    await opened.log.append([batchOf(['a', 'b'])], 0)
    await opened.log.truncateFullyAndStartAt(100)
    expect([opened.log.logStartOffset, opened.log.logEndOffset, opened.log.leaderEpochs().length]).toEqual([100, 100, 0])
    await opened.log.appendAsFollower([leaderBatch(100, 7, ['x'])])
    await closeLog(opened)
    opened = await openLog(dataDir, { segmentBytes: 4096 })
    expect([opened.log.logStartOffset, opened.log.logEndOffset]).toEqual([100, 101])
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 7, startOffset: 100 }])
    await closeLog(opened)
  })
})
