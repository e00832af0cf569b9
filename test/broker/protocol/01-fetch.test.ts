import { describe, expect, it } from 'vitest'
import { Fetch, fetchRecordsBytes, type FetchRequest, type FetchResponse } from '../../../broker/protocol/01-fetch.ts'
import { encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { Writer } from '../../../broker/protocol/writer.ts'
import { decode, encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: FetchRequest = {
  replicaId: -1,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52_428_800,
  isolationLevel: 1,
  sessionId: 12,
  sessionEpoch: 3,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, currentLeaderEpoch: 4, fetchOffset: 2 ** 35, lastFetchedEpoch: 2, logStartOffset: 10, partitionMaxBytes: 1_048_576 },
        { partitionIndex: 1, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 },
      ],
    },
  ],
  forgottenTopics: [{ name: 'old', partitions: [0, 7] }],
  rackId: 'rack-a',
}

function expectedRequest (version: number): FetchRequest {
  return {
    ...request,
    maxBytes: version >= 3 ? request.maxBytes : 0x7fffffff,
    isolationLevel: version >= 4 ? request.isolationLevel : 0,
    sessionId: version >= 7 ? request.sessionId : 0,
    sessionEpoch: version >= 7 ? request.sessionEpoch : -1,
    topics: request.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({
        ...p,
        currentLeaderEpoch: version >= 9 ? p.currentLeaderEpoch : -1,
        lastFetchedEpoch: version >= 12 ? p.lastFetchedEpoch : -1,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
      })),
    })),
    forgottenTopics: version >= 7 ? request.forgottenTopics : [],
    rackId: version >= 11 ? request.rackId : '',
  }
}

const batchA = encodeRecordBatch({ baseOffset: 100, records: [{ key: null, value: Buffer.from('a'.repeat(600)), timestamp: 1 }] })
const batchB = encodeRecordBatch({ baseOffset: 101, records: [{ key: Buffer.from('k'), value: Buffer.from('b'), timestamp: 2 }] })

const response: FetchResponse = {
  throttleTimeMs: 5,
  errorCode: 0,
  sessionId: 0,
  topics: [{
    name: 'orders',
    partitions: [
      {
        partitionIndex: 0,
        errorCode: 0,
        highWatermark: 102,
        lastStableOffset: 101,
        logStartOffset: 3,
        abortedTransactions: [{ producerId: 9, firstOffset: 50 }],
        preferredReadReplica: -1,
        records: Buffer.concat([batchA, batchB]),
      },
      {
        partitionIndex: 1,
        errorCode: 1,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: null,
        preferredReadReplica: 2,
        records: null,
      },
      {
        partitionIndex: 2,
        errorCode: 0,
        highWatermark: 0,
        lastStableOffset: 0,
        logStartOffset: 0,
        abortedTransactions: [],
        preferredReadReplica: -1,
        records: Buffer.alloc(0),
      },
    ],
  }],
}

function expectedResponse (version: number): FetchResponse {
  return {
    throttleTimeMs: version >= 1 ? response.throttleTimeMs : 0,
    errorCode: version >= 7 ? response.errorCode : 0,
    sessionId: version >= 7 ? response.sessionId : 0,
    topics: response.topics.map(t => ({
      ...t,
      partitions: t.partitions.map(p => ({
        ...p,
        lastStableOffset: version >= 4 ? p.lastStableOffset : -1,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
        abortedTransactions: version >= 4 ? p.abortedTransactions : null,
        preferredReadReplica: version >= 11 ? p.preferredReadReplica : -1,
      })),
    })),
  }
}

describe('Fetch codec', () => {
  it('advertises 4-11 and knows v12 is the first flexible version', () => {
    expect([Fetch.key, Fetch.minVersion, Fetch.maxVersion, Fetch.flexibleVersion]).toEqual([1, 4, 11, 12])
  })

  for (const version of [...versionsOf(Fetch), Fetch.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(Fetch, 'request', version, request, expectedRequest(version))
      })

      it('round-trips the response', () => {
        expectRoundTrip(Fetch, 'response', version, response, expectedResponse(version))
      })

      it('writes records given as several buffers as their concatenation', () => {
        const chunked: FetchResponse = {
          ...response,
          topics: [{ name: 'orders', partitions: [{ ...response.topics[0]!.partitions[0]!, records: [batchA, batchB] }] }],
        }
        const contiguous = encode(Fetch, 'response', version, {
          ...chunked,
          topics: [{ name: 'orders', partitions: [{ ...chunked.topics[0]!.partitions[0]!, records: Buffer.concat([batchA, batchB]) }] }],
        })
        const bytes = encode(Fetch, 'response', version, chunked)
        expect(bytes.equals(contiguous)).toBe(true)
        const decoded = decode(Fetch, 'response', version, bytes) as FetchResponse
        const records = decoded.topics[0]!.partitions[0]!.records as Buffer
        expect(records.equals(Buffer.concat([batchA, batchB]))).toBe(true)
        expect(splitBatches(records)).toHaveLength(2)
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(Fetch, direction, version, value)
          expectTruncationsThrow(Fetch, direction, version, bytes)
          expectCorruptionsContained(Fetch, direction, version, bytes, version)
        }
      })
    })
  }

  it('sends large record chunks by reference, never copying them', () => {
    const w = new Writer()
    Fetch.encodeResponse(w, 11, {
      ...response,
      topics: [{ name: 'orders', partitions: [{ ...response.topics[0]!.partitions[0]!, records: [batchA, batchB] }] }],
    })
    // batchA is above the writer's by-reference threshold; it must be one of the chunks itself.
    expect(w.buffers()).toContain(batchA)
  })

  it('counts record bytes in every form', () => {
    expect(fetchRecordsBytes(null)).toBe(0)
    expect(fetchRecordsBytes(batchA)).toBe(batchA.length)
    expect(fetchRecordsBytes([batchA, batchB])).toBe(batchA.length + batchB.length)
    expect(fetchRecordsBytes([])).toBe(0)
  })

  it('encodes a v4 request byte for byte as the grammar says', () => {
    const bytes = encode(Fetch, 'request', 4, {
      ...request,
      topics: [{ name: 't', partitions: [{ partitionIndex: 2, currentLeaderEpoch: -1, fetchOffset: 8, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4096 }] }],
    })
    expect(bytes).toEqual(hex(
      'ffffffff', // replica_id -1
      '000001f4', // max_wait_ms 500
      '00000001', // min_bytes 1
      '03200000', // max_bytes 52428800 (v3+)
      '01', // isolation_level read_committed (v4+)
      '00000001', '0001 74', // 1 topic "t"
      '00000001', '00000002', '0000000000000008', '00001000', // 1 partition: 2, fetch_offset 8, partition_max_bytes 4096
    ))
  })

  it('encodes an empty v11 response with a null records field as the grammar says', () => {
    const bytes = encode(Fetch, 'response', 11, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 3, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: null }] }],
    })
    expect(bytes).toEqual(hex(
      '00000000', '0000', '00000000', // throttle, error_code, session_id
      '00000001', '0001 74', '00000001', // 1 topic "t", 1 partition
      '00000000', '0003', // partition 0, UNKNOWN_TOPIC_OR_PARTITION
      'ffffffffffffffff', 'ffffffffffffffff', 'ffffffffffffffff', // high watermark, last stable, log start
      'ffffffff', // aborted_transactions null
      'ffffffff', // preferred_read_replica -1
      'ffffffff', // records null
    ))
  })
})
