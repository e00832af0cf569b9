// The in-place walk must deliver exactly what decodeFetchedRecords delivers (same records,
// value sizes, timestamp headers and next offset) for plain, compressed, control and
// partly-consumed batches, and must refuse a record that overruns its batch. Reader.readVarLong
// (now without BigInt for short values) must stay exact.

import { describe, expect, it } from 'vitest'
import { decodeFetchedRecords, type FetchedRecord } from '../../../broker/client/batch-reader.ts'
import { compressBatch } from '../../../broker/client/compression.ts'
import { walkFetchedRecords } from '../../../broker/client/record-walk.ts'
import { BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES, patchBatchHeader } from '../../../broker/protocol/record-batch.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'
import { BatchBuilder } from '../../../harness/client/batch-builder.ts'
import { decodeTimestampHeader, TIMESTAMP_HEADER } from '../../../harness/measure/clock.ts'

const NAME = Buffer.from(TIMESTAMP_HEADER)

/** A batch at `baseOffset` of `count` records; every third has no timestamp header, every fifth a null value. */
function batchAt (baseOffset: number, count: number, sizeBytes: number): Buffer {
  const b = new BatchBuilder(256)
  for (let i = 0; i < count; i++) {
    const value = i % 5 === 4 ? null : Buffer.alloc(sizeBytes + i, i)
    const headers = { other: Buffer.from('x'.repeat(12)) }
    b.append(i % 2 === 0 ? Buffer.from(`k${i}`) : null, value, headers, 1_700_000_000_000 + i, i % 3 === 2 ? -1 : 5_000_000_000 + baseOffset + i)
  }
  const batch = b.seal()
  patchBatchHeader(batch, baseOffset, 0)
  return batch
}

async function walked (blob: Buffer | null, fromOffset: number): Promise<{ next: number, seen: Array<[number, number | null]> }> {
  const seen: Array<[number, number | null]> = []
  const next = await walkFetchedRecords(blob, fromOffset, NAME, (valueBytes, source, at, bytes) => {
    seen.push([valueBytes, at < 0 ? null : decodeTimestampHeader(source.subarray(at, at + bytes))])
  })
  return { next, seen }
}

async function decoded (blob: Buffer | null, fromOffset: number): Promise<{ next: number, seen: Array<[number, number | null]> }> {
  const out: FetchedRecord[] = []
  const next = await decodeFetchedRecords(blob, 't', 0, fromOffset, out)
  return { next, seen: out.map(r => [r.value?.length ?? 0, decodeTimestampHeader(r.headers[TIMESTAMP_HEADER])]) }
}

describe('walkFetchedRecords', () => {
  it('agrees with decodeFetchedRecords on plain, compressed and control batches from any position', async () => {
    const control = batchAt(20, 1, 4)
    control.writeInt16BE(control.readInt16BE(BATCH_OFFSET_ATTRIBUTES) | 0x20, BATCH_OFFSET_ATTRIBUTES)
    const zstd = await compressBatch(batchAt(21, 9, 300), 'zstd')
    const blob = Buffer.concat([batchAt(0, 12, 100), batchAt(12, 8, 1024), control, zstd, batchAt(30, 3, 10).subarray(0, 40)])
    for (const from of [0, 5, 12, 19, 20, 21, 25, 30, 99]) {
      const w = await walked(blob, from)
      expect(w).toEqual(await decoded(blob, from))
    }
    const all = await walked(blob, 0)
    expect(all.next).toBe(30)
    expect(all.seen).toHaveLength(12 + 8 + 9)
    expect(all.seen[0]).toEqual([100, 5_000_000_000])
    expect(all.seen[2]).toEqual([102, null])
    expect(all.seen[4]).toEqual([0, 5_000_000_004])
    expect(await walked(null, 7)).toEqual({ next: 7, seen: [] })
  })

  it('refuses a record whose length overruns its batch', async () => {
    const batch = batchAt(0, 2, 50)
    // The first record's length varint rewritten to 0xfe 0x7f: 8191 bytes, past the batch's end.
    batch[BATCH_HEADER_BYTES] = 0xfe
    batch[BATCH_HEADER_BYTES + 1] = 0x7f
    await expect(walked(batch, 0)).rejects.toThrow(/overruns/)
  })
})

describe('Reader.readVarLong', () => {
  it('reads back what Writer.writeVarLong wrote, across the short (double) and long (BigInt) paths', () => {
    const values = [0, 1, -1, 63, -64, 64, 1e6, -1e6, 2 ** 40, -(2 ** 40), 2 ** 48 - 1, -(2 ** 48), 2 ** 50, -(2 ** 52), 1_733_350_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
    for (const v of values) {
      const bytes = new Writer().writeVarLong(v).toBuffer()
      const r = new Reader(bytes)
      expect(r.readVarLong()).toBe(v)
      expect(r.offset).toBe(bytes.length)
    }
  })
})
