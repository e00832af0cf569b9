import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KafkaStorageError } from '../../../broker/log/errors.ts'
import { loseUnsyncedWrites, Storage } from '../../../broker/log/storage.ts'
import { batchOf, batchOfSize, closeLog, haltLog, makeTempDir, openLog, readAll, removeDir } from './helpers.ts'

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

describe('write and fsync failures', () => {
  it('failNextWrite: the append rejects with KafkaStorageError, the high watermark stays, the partition goes offline', async () => {
    const opened = await openLog(dataDir)
    const { log, storage } = opened
    await log.append([batchOf(['ok'])], 0)
    const woken: number[] = []
    log.onHighWatermark(hw => woken.push(hw))
    storage.failNextWrite()
    const failed = log.append([batchOf(['lost'])], 0)
    await expect(failed).rejects.toBeInstanceOf(KafkaStorageError)
    await expect(failed).rejects.toMatchObject({ code: 'ERR_STORAGE', errorCode: 56, syscallCode: 'EIO' })
    expect(log.highWatermark).toBe(1)
    expect(log.offlineError).toBeInstanceOf(KafkaStorageError)
    // Parked fetches are woken so they can answer with the error.
    expect(woken).toEqual([1])
    await expect(log.append([batchOf(['after'])], 0)).rejects.toBeInstanceOf(KafkaStorageError)
    await expect(log.read(0, 100)).rejects.toBeInstanceOf(KafkaStorageError)
    await closeLog(opened)
    const reopened = await openLog(dataDir)
    expect(reopened.log.logEndOffset).toBe(1)
    await closeLog(reopened)
  })

  it('failNextRead: a storage error on a read fails that read only; the partition stays online (issue 17 item 3)', async () => {
    const opened = await openLog(dataDir, { indexIntervalBytes: 1 })
    const { log, storage } = opened
    for (const value of ['a', 'b', 'c']) await log.append([batchOf([value], [1_700_000_000_000 + value.charCodeAt(0)])], 0)
    storage.failNextRead()
    await expect(log.read(1, 100)).rejects.toMatchObject({ errorCode: 56, syscallCode: 'EIO' })
    storage.failNextRead()
    await expect(log.offsetForTimestamp(1_700_000_000_000 + 98)).rejects.toBeInstanceOf(KafkaStorageError)
    expect(log.offlineError).toBeNull()
    expect(log.readFailures).toBe(2)
    await log.append([batchOf(['d'])], 0)
    expect((await readAll(log, 0)).map(r => r.value!.toString())).toEqual(['a', 'b', 'c', 'd'])
    expect(await log.offsetForTimestamp(1_700_000_000_000 + 98)).toMatchObject({ offset: 1 })
    await closeLog(opened)
  })

  it('failNextSync with flushIntervalMessages=1: the append rejects before any ack', async () => {
    const opened = await openLog(dataDir, { flushIntervalMessages: 1 })
    const { log, storage } = opened
    await log.append([batchOf(['ok'])], 0)
    storage.failNextSync()
    await expect(log.append([batchOf(['unsynced'])], 0)).rejects.toMatchObject({ code: 'ERR_STORAGE' })
    expect(log.highWatermark).toBe(1)
    await closeLog(opened)
  })

  it('flushIntervalMessages=N fsyncs once N messages are unflushed', async () => {
    const opened = await openLog(dataDir, { flushIntervalMessages: 10 })
    const { log, storage } = opened
    const syncsBefore = storage.stats.syncCalls
    for (let i = 0; i < 25; i++) await log.append([batchOf([`n${i}`])], 0)
    expect(log.recoveryPoint).toBe(20)
    // Two log fsyncs, plus one for the leader-epoch-checkpoint that epoch 0's first batch adds.
    expect(storage.stats.syncCalls - syncsBefore).toBe(3)
    await log.flush()
    expect(log.recoveryPoint).toBe(25)
    await closeLog(opened)
  })

  it('tearNextWrite: the torn batch is rejected and cut by recovery', async () => {
    const opened = await openLog(dataDir)
    const { log, storage } = opened
    await log.append([batchOf(['a']), batchOf(['b'])], 0)
    storage.tearNextWrite(30)
    await expect(log.append([batchOf(['torn'])], 0)).rejects.toBeInstanceOf(KafkaStorageError)
    await haltLog(opened)
    const reopened = await openLog(dataDir)
    expect(reopened.log.recovery.truncation).toMatchObject({ offset: 2, droppedBytes: 30 })
    expect((await readAll(reopened.log, 0)).map(r => r.value!.toString())).toEqual(['a', 'b'])
    await closeLog(reopened)
  })
})

