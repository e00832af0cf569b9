// The incremental batch builder must produce batches the broker accepts (checkBatch) and
// that decode to exactly what was appended; compression and fetch decoding round-trip.

import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import {
  ATTR_COMPRESSION_MASK, BATCH_OFFSET_ATTRIBUTES, checkBatch, decodeRecordBatch, encodeRecordBatch, patchBatchHeader,
} from '../../../broker/protocol/record-batch.ts'
import { BatchBuilder, type HeaderMap } from '../../../harness/client/batch-builder.ts'
import { decodeFetchedRecords, type FetchedRecord } from '../../../broker/client/batch-reader.ts'
import { batchRecordsSection, checkCompression, compressBatch } from '../../../broker/client/compression.ts'
import { decodeTimestampHeader, encodeTimestampHeader, TIMESTAMP_HEADER } from '../../../harness/measure/clock.ts'

describe('BatchBuilder', () => {
  it('encodes records the broker accepts and the reference decoder reads back', () => {
    const b = new BatchBuilder(128)
    const t0 = 1_700_000_000_000
    const input: Array<{ key: Buffer | null, value: Buffer | null, headers: HeaderMap | null, ts: number }> = [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { a: Buffer.from('1'), 'ünï': Buffer.alloc(0) }, ts: t0 },
      { key: null, value: Buffer.alloc(5000, 7), headers: null, ts: t0 - 5 },
      { key: Buffer.alloc(0), value: null, headers: {}, ts: t0 + 3_000_000_000 },
    ]
    for (const r of input) b.append(r.key, r.value, r.headers, r.ts)
    expect(b.count).toBe(3)
    const batch = b.seal()
    expect(checkBatch(batch, true)).toEqual({ errorCode: ErrorCode.NONE, reason: '' })
    const records = decodeRecordBatch(batch)
    expect(records.map(r => r.key)).toEqual(input.map(r => r.key))
    expect(records.map(r => r.value)).toEqual(input.map(r => r.value))
    expect(records.map(r => r.timestamp)).toEqual(input.map(r => r.ts))
    expect(records.map(r => r.offset)).toEqual([0, 1, 2])
    expect(records[0]!.headers).toEqual([{ key: 'a', value: Buffer.from('1') }, { key: 'ünï', value: Buffer.alloc(0) }])
    expect(b.count).toBe(0)
  })

  it('writes the send-time header from a number without a Buffer, in clock.ts\'s encoding', () => {
    const b = new BatchBuilder()
    const sentUs = 123_456_789_012
    b.append(Buffer.from('k'), Buffer.from('v'), { x: Buffer.from('y') }, 1000, sentUs)
    b.append(null, Buffer.from('w'), null, 1001)
    const [rec, bare] = decodeRecordBatch(b.seal())
    expect(rec!.headers).toEqual([{ key: 'x', value: Buffer.from('y') }, { key: TIMESTAMP_HEADER, value: encodeTimestampHeader(sentUs) }])
    expect(decodeTimestampHeader(rec!.headers[1]!.value)).toBe(sentUs)
    expect(bare!.headers).toEqual([])
  })

  it('matches the reference encoder byte for byte apart from the batch header fields it leaves alone', () => {
    const records = [{ key: Buffer.from('a'), value: Buffer.from('b'), timestamp: 42 }, { key: null, value: Buffer.from('c'), timestamp: 43 }]
    const b = new BatchBuilder()
    for (const r of records) b.append(r.key, r.value, null, r.timestamp)
    expect(b.seal()).toEqual(encodeRecordBatch({ records }))
  })

  it('starts each batch fresh and never reuses memory it handed out', () => {
    const b = new BatchBuilder(100)
    b.append(null, Buffer.from('first'), null, 1)
    const first = b.seal()
    const copy = Buffer.from(first)
    b.append(null, Buffer.from('second-second'), null, 2)
    b.seal()
    expect(first).toEqual(copy)
    expect(() => b.seal()).toThrow(/empty batch/)
  })
})

