import { readdir } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logConfig } from '../../../broker/log/config.ts'
import { KafkaStorageError } from '../../../broker/log/errors.ts'
import { Segment, parseSegmentFileName, segmentFileName } from '../../../broker/log/segment.ts'
import { Storage } from '../../../broker/log/storage.ts'
import { makeTempDir, removeDir } from './helpers.ts'

let dataDir: string
let storage: Storage
beforeEach(async () => {
  dataDir = await makeTempDir()
  storage = await Storage.open(dataDir)
  await storage.mkdir('t-0')
})
afterEach(async () => {
  await storage.close()
  await removeDir(dataDir)
})

describe('segment files', () => {
  it('names files by 20-digit base offset', () => {
    expect(segmentFileName(1234, '.log')).toBe('00000000000000001234.log')
    expect(parseSegmentFileName('00000000000000001234.timeindex')).toEqual({ baseOffset: 1234, suffix: '.timeindex' })
    expect(parseSegmentFileName('1234.log')).toBeNull()
    expect(parseSegmentFileName('00000000000000001234.log.deleted')).toBeNull()
  })

  it('indexes every indexIntervalBytes and reloads its indexes from the files', async () => {
    const config = logConfig({ indexIntervalBytes: 100 })
    const segment = await Segment.create(storage, 't-0', 50, config, Date.now())
    // Ten fake 60-byte batches of two offsets each, timestamps rising.
    await segment.log.writev([Buffer.alloc(600)], 0)
    for (let i = 0; i < 10; i++) segment.recordBatch(i * 60, 60, 50 + 2 * i, 51 + 2 * i, 1000 + i)
    expect(segment.nextOffset).toBe(70)
    // An entry goes in once more than 100 bytes went in since the last: batches 2, 4, 6, 8.
    expect(segment.offsetIndex.count).toBe(4)
    expect(segment.lookupPosition(50)).toBe(0)
    expect(segment.lookupPosition(57)).toBe(120)
    expect(segment.lookupPosition(58)).toBe(240)
    expect(segment.lookupPosition(69)).toBe(480)
    expect(segment.maxTimestampMs).toBe(1009)
    await segment.flush()
    await segment.close()

    const reopened = await Segment.open(storage, 't-0', 50, config, Date.now())
    expect(reopened.offsetIndex.count).toBe(4)
    expect(reopened.lookupPosition(57)).toBe(120)
    expect(reopened.timeIndex.count).toBe(4)
    expect(reopened.maxTimestampMs).toBe(1008)
    await reopened.close()
  })

  it('keeps a retained segment readable after destroy and closes it on the last release', async () => {
    const segment = await Segment.create(storage, 't-0', 0, logConfig(), Date.now())
    await segment.log.writev([Buffer.from('payload')], 0)
    segment.retain()
    await segment.destroy(storage)
    expect(await readdir(`${dataDir}/t-0`)).toEqual([])
    const buffer = Buffer.alloc(7)
    expect(await segment.log.read(buffer, 0, 7, 0)).toBe(7)
    expect(buffer.toString()).toBe('payload')
    segment.release()
    await new Promise(resolve => setTimeout(resolve, 20))
    await expect(segment.log.read(buffer, 0, 7, 0)).rejects.toBeInstanceOf(KafkaStorageError)
  })
})