describe('durability ledger and loseUnsyncedWrites', () => {
  it('with flushIntervalMessages=1 nothing acknowledged is lost', async () => {
    const opened = await openLog(dataDir, { flushIntervalMessages: 1, segmentBytes: 4096 })
    const acked: number[] = []
    for (let i = 0; i < 30; i++) {
      const results = await Promise.all([0, 1, 2].map(j => opened.log.append([batchOfSize(300, `d${i}.${j}`)], 0)))
      acked.push(...results.map(r => r.baseOffset))
    }
    await haltLog(opened)
    const lost = await loseUnsyncedWrites(dataDir)
    // Index files are never fsynced on this path; they may go, the data may not.
    expect(lost.removed.filter(file => file.endsWith('.log'))).toEqual([])
    expect(lost.truncated.filter(entry => entry.file.endsWith('.log'))).toEqual([])

    const reopened = await openLog(dataDir, { flushIntervalMessages: 1, segmentBytes: 4096 })
    expect(reopened.log.logEndOffset).toBe(90)
    expect((await readAll(reopened.log, 0)).map(r => r.offset)).toEqual(acked)
    await closeLog(reopened)
  })

  it('without fsync the un-fsynced tail is dropped and recovery then opens cleanly', async () => {
    const opened = await openLog(dataDir, { segmentBytes: 4096 })
    for (let i = 0; i < 5; i++) await opened.log.append([batchOfSize(300, `early${i}`)], 0)
    await opened.log.flush()
    const durableOffsets = opened.log.logEndOffset
    for (let i = 0; i < 20; i++) await opened.log.append([batchOfSize(300, `late${i}`)], 0)
    expect(opened.log.highWatermark).toBe(25)
    await haltLog(opened)

    const lost = await loseUnsyncedWrites(dataDir)
    expect(lost.truncated.length + lost.removed.length).toBeGreaterThan(0)
    const reopened = await openLog(dataDir, { segmentBytes: 4096 })
    expect(reopened.log.logEndOffset).toBeGreaterThanOrEqual(durableOffsets)
    expect(reopened.log.logEndOffset).toBeLessThan(25)
    expect(reopened.log.recovery.truncation).toBeNull()
    const records = await readAll(reopened.log, 0)
    expect(records.map(r => r.offset)).toEqual(Array.from({ length: reopened.log.logEndOffset }, (_, i) => i))
    expect((await reopened.log.append([batchOf(['again'])], 0)).baseOffset).toBe(reopened.log.logEndOffset - 1)
    await closeLog(reopened)
  })

  it('bytesPerSync: a partition that wrote that many bytes is fsynced in the background, with no roll and no flush policy', async () => {
    const survivors = async (bytesPerSync: number): Promise<{ recoveryPoint: number, logEndOffset: number }> => {
      const dir = await makeTempDir()
      try {
        const opened = await openLog(dir, { bytesPerSync })
        // 300-byte batches: the 7th brings the partition to 2,100 bytes written.
        for (let i = 0; i < 10; i++) await opened.log.append([batchOfSize(300, `b${i}`)], 0)
        const deadline = Date.now() + 5_000
        while (bytesPerSync > 0 && opened.log.recoveryPoint < 7 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5))
        const recoveryPoint = opened.log.recoveryPoint
        await haltLog(opened)
        await loseUnsyncedWrites(dir)
        const reopened = await openLog(dir, { bytesPerSync })
        const logEndOffset = reopened.log.logEndOffset
        await closeLog(reopened)
        return { recoveryPoint, logEndOffset }
      } finally {
        await removeDir(dir)
      }
    }
    const on = await survivors(2_000)
    expect(on.recoveryPoint).toBeGreaterThanOrEqual(7)
    expect(on.logEndOffset).toBeGreaterThanOrEqual(7)
    // The control: without it nothing was fsynced, so the crash keeps nothing.
    expect(await survivors(0)).toEqual({ recoveryPoint: 0, logEndOffset: 0 })
  })

  it('records creation, fsync and deletion, and treats atomic writes as durable', async () => {
    const storage = await Storage.open(dataDir)
    await storage.mkdir('t-0')
    const synced = await storage.openFile('t-0/a.log', { create: true })
    await synced.writev([Buffer.from('hello '), Buffer.from('world')], 0)
    await synced.sync()
    await synced.writev([Buffer.from(' and more')], 11)
    const never = await storage.openFile('t-0/b.log', { create: true })
    await never.writev([Buffer.from('gone')], 0)
    const deleted = await storage.openFile('t-0/c.log', { create: true })
    await deleted.sync()
    await storage.unlink('t-0/c.log')
    await storage.writeFileAtomic('meta.properties', Buffer.from('broker.id=1\n'))
    await Promise.all([synced.close(), never.close(), deleted.close()])
    await storage.close()

    const ledger = (await readFile(join(dataDir, 'durability-ledger.jsonl'), 'utf8')).trim().split('\n').map(line => JSON.parse(line) as object)
    expect(ledger).toContainEqual({ file: 't-0/a.log', durableBytes: 11, event: 'sync' })
    expect(ledger).toContainEqual({ file: 't-0/b.log', durableBytes: 0, event: 'create' })
    expect(ledger).toContainEqual({ file: 't-0/c.log', deleted: true, event: 'delete' })

    const lost = await loseUnsyncedWrites(dataDir)
    expect(lost.truncated).toEqual([{ file: 't-0/a.log', fromBytes: 20, toBytes: 11 }])
    expect(lost.removed).toEqual(['t-0/b.log'])
    expect(await readFile(join(dataDir, 't-0/a.log'), 'utf8')).toBe('hello world')
    expect((await stat(join(dataDir, 'meta.properties'))).size).toBe(12)
  })

  it('refuses to guess when a data dir has files but no ledger', async () => {
    const storage = await Storage.open(dataDir, { ledger: false })
    await storage.writeFileAtomic('meta.properties', Buffer.from('x'))
    await storage.close()
    await expect(loseUnsyncedWrites(dataDir)).rejects.toBeInstanceOf(KafkaStorageError)
  })
})
