import { alterPartitionV0, alterPartitionV1, alterPartitionV2, alterPartitionV3, Reader as PReader } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { AlterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from '../../../broker/protocol/56-alter-partition.ts'
import { ZERO_UUID } from '../../../broker/protocol/uuid.ts'
import { codecSuite } from './cluster-codec-cases.ts'
import { decode, encode } from './codec-harness.ts'

const TOPIC_ID = 'hCw3kzc0RpKwTd2rGHqjVQ'
const HEX_ID = Buffer.from(TOPIC_ID, 'base64url').toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')

const request: AlterPartitionRequest = {
  brokerId: 1,
  brokerEpoch: 12,
  topics: [{ topicName: 'orders', topicId: TOPIC_ID, partitions: [{ partitionIndex: 3, leaderEpoch: 4, newIsr: [{ brokerId: 1, brokerEpoch: 12 }, { brokerId: 2, brokerEpoch: 15 }], leaderRecoveryState: 1, partitionEpoch: 9 }] }],
}
const response: AlterPartitionResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  topics: [{ topicName: 'orders', topicId: TOPIC_ID, partitions: [{ partitionIndex: 3, errorCode: 0, leaderId: 1, leaderEpoch: 4, isr: [1, 2], leaderRecoveryState: 1, partitionEpoch: 10 }] }],
}

function atVersion<T extends { topics: { topicName: string, topicId: string }[] }> (value: T, v: number): T {
  return { ...value, topics: value.topics.map(t => ({ ...t, topicName: v >= 2 ? '' : t.topicName, topicId: v >= 2 ? t.topicId : ZERO_UUID })) }
}

describe('AlterPartition codec', () => {
  it('is API key 56, versions 0-3, flexible from v0', () => {
    expect([AlterPartition.key, AlterPartition.minVersion, AlterPartition.maxVersion, AlterPartition.flexibleVersion]).toEqual([56, 0, 3, 0])
  })

  codecSuite(AlterPartition, {
    request,
    expectedRequest: v => {
      const out = atVersion(request, v)
      return { ...out, topics: out.topics.map(t => ({ ...t, partitions: t.partitions.map(p => ({ ...p, newIsr: p.newIsr.map(m => ({ brokerId: m.brokerId, brokerEpoch: v >= 3 ? m.brokerEpoch : -1 })), leaderRecoveryState: v >= 1 ? p.leaderRecoveryState : 0 })) })) }
    },
    response,
    expectedResponse: v => {
      const out = atVersion(response, v)
      return { ...out, topics: out.topics.map(t => ({ ...t, partitions: t.partitions.map(p => ({ ...p, leaderRecoveryState: v >= 1 ? p.leaderRecoveryState : 0 })) })) }
    },
  })

  const apis = [alterPartitionV0, alterPartitionV1, alterPartitionV2, alterPartitionV3] as const
  apis.forEach((api, version) => {
    it(`agrees with @platformatic/kafka at v${version}`, () => {
      const topics = [{ topicName: 'orders', topicId: HEX_ID, partitions: [{ partitionIndex: 3, leaderEpoch: 4, newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: 12n }], leaderRecoveryState: 0, partitionEpoch: 9 }] }]
      const bytes = (api.createRequest as (...args: unknown[]) => { buffer: Buffer })(1, 12n, topics).buffer
      const req = decode(AlterPartition, 'request', version, bytes) as AlterPartitionRequest
      expect(req.topics[0]).toMatchObject(version >= 2 ? { topicId: TOPIC_ID } : { topicName: 'orders' })
      expect(req.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 3, leaderEpoch: 4, partitionEpoch: 9, newIsr: [{ brokerId: 1, brokerEpoch: version >= 3 ? 12 : -1 }] })
      const parsed = (api.parseResponse as (...args: unknown[]) => any)(0, 56, version, PReader.from(encode(AlterPartition, 'response', version, response)))
      expect(parsed.topics[0].partitions[0]).toMatchObject({ partitionIndex: 3, leaderId: 1, isr: [1, 2], partitionEpoch: 10 })
      if (version >= 2) expect(parsed.topics[0].topicId).toBe(HEX_ID)
    })
  })
})
