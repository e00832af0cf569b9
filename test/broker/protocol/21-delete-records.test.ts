import { describe, expect, it } from 'vitest'
import { DeleteRecords, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../../../broker/protocol/21-delete-records.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const request: DeleteRecordsRequest = {
  topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 42 }, { partitionIndex: 3, offset: -1 }] }, { name: 'none', partitions: [] }],
  timeoutMs: 30_000,
}

const response: DeleteRecordsResponse = {
  throttleTimeMs: 5,
  topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, lowWatermark: 42, errorCode: 0 }, { partitionIndex: 3, lowWatermark: -1, errorCode: 1 }] }],
}

describe('DeleteRecords codec', () => {
  it('advertises v0-2 with v2 flexible', () => {
    expect([DeleteRecords.key, DeleteRecords.minVersion, DeleteRecords.maxVersion, DeleteRecords.flexibleVersion]).toEqual([21, 0, 2, 2])
  })

  codecVersionTests(DeleteRecords, { request, expectedRequest: () => request, response, expectedResponse: () => response })

  it('writes the v1 request byte for byte', () => {
    const bytes = encodeWith(w => { DeleteRecords.encodeRequest(w, 1, { topics: [{ name: 't', partitions: [{ partitionIndex: 2, offset: 7 }] }], timeoutMs: 1000 }) })
    expect(bytes.toString('hex')).toBe(hex(`
      00000001 0001 74        # 1 topic "t"
        00000001              # 1 partition
          00000002            # partition_index
          0000000000000007    # offset
      000003e8                # timeout_ms
    `).toString('hex'))
  })
})
