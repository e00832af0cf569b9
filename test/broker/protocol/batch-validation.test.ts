// The produce path's one full validation: every record checked (compressed ones after
// decompression), maxTimestamp fixed from the records. Property: whatever passes can be
// decoded by every reader without an exception.

import { describe, expect, it } from 'vitest'
import { DECOMPRESSED_BATCH_BYTES_MAX, validateBatch, validatePlainBatch } from '../../../broker/protocol/batch-validation.ts'
import { compressRecords, decompressRecords } from '../../../broker/protocol/compression.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { validateRecords } from '../../../broker/server/handlers/00-produce.ts'
import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_ATTRIBUTES,
  BATCH_OFFSET_LENGTH, batchMaxTimestamp, checkBatch, Compression, decodeRecordBatch, encodeRecordBatch,
} from '../../../broker/protocol/record-batch.ts'
import { batchClaiming, batchWithoutMaxTimestamp, bombBatch, resealed } from '../../helpers/hostile-batches.ts'

const T0 = 1_700_000_000_000
const CREATE_TIME = { fromClient: true, logAppendTimeMs: null }

function sample (): Buffer {
  return encodeRecordBatch({
    records: [
      { key: Buffer.from('k'), value: Buffer.from('v'.repeat(40)), timestamp: T0 + 7, headers: [{ key: 'h', value: Buffer.from('x') }] },
      { key: null, value: null, timestamp: T0 },
      { key: Buffer.alloc(0), value: Buffer.from('z'), timestamp: T0 + 3, headers: [{ key: 'n', value: null }] },
    ],
  })
}

async function compressed (plain: Buffer, codec: keyof typeof Compression): Promise<Buffer> {
  const packed = await compressRecords(plain.subarray(BATCH_HEADER_BYTES), codec)
  const out = Buffer.concat([plain.subarray(0, BATCH_HEADER_BYTES), packed])
  out.writeInt32BE(out.length - BATCH_LOG_OVERHEAD_BYTES, BATCH_OFFSET_LENGTH)
  out.writeInt16BE(Compression[codec], BATCH_OFFSET_ATTRIBUTES)
  return resealed(out)
}