describe('compression', () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: compresses the records section with a valid CRC and reads back`, async () => {
      const b = new BatchBuilder()
      for (let i = 0; i < 50; i++) b.append(Buffer.from(`k${i}`), Buffer.from('abc'.repeat(100)), null, 1000 + i)
      const plain = b.seal()
      const packed = await compressBatch(plain, codec)
      expect(packed.length).toBeLessThan(plain.length)
      expect(checkBatch(packed, true).errorCode).toBe(ErrorCode.NONE)
      expect(packed.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK).toBe({ gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[codec])
      expect(await batchRecordsSection(packed)).toEqual(plain.subarray(61))
      const out: FetchedRecord[] = []
      expect(await decodeFetchedRecords(packed, 't', 0, 0, out)).toBe(50)
      expect(out.map(r => r.key?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`))
    })
  }

  it('names the codecs it knows when given another', () => {
    expect(() => checkCompression('brotli' as 'lz4')).toThrow(/brotli.*none, gzip, snappy, lz4, zstd/)
  })
})

describe('decodeFetchedRecords', () => {
  function placed (baseOffset: number, values: string[], control = false): Buffer {
    const batch = encodeRecordBatch({ records: values.map(v => ({ key: null, value: Buffer.from(v) })), transactional: control })
    if (control) batch.writeInt16BE(batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) | 0x20, BATCH_OFFSET_ATTRIBUTES)
    patchBatchHeader(batch, baseOffset, 0)
    return batch
  }

  it('drops records below the position, skips control batches, and moves past both', async () => {
    const blob = Buffer.concat([placed(0, ['a', 'b', 'c']), placed(3, ['marker'], true), placed(4, ['d', 'e'])])
    const out: FetchedRecord[] = []
    const next = await decodeFetchedRecords(blob, 't', 2, 1, out)
    expect(out.map(r => [r.offset, r.value?.toString()])).toEqual([[1, 'b'], [2, 'c'], [4, 'd'], [5, 'e']])
    expect(out.every(r => r.topic === 't' && r.partition === 2)).toBe(true)
    expect(next).toBe(6)
  })

  it('ignores a cut-off trailing batch and keeps the position before it', async () => {
    const whole = placed(0, ['a'])
    const cut = placed(1, ['b']).subarray(0, 30)
    const out: FetchedRecord[] = []
    expect(await decodeFetchedRecords(Buffer.concat([whole, cut]), 't', 0, 0, out)).toBe(1)
    expect(out).toHaveLength(1)
    expect(await decodeFetchedRecords(null, 't', 0, 7, out)).toBe(7)
  })
})

describe('BatchBuilder memory recycling', () => {
  it('builds in a sealed batch\'s memory only after recycle(), and ignores slices of shared memory', () => {
    const b = new BatchBuilder(4096)
    const seal = (fill: number, bytes: number): Buffer => {
      b.append(null, Buffer.alloc(bytes, fill), null, 1_700_000_000_000 + fill)
      return b.seal()
    }
    const first = seal(1, 100)
    const firstCopy = Buffer.from(first)
    // Not recycled: later batches never touch the first one's memory.
    const second = seal(2, 100)
    const third = seal(3, 100)
    expect([second.buffer, third.buffer]).not.toContain(first.buffer)
    expect(first.equals(firstCopy)).toBe(true)
    // Recycled: the batch after the next seal is built in it, and is a valid batch.
    b.recycle(first)
    b.recycle(Buffer.from('a slice of the shared pool'))
    const fourth = seal(4, 200)
    const fifth = seal(5, 300)
    expect(fifth.buffer).toBe(first.buffer)
    expect(checkBatch(fifth, true)).toEqual({ errorCode: ErrorCode.NONE, reason: '' })
    expect(decodeRecordBatch(fifth).map(r => r.value)).toEqual([Buffer.alloc(300, 5)])
    // The pool slice was not taken: with no spare left, fresh memory again.
    const sixth = seal(6, 10)
    expect([first.buffer, fourth.buffer, fifth.buffer]).not.toContain(sixth.buffer)
    expect(sixth.buffer.byteLength).toBeGreaterThanOrEqual(4096)
  })
})
