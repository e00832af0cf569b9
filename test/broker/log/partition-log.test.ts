import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { batchBaseOffset, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { OffsetOutOfRangeError } from '../../../broker/log/errors.ts'
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../../broker/log/partition-log.ts'
import { batchOf, batchOfSize, closeLog, makeTempDir, openLog, readAll, recordsOf, removeDir } from './helpers.ts'

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

describe('PartitionLog append and read', () => {
  it('round-trips records across several segment rolls', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024, indexIntervalBytes: 256 })
    const { log } = opened
    const values: string[] = []
    for (let i = 0; i < 60; i++) {
      const batch = [`v${i}-a`, `v${i}-b`, `v${i}-c`]
      values.push(...batch)
      const result = await log.append([batchOf(batch)], 0)
      expect(result).toEqual({ baseOffset: i * 3, lastOffset: i * 3 + 2 })
    }
    expect(log.segmentCount).toBeGreaterThan(3)
    expect(log.logEndOffset).toBe(180)
    expect(log.highWatermark).toBe(180)
    const records = await readAll(log, 0, 300)
    expect(records.map(r => r.value!.toString())).toEqual(values)
    expect(records.map(r => r.offset)).toEqual(values.map((_, i) => i))
    // Random access at every offset lands on the batch that holds it.
    for (let offset = 0; offset < 180; offset += 7) {
      const [first] = recordsOf(await log.read(offset, 1))
      expect(first!.offset).toBe(offset - (offset % 3))
    }
    await closeLog(opened)
  })

  it('continues offsets after close and reopen', async () => {
    let opened = await openLog(dataDir, { segmentBytes: 2048 })
    for (let i = 0; i < 20; i++) await opened.log.append([batchOf([`a${i}`, `b${i}`])], 0)
    await closeLog(opened)
    opened = await openLog(dataDir, { segmentBytes: 2048 })
    expect(opened.log.logEndOffset).toBe(40)
    expect(opened.log.highWatermark).toBe(40)
    const result = await opened.log.append([batchOf(['after'])], 1)
    expect(result.baseOffset).toBe(40)
    const records = await readAll(opened.log, 0)
    expect(records).toHaveLength(41)
    expect(records[40]!.value!.toString()).toBe('after')
    await closeLog(opened)
  })

  it('writes every append of one event-loop turn with a single writev', async () => {
    const opened = await openLog(dataDir)
    const { log, storage } = opened
    await log.append([batchOf(['warm-up'])], 0)
    const before = storage.stats.writeCallsByExtension['.log'] ?? 0
    const pending = Array.from({ length: 200 }, (_, i) => log.append([batchOfSize(1024, `m${i}`)], 0))
    const results = await Promise.all(pending)
    expect(storage.stats.writeCallsByExtension['.log']! - before).toBe(1)
    expect(results.map(r => r.baseOffset)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    // Appends made while that write is in flight form the next group: again one writev.
    const first = log.append([batchOf(['x'])], 0)
    await new Promise(resolve => setImmediate(resolve))
    const second = Array.from({ length: 50 }, () => log.append([batchOf(['y'])], 0))
    await Promise.all([first, ...second])
    expect(storage.stats.writeCallsByExtension['.log']! - before).toBe(3)
    await closeLog(opened)
  })

  it('serves the whole batch when asked for an offset in its middle', async () => {
    const opened = await openLog(dataDir)
    await opened.log.append([batchOf(['a', 'b', 'c', 'd'])], 0)
    await opened.log.append([batchOf(['e', 'f'])], 0)
    const result = await opened.log.read(2, 1024 * 1024)
    const batches = splitBatches(Buffer.concat(result.buffers))
    expect(batches.map(batchBaseOffset)).toEqual([0, 4])
    expect(result.nextOffset).toBe(6)
    await closeLog(opened)
  })

  it('returns the first batch whole even when it exceeds maxBytes, and never a partial batch', async () => {
    const opened = await openLog(dataDir)
    const sizes = [3000, 1000, 1000]
    for (const [i, size] of sizes.entries()) await opened.log.append([batchOfSize(size, `b${i}`)], 0)
    const tiny = await opened.log.read(0, 10)
    expect(tiny.bytes).toBeGreaterThanOrEqual(3000)
    expect(splitBatches(Buffer.concat(tiny.buffers))).toHaveLength(1)
    expect(tiny.nextOffset).toBe(1)
    // Room for the second batch and half of the third: only the second comes back.
    const partial = await opened.log.read(1, 1500)
    expect(splitBatches(Buffer.concat(partial.buffers)).map(batchBaseOffset)).toEqual([1])
    expect(partial.bytes).toBe(splitBatches(Buffer.concat(partial.buffers))[0]!.length)
    await closeLog(opened)
  })

  it('rejects reads outside [logStartOffset, highWatermark] and is empty at the high watermark', async () => {
    const opened = await openLog(dataDir)
    await opened.log.append([batchOf(['a', 'b'])], 0)
    await expect(opened.log.read(3, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError)
    await expect(opened.log.read(-1, 100)).rejects.toMatchObject({ code: 'ERR_OFFSET_OUT_OF_RANGE', errorCode: 1 })
    expect(await opened.log.read(2, 100)).toMatchObject({ bytes: 0, nextOffset: 2 })
    await closeLog(opened)
  })

  it('tells high-watermark listeners about each advance', async () => {
    const opened = await openLog(dataDir)
    const seen: number[] = []
    const unsubscribe = opened.log.onHighWatermark(hw => seen.push(hw))
    await opened.log.append([batchOf(['a'])], 0)
    await opened.log.append([batchOf(['b', 'c'])], 0)
    unsubscribe()
    await opened.log.append([batchOf(['d'])], 0)
    expect(seen).toEqual([1, 3])
    expect(opened.log.highWatermark).toBeLessThanOrEqual(opened.log.logEndOffset)
    await closeLog(opened)
  })

  it('signals a full append queue but never refuses or reorders an append (produce timed out under load)', async () => {
    const opened = await openLog(dataDir, { appendQueueBytesMax: 4096 })
    const { log } = opened
    const accepted = [log.append([batchOfSize(3000, 'a')], 0), log.append([batchOfSize(3000, 'b')], 0)]
    expect(log.canAccept()).toBe(false)
    accepted.push(log.append([batchOf(['c'])], 0))
    await log.whenWritable()
    expect(log.canAccept()).toBe(true)
    expect((await Promise.all(accepted)).map(r => r.baseOffset)).toEqual([0, 1, 2])
    expect(log.logEndOffset).toBe(3)
    await closeLog(opened)
  })
})

