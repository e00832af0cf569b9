// checksumLog over a real partition log on disk: the hash is the SHA-256 of the segment
// files' bytes, across segments and whatever the read chunk; it stops at the batch boundary
// below upTo; it reads no more than a chunk (or one batch) at a time; and the byte limit and
// the deadline end it with a ChecksumLimitError.

import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChecksumLimitError, checksumLog, type ChecksumRequest } from '../../../broker/log/log-checksum.ts'
import type { PartitionLog, ReadResult } from '../../../broker/log/partition-log.ts'
import { batchOfSize, closeLog, makeTempDir, openLog, removeDir, type OpenedLog } from './helpers.ts'

let dataDir: string
let opened: OpenedLog

const BATCHES = 30
const request = (over: Partial<ChecksumRequest> = {}): ChecksumRequest => ({ fromOffset: 0, upToOffset: Number.MAX_SAFE_INTEGER, chunkBytes: 1024 * 1024, bytesMax: 1024 ** 3, deadlineMs: Date.now() + 60_000, ...over })

async function segmentFilesBytes (): Promise<Buffer> {
  const dir = join(dataDir, 'orders-0')
  const names = (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
  return Buffer.concat(await Promise.all(names.map(n => readFile(join(dir, n)))))
}

beforeEach(async () => {
  dataDir = await makeTempDir()
  // Small segments: the 30 batches of about 300 bytes span several files.
  opened = await openLog(dataDir, { segmentBytes: 2000 })
  for (let i = 0; i < BATCHES; i++) await opened.log.append([batchOfSize(300, `r${i}`)], 1)
})
afterEach(async () => {
  await closeLog(opened)
  await removeDir(dataDir)
})

describe('checksumLog', () => {
  it('hashes exactly the bytes of every segment file, whatever the chunk size', async () => {
    expect(opened.log.segmentCount).toBeGreaterThan(3)
    const file = await segmentFilesBytes()
    const expected = createHash('sha256').update(file).digest('hex')
    for (const chunkBytes of [1, 700, 1024 * 1024]) {
      const result = await checksumLog(opened.log, request({ chunkBytes }))
      expect(result).toEqual({ algorithm: 'sha256', startOffset: 0, stopOffset: BATCHES, batchCount: BATCHES, sizeBytes: file.length, value: expected })
    }
  })

  it('stops below upTo and starts at the batch holding fromOffset', async () => {
    const full = await checksumLog(opened.log, request({ fromOffset: 5, upToOffset: 12 }))
    expect(full).toMatchObject({ startOffset: 5, stopOffset: 12, batchCount: 7 })
    expect((await checksumLog(opened.log, request({ fromOffset: 12, upToOffset: 12 })))).toMatchObject({ batchCount: 0, startOffset: 12, stopOffset: 12 })
  })

  it('asks the log for at most one chunk per read', async () => {
    const asked: number[] = []
    const spy = new Proxy(opened.log, {
      get (target, name) {
        if (name === 'read') return async (offset: number, maxBytes: number): Promise<ReadResult> => { asked.push(maxBytes); return await target.read(offset, maxBytes) }
        const value = Reflect.get(target, name, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as PartitionLog
    await checksumLog(spy, request({ chunkBytes: 1000 }))
    expect(asked.length).toBeGreaterThanOrEqual(BATCHES / 3)
    expect(new Set(asked)).toEqual(new Set([1000]))
  })

  it('throws ChecksumLimitError past bytesMax and past the deadline', async () => {
    const bytes = await checksumLog(opened.log, request({ bytesMax: 1000 })).catch((err: unknown) => err)
    expect(bytes).toBeInstanceOf(ChecksumLimitError)
    expect(bytes).toMatchObject({ limit: 'bytes', message: expect.stringMatching(/more than 1000 bytes/) })
    const time = await checksumLog(opened.log, request({ chunkBytes: 1, deadlineMs: Date.now() - 1 })).catch((err: unknown) => err)
    expect(time).toMatchObject({ limit: 'time', message: expect.stringMatching(/not done by its deadline/) })
  })
})
