import { describe, expect, it } from 'vitest'
import { Produce, type ProduceRequest, type ProduceResponse } from '../../../broker/protocol/00-produce.ts'
import { checkBatch, encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { decode, encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const batch = encodeRecordBatch({
  records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000 }],
})

const request: ProduceRequest = {
  transactionalId: 'txn-1',
  acks: -1,
  timeoutMs: 30_000,
  topics: [
    { name: 'orders', partitions: [{ partitionIndex: 0, records: batch }, { partitionIndex: 3, records: null }] },
    { name: 'empty', partitions: [] },
  ],
}

const response: ProduceResponse = {
  topics: [{
    name: 'orders',
    partitions: [
      {
        partitionIndex: 0,
        errorCode: 0,
        baseOffset: 2 ** 40,
        logAppendTimeMs: 1_700_000_000_123,
        logStartOffset: 17,
        recordErrors: [{ batchIndex: 2, batchIndexErrorMessage: 'bad' }, { batchIndex: 5, batchIndexErrorMessage: null }],
        errorMessage: 'one record was bad',
      },
      {
        partitionIndex: 3,
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        recordErrors: [],
        errorMessage: null,
      },
    ],
  }],
  throttleTimeMs: 250,
}

function expectedResponse (version: number): ProduceResponse {
  return {
    ...response,
    topics: response.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({
        ...p,
        logAppendTimeMs: version >= 2 ? p.logAppendTimeMs : -1,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
        recordErrors: version >= 8 ? p.recordErrors : [],
        errorMessage: version >= 8 ? p.errorMessage : null,
      })),
    })),
  }
}

describe('Produce codec', () => {
  it('advertises 3-8 and knows v9 is the first flexible version', () => {
    expect([Produce.key, Produce.minVersion, Produce.maxVersion, Produce.flexibleVersion]).toEqual([0, 3, 8, 9])
  })

  for (const version of [...versionsOf(Produce), Produce.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request, keeping records as the exact bytes sent', () => {
        const bytes = expectRoundTrip(Produce, 'request', version, request, request)
        const decoded = decode(Produce, 'request', version, bytes) as ProduceRequest
        const records = decoded.topics[0]!.partitions[0]!.records!
        expect(records.equals(batch)).toBe(true)
        // A view into the frame, not a copy: the log stores what the client sent.
        expect(records.buffer).toBe(bytes.buffer)
        expect(checkBatch(records, true).errorCode).toBe(ErrorCode.NONE)
      })

      it('round-trips the response', () => {
        expectRoundTrip(Produce, 'response', version, response, expectedResponse(version))
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(Produce, direction, version, value)
          expectTruncationsThrow(Produce, direction, version, bytes)
          expectCorruptionsContained(Produce, direction, version, bytes, version)
        }
      })
    })
  }

  it('encodes a v3 response byte for byte as the grammar says', () => {
    const bytes = encode(Produce, 'response', 3, {
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 9, recordErrors: [], errorMessage: null }] }],
      throttleTimeMs: 7,
    })
    expect(bytes).toEqual(hex(
      '00000001', // responses: 1 topic
      '0001 74', // name "t"
      '00000001', // partition_responses: 1
      '00000001', // index 1
      '0000', // error_code NONE
      '0000000000000005', // base_offset 5
      'ffffffffffffffff', // log_append_time_ms -1 (v2+); log_start_offset is v5+ and absent
      '00000007', // throttle_time_ms, last in Produce responses
    ))
  })

  it('encodes a v9 request with compact encodings and tag buffers', () => {
    const bytes = encode(Produce, 'request', 9, {
      transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ name: 'ab', partitions: [{ partitionIndex: 0, records: Buffer.from([0xaa]) }] }],
    })
    expect(bytes).toEqual(hex(
      '00', // transactional_id null (compact: length 0)
      '0001', '000003e8', // acks 1, timeout 1000
      '02', '03 6162', // 1 topic, name "ab"
      '02', '00000000', '02 aa', '00', // 1 partition, index 0, records [aa], partition tags
      '00', // topic tags
      '00', // body tags
    ))
  })
})
