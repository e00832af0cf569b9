// PartitionLog truncation, follower appends and the leader-epoch-checkpoint: the cut lands on
// a batch boundary in the active segment or across segments, a reopen sees the truncated log
// with indexes that point at real batches, and the epoch cache follows appends, truncation,
// log-start moves and restarts.

import { readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LogClosedError, CorruptRecordError, OffsetOutOfRangeError } from '../../../broker/log/errors.ts'
import { LEADER_EPOCH_CHECKPOINT_FILE } from '../../../broker/log/leader-epoch-cache.ts'
import { batchSizeAt, patchBatchHeader } from '../../../broker/protocol/record-batch.ts'
import { batchOf, batchOfSize, closeLog, makeTempDir, openLog, readAll, removeDir } from './helpers.ts'

let dataDir: string
const partitionDir = (): string => join(dataDir, 'orders-0')

beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

/** Every `.index` entry on disk must name the position of the batch with that offset. */
async function expectIndexesMatchLogs (): Promise<number> {
  let checked = 0
  for (const name of (await readdir(partitionDir())).filter(file => file.endsWith('.index'))) {
    const base = Number(name.slice(0, 20))
    const log = await readFile(join(partitionDir(), `${name.slice(0, 20)}.log`))
    const starts = new Map<number, number>()
    for (let position = 0; position < log.length; position += batchSizeAt(log, position)) {
      starts.set(position, Number(log.readBigInt64BE(position)))
    }
    const index = await readFile(join(partitionDir(), name))
    for (let at = 0; at + 8 <= index.length; at += 8) {
      expect(starts.get(index.readInt32BE(at + 4)), `${name} entry ${at / 8}`).toBe(base + index.readInt32BE(at))
      checked++
    }
  }
  return checked
}

async function values (log: Awaited<ReturnType<typeof openLog>>['log'], from = 0): Promise<string[]> {
  return (await readAll(log, from)).map(record => record.value!.toString())
}

