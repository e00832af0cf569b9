import { open, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { segmentFileName } from '../../../broker/log/segment.ts'
import { batchOf, batchOfSize, closeLog, haltLog, makeTempDir, openLog, readAll, removeDir } from './helpers.ts'

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

const activeLogPath = (baseOffset: number): string => join(dataDir, 'orders-0', segmentFileName(baseOffset, '.log'))

describe('recovery', () => {
  it('cuts a torn tail back to the last whole batch and continues offsets from there', async () => {
    const opened = await openLog(dataDir)
    for (let i = 0; i < 10; i++) await opened.log.append([batchOf([`a${i}`, `b${i}`])], 0)
    await haltLog(opened)
    const path = activeLogPath(0)
    const { size } = await stat(path)
    await truncate(path, size - 5)

    const reopened = await openLog(dataDir)
    expect(reopened.log.recovery.truncation).toMatchObject({ offset: 18 })
    expect(reopened.log.logEndOffset).toBe(18)
    expect(reopened.log.highWatermark).toBe(18)
    const records = await readAll(reopened.log, 0)
    expect(records.map(r => r.offset)).toEqual(Array.from({ length: 18 }, (_, i) => i))
    expect((await reopened.log.append([batchOf(['next'])], 0)).baseOffset).toBe(18)
    expect((await readAll(reopened.log, 18))[0]!.value!.toString()).toBe('next')
    await closeLog(reopened)
  })

  it('drops a last batch with one flipped byte instead of serving it', async () => {
    const opened = await openLog(dataDir)
    for (let i = 0; i < 5; i++) await opened.log.append([batchOfSize(200, `v${i}`)], 0)
    await haltLog(opened)
    const path = activeLogPath(0)
    const { size } = await stat(path)
    const handle = await open(path, 'r+')
    const byte = Buffer.alloc(1)
    await handle.read(byte, 0, 1, size - 10)
    byte[0] = byte[0]! ^ 0x40
    await handle.write(byte, 0, 1, size - 10)
    await handle.close()

    const reopened = await openLog(dataDir)
    expect(reopened.log.recovery.truncation?.reason).toMatch(/CRC/)
    expect(reopened.log.logEndOffset).toBe(4)
    expect((await stat(path)).size).toBeLessThan(size)
    expect((await readAll(reopened.log, 0)).map(r => r.offset)).toEqual([0, 1, 2, 3])
    await closeLog(reopened)
  })

  it('deletes segments after the cut', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024 })
    for (let i = 0; i < 12; i++) await opened.log.append([batchOfSize(400, `s${i}`)], 0)
    const bases = opened.log.segmentBaseOffsets()
    expect(bases.length).toBeGreaterThan(3)
    await haltLog(opened)
    // Damage a batch in the second segment: the third and later segments go too.
    const second = activeLogPath(bases[1]!)
    await truncate(second, (await stat(second)).size - 1)

    const reopened = await openLog(dataDir, { segmentBytes: 1024 })
    expect(reopened.log.segmentBaseOffsets()).toEqual(bases.slice(0, 2))
    expect(reopened.log.recovery.deletedSegments).toEqual(bases.slice(2))
    expect(reopened.log.logEndOffset).toBe(bases[2]! - 1)
    await closeLog(reopened)
  })

  it('cuts the log at a missing segment rather than serving a gap', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 1024 })
    for (let i = 0; i < 12; i++) await opened.log.append([batchOfSize(400, `g${i}`)], 0)
    const bases = opened.log.segmentBaseOffsets()
    await haltLog(opened)
    await unlink(activeLogPath(bases[1]!))

    const reopened = await openLog(dataDir, { segmentBytes: 1024 })
    expect(reopened.log.segmentBaseOffsets()).toEqual([bases[0]])
    expect(reopened.log.logEndOffset).toBe(bases[1])
    expect(reopened.log.recovery.truncation?.reason).toMatch(/does not start where the previous one ends/)
    expect((await readAll(reopened.log, 0)).map(r => r.offset)).toEqual(Array.from({ length: bases[1]! }, (_, i) => i))
    await closeLog(reopened)
  })

  it('rebuilds lost index files and scans only from the recovery point after a clean close', async () => {
    const config = { segmentBytes: 64 * 1024, indexIntervalBytes: 512 }
    const opened = await openLog(dataDir, config)
    const startMs = Date.now()
    for (let i = 0; i < 300; i++) await opened.log.append([batchOfSize(300, `i${i}`, startMs + i)], 0)
    const totalBytes = opened.log.sizeBytes
    expect(opened.log.segmentCount).toBe(2)
    await closeLog(opened)
    expect((await readFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8'))).toBe('0\n1\norders 0 300\n')

    const clean = await openLog(dataDir, config)
    // Only the tails after the last index entries are re-read: a few batches, not the log.
    expect(clean.log.recovery.scannedBytes).toBeLessThan(totalBytes / 20)
    await closeLog(clean)

    for (const base of [0, ...clean.log.segmentBaseOffsets()]) {
      await unlink(join(dataDir, 'orders-0', segmentFileName(base, '.index'))).catch(() => {})
      await unlink(join(dataDir, 'orders-0', segmentFileName(base, '.timeindex'))).catch(() => {})
    }
    await writeFile(join(dataDir, 'recovery-point-offset-checkpoint'), '0\n0\n')
    const rebuilt = await openLog(dataDir, config)
    expect(rebuilt.log.recovery.scannedBytes).toBe(totalBytes)
    expect(rebuilt.log.logEndOffset).toBe(300)
    const records = await readAll(rebuilt.log, 123)
    expect(records[0]!.offset).toBe(123)
    expect(records).toHaveLength(177)
    await closeLog(rebuilt)
    expect((await stat(join(dataDir, 'orders-0', segmentFileName(0, '.index')))).size).toBeGreaterThan(0)
  })

  it('ignores a malformed checkpoint file and recovers everything', async () => {
    const opened = await openLog(dataDir)
    for (let i = 0; i < 3; i++) await opened.log.append([batchOf([`m${i}`])], 0)
    await closeLog(opened)
    await writeFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'garbage\n')
    const reopened = await openLog(dataDir)
    expect(reopened.checkpoint.loadError).not.toBeNull()
    expect(reopened.log.logEndOffset).toBe(3)
    await closeLog(reopened)
  })
})