describe('PartitionLog rolling', () => {
  it('rolls by rollMs counted from the first batch timestamp, also after a restart', async () => {
    const start = Date.now()
    let nowMs = start
    const clock = (): number => nowMs
    // A dense index, so that recovery resumes from an entry instead of scanning from byte 0.
    const config = { rollMs: 60_000, indexIntervalBytes: 64 }
    let opened = await openLog(dataDir, config, clock)
    await opened.log.append([batchOf(['a'], [start])], 0)
    nowMs += 30_000
    for (let i = 0; i < 10; i++) await opened.log.append([batchOf([`b${i}`], [nowMs + i])], 0)
    expect(opened.log.segmentBaseOffsets()).toEqual([0])
    await closeLog(opened)
    opened = await openLog(dataDir, config, clock)
    expect(opened.log.recovery.scannedBytes).toBeLessThan(opened.log.sizeBytes / 2)
    nowMs += 31_000
    await opened.log.append([batchOf(['c'], [nowMs])], 0)
    expect(opened.log.segmentBaseOffsets()).toEqual([0, 11])
    await closeLog(opened)
  })
})

describe('PartitionLog retention', () => {
  it('deletes the oldest segments beyond retentionBytes and advances logStartOffset', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 2048, retentionBytes: 4096 })
    const { log } = opened
    for (let i = 0; i < 40; i++) await log.append([batchOfSize(500, `r${i}`)], 0)
    const segmentsBefore = log.segmentCount
    const deleted = await log.enforceRetention()
    expect(deleted).toBeGreaterThan(0)
    expect(log.segmentCount).toBe(segmentsBefore - deleted)
    expect(log.sizeBytes).toBeLessThanOrEqual(4096 + 2048)
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0])
    expect(log.logStartOffset).toBeGreaterThan(0)
    await expect(log.read(0, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError)
    const rest = await readAll(log, log.logStartOffset)
    expect(rest[0]!.offset).toBe(log.logStartOffset)
    expect(rest[rest.length - 1]!.offset).toBe(39)
    await closeLog(opened)
    // The deletion is on disk: a reopened log starts where retention left it.
    const reopened = await openLog(dataDir, { segmentBytes: 2048, retentionBytes: 4096 })
    expect(reopened.log.logStartOffset).toBe(log.logStartOffset)
    await closeLog(reopened)
  })

  it('lets a read that already started finish while retention deletes its segment', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024, retentionBytes: 0 })
    const { log } = opened
    for (let i = 0; i < 10; i++) await log.append([batchOfSize(400, `z${i}`)], 0)
    const reading = log.read(0, 64 * 1024)
    const deleting = log.enforceRetention()
    const [result, deleted] = await Promise.all([reading, deleting])
    expect(deleted).toBeGreaterThan(0)
    expect(recordsOf(result)[0]!.value!.toString()).toMatch(/^z0\./)
    await expect(log.read(0, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError)
    expect(log.offlineError).toBeNull()
    await closeLog(opened)
  })

  it('deletes segments whose newest timestamp is older than retentionMs, never the active one', async () => {
    const dayMs = 24 * 60 * 60 * 1000
    const now = Date.now()
    const opened = await openLog(dataDir, { segmentBytes: 1024, retentionMs: dayMs, rollMs: 30 * dayMs })
    const { log } = opened
    for (let i = 0; i < 10; i++) await log.append([batchOf([`old${i}`.padEnd(300, '.')], [now - 3 * dayMs])], 0)
    for (let i = 0; i < 3; i++) await log.append([batchOf([`new${i}`.padEnd(300, '.')], [now])], 0)
    // About 370 bytes a batch: two batches a segment, so the old data fills exactly five segments.
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4, 6, 8, 10, 12])
    expect(await log.enforceRetention(now)).toBe(5)
    expect(log.logStartOffset).toBe(10)
    const records = await readAll(log, log.logStartOffset)
    expect(records.map(r => r.value!.toString().slice(0, 4))).toEqual(['new0', 'new1', 'new2'])
    // Everything expired: the active segment is rolled, then deleted by the next check.
    await log.enforceRetention(now + 10 * dayMs)
    await log.flush()
    await log.enforceRetention(now + 10 * dayMs)
    expect(log.logStartOffset).toBe(13)
    expect(log.highWatermark).toBe(13)
    expect((await log.append([batchOf(['later'])], 0)).baseOffset).toBe(13)
    await closeLog(opened)
  })
})