describe('PartitionLog.truncateTo', () => {
  it('cuts the active segment in the middle, at the batch holding the offset, and a reopen agrees', async () => {
    const opened = await openLog(dataDir, { indexIntervalBytes: 100 })
    for (let i = 0; i < 10; i++) await opened.log.append([batchOf([`a${i}`, `b${i}`])], 1)
    expect(opened.log.logEndOffset).toBe(20)
    // Offset 9 is the second record of the batch 8..9: the whole batch goes.
    expect(await opened.log.truncateTo(9)).toBe(8)
    expect([opened.log.logEndOffset, opened.log.highWatermark]).toEqual([8, 8])
    expect(opened.log.recoveryPoint).toBeLessThanOrEqual(8)
    expect(await values(opened.log)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3'])
    await expect(opened.log.read(9, 1000)).rejects.toBeInstanceOf(OffsetOutOfRangeError)
    const appended = await opened.log.append([batchOf(['new'])], 2)
    expect(appended.baseOffset).toBe(8)
    await closeLog(opened)

    const reopened = await openLog(dataDir, { indexIntervalBytes: 100 })
    expect(reopened.log.recovery.truncation).toBeNull()
    expect(reopened.log.logEndOffset).toBe(9)
    expect(await values(reopened.log, 6)).toEqual(['a3', 'b3', 'new'])
    expect(await expectIndexesMatchLogs()).toBeGreaterThan(0)
    await closeLog(reopened)
  })

  it('deletes the segments above the cut and continues in the one holding it', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024, indexIntervalBytes: 200 })
    for (let i = 0; i < 30; i++) await opened.log.append([batchOfSize(300, `r${i}`)], 1)
    const segments = opened.log.segmentBaseOffsets()
    expect(segments.length).toBeGreaterThan(4)
    const cut = segments[2]! + 1
    expect(await opened.log.truncateTo(cut)).toBe(cut)
    expect(opened.log.segmentBaseOffsets()).toEqual(segments.slice(0, 3))
    const files = await readdir(partitionDir())
    for (const base of segments.slice(3)) expect(files.some(file => file.startsWith(String(base).padStart(20, '0')))).toBe(false)
    await opened.log.append([batchOfSize(300, 'after')], 2)
    await closeLog(opened)

    const reopened = await openLog(dataDir, { segmentBytes: 1024, indexIntervalBytes: 200 })
    expect(reopened.log.recovery.truncation).toBeNull()
    expect(reopened.log.logEndOffset).toBe(cut + 1)
    const records = await readAll(reopened.log, 0)
    expect(records.map(record => record.offset)).toEqual([...Array(cut + 1).keys()])
    expect(records.at(-1)!.value!.toString()).toMatch(/^after/)
    await expectIndexesMatchLogs()
    await closeLog(reopened)
  })

  it('writes the appends already queued first, refuses appends while it runs, and wakes a flush waiting past the cut', async () => {
    const opened = await openLog(dataDir)
    const queued = [0, 1, 2, 3].map(i => opened.log.append([batchOf([`q${i}`])], 1))
    const heard: number[] = []
    opened.log.onHighWatermark(hw => heard.push(hw))
    const truncation = opened.log.truncateTo(2)
    await expect(opened.log.append([batchOf(['during'])], 1)).rejects.toBeInstanceOf(LogClosedError)
    expect((await Promise.all(queued)).map(result => result.baseOffset)).toEqual([0, 1, 2, 3])
    expect(await truncation).toBe(2)
    expect(heard.at(-1)).toBe(2)
    await opened.log.flush()
    expect(await values(opened.log)).toEqual(['q0', 'q1'])
    await expect(opened.log.truncateTo(-1)).rejects.toBeInstanceOf(OffsetOutOfRangeError)
    await closeLog(opened)
  })

  it('truncateFullyAndStartAt leaves an empty log at the new offset, also after a reopen', async () => {
    const opened = await openLog(dataDir)
    await opened.log.append([batchOf(['x', 'y'])], 1)
    await opened.log.truncateFullyAndStartAt(50)
    expect([opened.log.logStartOffset, opened.log.logEndOffset, opened.log.highWatermark]).toEqual([50, 50, 50])
    expect(opened.log.leaderEpochs()).toEqual([])
    expect((await opened.log.append([batchOf(['z'])], 3)).baseOffset).toBe(50)
    await closeLog(opened)
    const reopened = await openLog(dataDir)
    expect([reopened.log.logStartOffset, reopened.log.logEndOffset]).toEqual([50, 51])
    expect(await values(reopened.log, 50)).toEqual(['z'])
    await closeLog(reopened)
  })
})

describe('PartitionLog.appendAsFollower', () => {
  it('keeps the offsets and epochs the leader gave, and refuses gaps and corrupt batches', async () => {
    const opened = await openLog(dataDir)
    const first = batchOf(['f0', 'f1'])
    patchBatchHeader(first, 0, 4)
    const second = batchOf(['f2'])
    patchBatchHeader(second, 2, 6)
    expect(await opened.log.appendAsFollower([first, second])).toEqual({ baseOffset: 0, lastOffset: 2 })
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 4, startOffset: 0 }, { epoch: 6, startOffset: 2 }])

    const gap = batchOf(['gap'])
    patchBatchHeader(gap, 5, 6)
    await expect(opened.log.appendAsFollower([gap])).rejects.toThrow(/base offset 5, the log ends at 3/)
    const flipped = batchOf(['flip'])
    patchBatchHeader(flipped, 3, 6)
    flipped[flipped.length - 1]! ^= 1
    await expect(opened.log.appendAsFollower([flipped])).rejects.toBeInstanceOf(CorruptRecordError)
    expect(opened.log.logEndOffset).toBe(3)
    expect(await values(opened.log)).toEqual(['f0', 'f1', 'f2'])
    await closeLog(opened)
  })
})