describe('batch validation', () => {
  it('accepts a well-formed batch and leaves its bytes alone', () => {
    const batch = sample()
    const before = Buffer.from(batch)
    expect(validatePlainBatch(batch, CREATE_TIME)).toEqual({ errorCode: ErrorCode.NONE, reason: '' })
    expect(batch).toEqual(before)
  })

  it('refuses the 68-byte batch claiming 2^31-1 records at once (issue 17 item 1)', () => {
    const started = performance.now()
    const check = validatePlainBatch(bombBatch(), CREATE_TIME)
    expect(check.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(check.reason).toMatch(/2147483647 records cannot fit in 7 bytes/)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it.each([
    ['a record length running past the batch', Buffer.from([0x7e, 0, 0, 0, 0, 0, 0]), /length 63 does not fit/],
    ['a varint that never ends', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /bad varint/],
    ['a wrong offsetDelta', Buffer.from([0x0c, 0, 0, 0x04, 0x01, 0x01, 0]), /offsetDelta 2/],
    ['a key longer than its record', Buffer.from([0x0c, 0, 0, 0, 0x40, 0x01, 0]), /overruns/],
    ['a negative header count', Buffer.from([0x0c, 0, 0, 0, 0x01, 0x01, 0x01]), /overruns|malformed/],
    ['fields that end before the record', Buffer.from([0x0e, 0, 0, 0, 0x01, 0x01, 0, 0]), /fields end 1 bytes before/],
  ])('refuses %s', (_label, records, reason) => {
    const check = validatePlainBatch(batchClaiming(1, records), CREATE_TIME)
    expect(check.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(check.reason).toMatch(reason)
  })

  it('refuses bytes left after the last record', () => {
    const batch = sample()
    const padded = batchClaiming(3, Buffer.concat([batch.subarray(BATCH_HEADER_BYTES), Buffer.alloc(7)]))
    expect(validatePlainBatch(padded, CREATE_TIME).reason).toMatch(/7 bytes after the last of 3 records/)
  })

  it('sets maxTimestamp from the records and recomputes the CRC when a client sent -1 (issue 16 bug 4)', () => {
    const batch = batchWithoutMaxTimestamp([T0 + 5, T0 + 9, T0 + 1])
    expect(validatePlainBatch(batch, CREATE_TIME).errorCode).toBe(ErrorCode.NONE)
    expect(batchMaxTimestamp(batch)).toBe(T0 + 9)
    expect(checkBatch(batch, true).errorCode).toBe(ErrorCode.NONE)
  })

  it('stamps the append time and the LogAppendTime attribute under LogAppendTime', () => {
    const batch = sample()
    expect(validatePlainBatch(batch, { fromClient: true, logAppendTimeMs: T0 + 1_000 }).errorCode).toBe(ErrorCode.NONE)
    expect(batchMaxTimestamp(batch)).toBe(T0 + 1_000)
    expect(batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_TIMESTAMP_TYPE).not.toBe(0)
    expect(checkBatch(batch, true).errorCode).toBe(ErrorCode.NONE)
  })

  it('whatever passes, every reader decodes without an exception (byte flips, CRC resealed)', () => {
    const original = sample()
    let accepted = 0
    for (let i = BATCH_HEADER_BYTES; i < original.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const batch = Buffer.from(original)
        batch[i] = batch[i]! ^ flip
        resealed(batch)
        if (validatePlainBatch(batch, CREATE_TIME).errorCode !== ErrorCode.NONE) continue
        accepted++
        expect(() => decodeRecordBatch(batch), `byte ${i} ^ ${flip}`).not.toThrow()
      }
    }
    expect(accepted).toBeGreaterThan(0)
  })

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: validates the decompressed records and fixes maxTimestamp; corrupt data is CORRUPT_MESSAGE`, async () => {
      const plain = batchWithoutMaxTimestamp([T0 + 2, T0 + 8])
      const batch = await compressed(plain, codec)
      expect(await validateBatch(batch, CREATE_TIME)).toEqual({ errorCode: ErrorCode.NONE, reason: '' })
      expect(batchMaxTimestamp(batch)).toBe(T0 + 8)
      expect(batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK).toBe(Compression[codec])
      const junk = await compressed(batchClaiming(2, Buffer.alloc(40, 0xee)), codec)
      expect((await validateBatch(junk, CREATE_TIME)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
      const garbage = Buffer.from(batch)
      garbage.fill(0x5a, BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 8)
      const check = await validateBatch(resealed(garbage), CREATE_TIME)
      expect(check.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
      expect(check.reason).toContain(codec)
    })
  }

  it('stops decompressing at the bound, before allocating past it', async () => {
    const bytesMax = 1024 * 1024
    const huge = Buffer.alloc(2 * bytesMax)
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const packed = await compressRecords(huge, codec)
      await expect(decompressRecords(packed, Compression[codec], bytesMax), codec).rejects.toThrow(/more than the 1048576 bytes allowed/)
      expect((await decompressRecords(packed, Compression[codec], 4 * bytesMax)).length, codec).toBe(huge.length)
    }
    expect(DECOMPRESSED_BATCH_BYTES_MAX).toBeGreaterThanOrEqual(bytesMax)
  })
})

// Regression: the long fuzz campaign found Produce requests whose records ended in a batch
// too short to hold its attributes; isCompressed read past its end and the RangeError closed
// the producer's connection as an internal error instead of failing the partition.
describe('validateRecords on mutated batches', () => {
  it('answers a batch cut shorter than its header with CORRUPT_MESSAGE', async () => {
    const batch = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('value') }] })
    const short = Buffer.alloc(15)
    short.writeBigInt64BE(0n, 0)
    short.writeInt32BE(3, BATCH_OFFSET_LENGTH)
    const answer = await validateRecords(Buffer.concat([batch, short]), 1 << 20, null)
    expect(answer).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE })
  })

  it('never throws on 20,000 seeded mutations of a valid batch (every answer is a batch list or a Kafka error)', async () => {
    const base = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'.repeat(20)) }, { key: null, value: Buffer.from('x') }] })
    let seed = 7
    const next = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(base)
      for (let m = 1 + next(3); m > 0; m--) {
        const at = next(b.length - 4)
        const kind = next(3)
        if (kind === 0) b[at] = next(256)
        else if (kind === 1) b.writeInt32BE([0x7fffffff, -1, 0, -0x80000000][next(4)]!, at)
        else b.writeInt16BE([0x7fff, -1, 0][next(3)]!, at)
      }
      const records = next(5) === 0 ? b.subarray(0, next(b.length)) : b
      const answer = await validateRecords(records, 1 << 20, next(2) === 0 ? null : 1_700_000_000_000)
      if (!Array.isArray(answer)) expect(answer.errorCode, `mutation ${i}`).not.toBe(ErrorCode.NONE)
    }
  })
})