describe('PartitionLog offsetForTimestamp', () => {
  it('finds the first record at or after a timestamp, and handles -1, -2, -3', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024, indexIntervalBytes: 128 })
    const { log } = opened
    // Batch i holds records with timestamps 1000*i + 0, 100, 200.
    for (let i = 1; i <= 30; i++) {
      await log.append([batchOf(['x'.repeat(40), 'y'.repeat(40), 'z'.repeat(40)], [1000 * i, 1000 * i + 100, 1000 * i + 200])], 0)
    }
    expect(log.segmentCount).toBeGreaterThan(2)
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestampMs: 1000 })
    expect(await log.offsetForTimestamp(5000)).toEqual({ offset: 12, timestampMs: 5000 })
    expect(await log.offsetForTimestamp(5050)).toEqual({ offset: 13, timestampMs: 5100 })
    expect(await log.offsetForTimestamp(17_201)).toEqual({ offset: 51, timestampMs: 18_000 })
    expect(await log.offsetForTimestamp(30_200)).toEqual({ offset: 89, timestampMs: 30_200 })
    expect(await log.offsetForTimestamp(30_201)).toBeNull()
    expect(await log.offsetForTimestamp(LATEST_TIMESTAMP)).toEqual({ offset: 90, timestampMs: -1 })
    expect(await log.offsetForTimestamp(EARLIEST_TIMESTAMP)).toEqual({ offset: 0, timestampMs: -1 })
    expect(await log.offsetForTimestamp(MAX_TIMESTAMP)).toEqual({ offset: 89, timestampMs: 30_200 })
    await closeLog(opened)
    // The indexes (and segment max timestamps) survive a restart.
    const reopened = await openLog(dataDir, { segmentBytes: 1024, indexIntervalBytes: 128 })
    expect(await reopened.log.offsetForTimestamp(17_201)).toEqual({ offset: 51, timestampMs: 18_000 })
    expect(await reopened.log.offsetForTimestamp(MAX_TIMESTAMP)).toEqual({ offset: 89, timestampMs: 30_200 })
    await closeLog(reopened)
  })
})