describe('leader-epoch-checkpoint', () => {
  it('records each new epoch, answers endOffsetForEpoch, follows truncation and survives a restart', async () => {
    const opened = await openLog(dataDir)
    for (const [epoch, value] of [[1, 'a'], [1, 'b'], [3, 'c'], [3, 'd'], [5, 'e']] as const) await opened.log.append([batchOf([value])], epoch)
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }, { epoch: 5, startOffset: 4 }])
    expect(await readFile(join(partitionDir(), LEADER_EPOCH_CHECKPOINT_FILE), 'utf8')).toBe('0\n3\n1 0\n3 2\n5 4\n')
    // Kafka's cases: older than all held, between, held, the latest, newer than all, undefined.
    expect(opened.log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 })
    expect(opened.log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2 })
    expect(opened.log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 4 })
    expect(opened.log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 5 })
    expect(opened.log.endOffsetForEpoch(7)).toBeNull()
    expect(opened.log.endOffsetForEpoch(-1)).toBeNull()

    await opened.log.truncateTo(3)
    expect(await readFile(join(partitionDir(), LEADER_EPOCH_CHECKPOINT_FILE), 'utf8')).toBe('0\n2\n1 0\n3 2\n')
    expect(opened.log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 3 })
    expect(opened.log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2 })
    await closeLog(opened)

    const reopened = await openLog(dataDir)
    expect(reopened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }])
    await reopened.log.append([batchOf(['f'])], 3)
    await reopened.log.deleteRecordsBefore(1)
    expect(reopened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 1 }, { epoch: 3, startOffset: 2 }])
    await reopened.log.deleteRecordsBefore(3)
    expect(reopened.log.leaderEpochs()).toEqual([{ epoch: 3, startOffset: 3 }])
    expect(reopened.log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 3 })
    expect(await readFile(join(partitionDir(), LEADER_EPOCH_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\n3 3\n')
    await closeLog(reopened)
  })

  it('names a new leader\'s epoch from its election on, so a follower holding an older epoch hears where it ended (KAFKA-7415)', async () => {
    // Soak run 12: the new leader of epoch 1 had an empty log; the old leader, holding offset 0
    // of epoch 0, asked where epoch 0 ended and heard UNDEFINED, so it kept offset 0.
    const opened = await openLog(dataDir)
    expect(opened.log.endOffsetForEpoch(0)).toBeNull()
    expect(opened.log.assignEpochStart(1)).toBe(0)
    expect(opened.log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 })
    expect(opened.log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 0 })
    await opened.log.append([batchOf(['a'])], 1) // the first write in epoch 1 keeps the entry
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }])
    // Deposed before writing in epoch 4, it follows the leader of epoch 5, who sends batches
    // of epoch 2 from offset 1: the empty epoch 4 gives way, the cache describes the batches.
    expect(opened.log.assignEpochStart(4)).toBe(1)
    const older = batchOf(['b'])
    patchBatchHeader(older, 1, 2)
    const newer = batchOf(['c'])
    patchBatchHeader(newer, 2, 5)
    await opened.log.appendAsFollower([older, newer])
    expect(opened.log.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 1 }, { epoch: 5, startOffset: 2 }])
    expect(opened.log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 2 })
    await closeLog(opened)
  })

  it('is rebuilt from the batches when the file is missing or malformed', async () => {
    const opened = await openLog(dataDir)
    await opened.log.append([batchOf(['a'])], 2)
    await opened.log.append([batchOf(['b'])], 7)
    await closeLog(opened)
    await unlink(join(partitionDir(), LEADER_EPOCH_CHECKPOINT_FILE))
    // A missing recovery point makes recovery scan (and so see) every batch.
    await unlink(join(dataDir, 'recovery-point-offset-checkpoint'))
    const reopened = await openLog(dataDir)
    expect(reopened.log.leaderEpochs()).toEqual([{ epoch: 2, startOffset: 0 }, { epoch: 7, startOffset: 1 }])
    await closeLog(reopened)
  })
})
