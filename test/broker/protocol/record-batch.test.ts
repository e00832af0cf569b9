import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import {
  ATTR_CONTROL, BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_CRC, BATCH_OFFSET_LAST_OFFSET_DELTA,
  BATCH_OFFSET_LEADER_EPOCH, BATCH_OFFSET_PRODUCER_ID, BATCH_OFFSET_BASE_SEQUENCE,
  batchBaseOffset, batchCrc, batchLastOffset, batchMaxTimestamp, batchRecordCount, batchSizeAt, checkBatch,
  decodeRecordBatch, encodeRecordBatch, isControlBatch, patchBatchHeader, splitBatches,
} from '../../../broker/protocol/record-batch.ts'

const BASE_TIMESTAMP_MS = 1_700_000_000_000

const records = [
  { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), timestamp: BASE_TIMESTAMP_MS + 5, headers: [{ key: 'trace', value: Buffer.from('abc') }] },
  { key: null, value: Buffer.from('second'), timestamp: BASE_TIMESTAMP_MS },
  { key: Buffer.alloc(0), value: null, timestamp: BASE_TIMESTAMP_MS + 2 ** 35, headers: [{ key: 'ключ', value: null }, { key: '', value: Buffer.alloc(0) }] },
  { key: Buffer.from([0, 255, 128]), value: Buffer.alloc(300, 7), timestamp: BASE_TIMESTAMP_MS + 1 },
]

/** Rewrites the CRC after a deliberate edit, so a test reaches the check after the CRC. */
function resealed (batch: Buffer): Buffer {
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  return batch
}

describe('record batch', () => {
  const batch = encodeRecordBatch({ records, baseOffset: 40, producerId: 7, producerEpoch: 2, baseSequence: 11 })

  it('encodes a batch that passes every check', () => {
    expect(checkBatch(batch, true)).toEqual({ errorCode: ErrorCode.NONE, reason: '' })
    expect(batchRecordCount(batch)).toBe(records.length)
    expect(batchBaseOffset(batch)).toBe(40)
    expect(batchLastOffset(batch)).toBe(40 + records.length - 1)
    expect(batchMaxTimestamp(batch)).toBe(BASE_TIMESTAMP_MS + 2 ** 35)
    expect(batchSizeAt(batch, 0)).toBe(batch.length)
    expect(Number(batch.readBigInt64BE(BATCH_OFFSET_PRODUCER_ID))).toBe(7)
    expect(batch.readInt32BE(BATCH_OFFSET_BASE_SEQUENCE)).toBe(11)
    expect(isControlBatch(batch)).toBe(false)
  })

  it('decodes keys, values, headers, timestamps and offsets exactly as encoded', () => {
    const decoded = decodeRecordBatch(batch)
    expect(decoded).toEqual(records.map((r, i) => ({
      key: r.key,
      value: r.value,
      headers: r.headers ?? [],
      timestamp: r.timestamp,
      offset: 40 + i,
    })))
  })

  it('fails with CORRUPT_MESSAGE when any byte covered by the CRC changes', () => {
    for (let i = BATCH_OFFSET_ATTRIBUTES; i < batch.length; i++) {
      const copy = Buffer.from(batch)
      copy[i] = copy[i]! ^ 0xff
      expect(checkBatch(copy, true).errorCode, `byte ${i}`).toBe(ErrorCode.CORRUPT_MESSAGE)
    }
  })

  it('fails with CORRUPT_MESSAGE when the length, magic or CRC itself changes', () => {
    for (let i = 8; i < BATCH_OFFSET_ATTRIBUTES; i++) {
      if (i >= BATCH_OFFSET_LEADER_EPOCH && i < BATCH_OFFSET_LEADER_EPOCH + 4) continue
      const copy = Buffer.from(batch)
      copy[i] = copy[i]! ^ 0x01
      expect(checkBatch(copy, true).errorCode, `byte ${i}`).toBe(ErrorCode.CORRUPT_MESSAGE)
    }
  })

  it('patches base offset and leader epoch in place without invalidating the CRC', () => {
    const copy = Buffer.from(batch)
    const crcBefore = copy.readUInt32BE(BATCH_OFFSET_CRC)
    patchBatchHeader(copy, 2 ** 40 + 3, 9)
    expect(checkBatch(copy, false).errorCode).toBe(ErrorCode.NONE)
    expect(copy.readUInt32BE(BATCH_OFFSET_CRC)).toBe(crcBefore)
    expect(batchBaseOffset(copy)).toBe(2 ** 40 + 3)
    expect(copy.readInt32BE(BATCH_OFFSET_LEADER_EPOCH)).toBe(9)
    expect(decodeRecordBatch(copy).map(r => r.offset)).toEqual([0, 1, 2, 3].map(i => 2 ** 40 + 3 + i))
  })

  it('rejects a control batch from a client with INVALID_RECORD but accepts it from recovery', () => {
    const copy = Buffer.from(batch)
    copy.writeInt16BE(copy.readInt16BE(BATCH_OFFSET_ATTRIBUTES) | ATTR_CONTROL, BATCH_OFFSET_ATTRIBUTES)
    resealed(copy)
    expect(isControlBatch(copy)).toBe(true)
    expect(checkBatch(copy, true).errorCode).toBe(ErrorCode.INVALID_RECORD)
    expect(checkBatch(copy, false).errorCode).toBe(ErrorCode.NONE)
  })

  it('rejects a lastOffsetDelta that disagrees with the record count even under a valid CRC', () => {
    const copy = Buffer.from(batch)
    copy.writeInt32BE(records.length, BATCH_OFFSET_LAST_OFFSET_DELTA)
    expect(checkBatch(resealed(copy), true).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
  })

  it('rejects an unknown compression codec even under a valid CRC', () => {
    const copy = Buffer.from(batch)
    copy.writeInt16BE(5, BATCH_OFFSET_ATTRIBUTES)
    expect(checkBatch(resealed(copy), true).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(() => decodeRecordBatch(copy)).toThrow(RangeError)
  })

  it('rejects batches shorter than a header or cut short', () => {
    expect(checkBatch(batch.subarray(0, BATCH_HEADER_BYTES - 1), true).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(checkBatch(batch.subarray(0, batch.length - 1), true).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
  })

  it('splits a records blob into whole batches and drops a cut-off tail', () => {
    const second = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x'), timestamp: 1 }], baseOffset: 44 })
    const blob = Buffer.concat([batch, second])
    const parts = splitBatches(blob)
    expect(parts.map(p => p.equals(batch) || p.equals(second))).toEqual([true, true])
    expect(splitBatches(blob.subarray(0, blob.length - 1))).toHaveLength(1)
    expect(splitBatches(blob.subarray(0, 5))).toHaveLength(0)
    expect(splitBatches(Buffer.alloc(0))).toHaveLength(0)
  })

  it('marks transactional batches and refuses to encode an empty batch', () => {
    const txn = encodeRecordBatch({ records: [{ key: null, value: null, timestamp: 0 }], transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 })
    expect(txn.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & 0x10).toBe(0x10)
    expect(checkBatch(txn, true).errorCode).toBe(ErrorCode.NONE)
    expect(() => encodeRecordBatch({ records: [] })).toThrow(RangeError)
  })
})
