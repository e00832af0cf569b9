// Our codecs against an independent implementation: kafkajs 2.2.4's own request encoders
// and response decoders, for every version kafkajs implements inside our advertised range.
// kafkajs encodes requests we decode, and decodes responses we encode.

import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { Produce, type ProduceRequest, type ProduceResponse } from '../../../broker/protocol/00-produce.ts'
import { Fetch, type FetchRequest, type FetchResponse } from '../../../broker/protocol/01-fetch.ts'
import { ListOffsets, type ListOffsetsRequest } from '../../../broker/protocol/02-list-offsets.ts'
import { Metadata, type MetadataRequest, type MetadataResponse } from '../../../broker/protocol/03-metadata.ts'
import { CreateTopics, type CreateTopicsRequest } from '../../../broker/protocol/19-create-topics.ts'
import { DeleteTopics, type DeleteTopicsRequest } from '../../../broker/protocol/20-delete-topics.ts'
import { DescribeConfigs, type DescribeConfigsRequest } from '../../../broker/protocol/32-describe-configs.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { checkBatch, decodeRecordBatch, encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { decode, encode } from './codec-harness.ts'

const require = createRequire(import.meta.url)

interface KafkajsRequest { apiKey: number, apiVersion: number, encode: () => Promise<{ buffer: Buffer }> }
type KafkajsRequestFactory = (args: Record<string, unknown>) => KafkajsRequest
interface KafkajsResponse { decode: (raw: Buffer) => Promise<any> }

function kafkajs (api: string, version: number): { request: KafkajsRequestFactory, response: KafkajsResponse } {
  const dir = `kafkajs/src/protocol/requests/${api}/v${version}`
  return { request: require(`${dir}/request.js`), response: require(`${dir}/response.js`) }
}

async function kafkajsBytes (req: KafkajsRequest): Promise<Buffer> {
  return (await req.encode()).buffer
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('interop with kafkajs', () => {
  describe('Metadata', () => {
    for (const version of range(0, 6)) {
      it(`v${version}: decodes kafkajs requests and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('metadata', version)
        const req = decode(Metadata, 'request', version, await kafkajsBytes(request({ topics: ['a', 'b'], allowAutoTopicCreation: false }))) as MetadataRequest
        expect(req.topics).toEqual(['a', 'b'])
        expect(req.allowAutoTopicCreation).toBe(version < 4)
        // kafkajs asks for all topics with an empty list, which it encodes as null from v1.
        const all = decode(Metadata, 'request', version, await kafkajsBytes(request({ topics: [] }))) as MetadataRequest
        expect(all.topics).toBeNull()

        const res: MetadataResponse = {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
          clusterId: 'c1',
          controllerId: 1,
          topics: [{ errorCode: 0, name: 'a', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 2, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }], topicAuthorizedOperations: 0 }],
          clusterAuthorizedOperations: 0,
        }
        const decoded = await response.decode(encode(Metadata, 'response', version, res))
        expect(decoded.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: 9092 })])
        expect(decoded.topicMetadata[0]).toMatchObject({ topicErrorCode: 0, topic: 'a' })
        expect(decoded.topicMetadata[0].partitionMetadata[0]).toMatchObject({ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] })
        if (version >= 2) expect(decoded.clusterId).toBe('c1')
      })
    }
  })

  describe('Produce', () => {
    for (const version of range(3, 7)) {
      it(`v${version}: decodes kafkajs requests with intact batches and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('produce', version)
        const bytes = await kafkajsBytes(request({
          acks: -1,
          timeout: 3000,
          topicData: [{ topic: 'orders', partitions: [{ partition: 2, firstSequence: 0, messages: [{ key: 'k1', value: 'v1', headers: { h: 'x' }, timestamp: 1000 }, { key: null, value: 'v2', timestamp: 1001 }] }] }],
        }))
        const req = decode(Produce, 'request', version, bytes) as ProduceRequest
        expect(req).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 3000 })
        const partition = req.topics[0]!.partitions[0]!
        expect([req.topics[0]!.name, partition.partitionIndex]).toEqual(['orders', 2])
        const batches = splitBatches(partition.records!)
        expect(batches).toHaveLength(1)
        expect(checkBatch(batches[0]!, true).errorCode).toBe(ErrorCode.NONE)
        const records = decodeRecordBatch(batches[0]!)
        expect(records.map(r => [r.key?.toString() ?? null, r.value?.toString(), r.timestamp])).toEqual([['k1', 'v1', 1000], [null, 'v2', 1001]])
        expect(records[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }])

        const res: ProduceResponse = {
          topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, errorCode: 0, baseOffset: 2 ** 33, logAppendTimeMs: -1, logStartOffset: 5, recordErrors: [], errorMessage: null }] }],
          throttleTimeMs: 0,
        }
        const decoded = await response.decode(encode(Produce, 'response', version, res))
        expect(decoded.topics[0].topicName).toBe('orders')
        expect(decoded.topics[0].partitions[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: String(2 ** 33), logAppendTime: '-1' })
        if (version >= 5) expect(decoded.topics[0].partitions[0].logStartOffset).toBe('5')
      })
    }
  })

  describe('Fetch', () => {
    const batchA = encodeRecordBatch({ baseOffset: 10, records: [{ key: Buffer.from('a'), value: Buffer.alloc(700, 1), timestamp: 5 }] })
    const batchB = encodeRecordBatch({ baseOffset: 11, records: [{ key: Buffer.from('b'), value: Buffer.from('two'), timestamp: 6 }, { key: null, value: Buffer.from('three'), timestamp: 7 }] })

    for (const version of range(4, 11)) {
      it(`v${version}: decodes kafkajs requests and kafkajs reads records sent as chunks`, async () => {
        const { request, response } = kafkajs('fetch', version)
        const bytes = await kafkajsBytes(request({
          replicaId: -1,
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 10_485_760,
          isolationLevel: 1,
          rackId: 'r',
          topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '11', maxBytes: 1_048_576 }] }],
        }))
        const req = decode(Fetch, 'request', version, bytes) as FetchRequest
        expect(req).toMatchObject({ replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 10_485_760, isolationLevel: 1 })
        expect(req.topics).toEqual([{ name: 'orders', partitions: [expect.objectContaining({ partitionIndex: 0, fetchOffset: 11, partitionMaxBytes: 1_048_576 })] }])
        if (version >= 11) expect(req.rackId).toBe('r')

        const res: FetchResponse = {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          topics: [{
            name: 'orders',
            partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 13, lastStableOffset: 13, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records: [batchA, batchB] }],
          }],
        }
        const decoded = await response.decode(encode(Fetch, 'response', version, res))
        const partition = decoded.responses[0].partitions[0]
        expect(decoded.responses[0].topicName).toBe('orders')
        expect(partition).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '13' })
        expect(partition.messages.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.length])).toEqual([['10', 'a', 700], ['11', 'b', 3], ['12', null, 5]])
      })
    }
  })

  describe('ListOffsets', () => {
    for (const version of range(1, 3)) {
      it(`v${version}: decodes kafkajs requests and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('listOffsets', version)
        const bytes = await kafkajsBytes(request({ replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -2 }] }] }))
        const req = decode(ListOffsets, 'request', version, bytes) as ListOffsetsRequest
        expect(req).toEqual({ replicaId: -1, isolationLevel: version >= 2 ? 1 : 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }] })
        const decoded = await response.decode(encode(ListOffsets, 'response', version, {
          throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 42, leaderEpoch: 0 }] }],
        }))
        expect(decoded.responses).toEqual([{ topic: 't', partitions: [{ partition: 0, errorCode: 0, timestamp: '-1', offset: '42' }] }])
      })
    }
  })

  describe('CreateTopics', () => {
    for (const version of range(0, 3)) {
      it(`v${version}: decodes kafkajs requests and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('createTopics', version)
        const bytes = await kafkajsBytes(request({
          topics: [{ topic: 't', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '1000' }], replicaAssignment: [{ partition: 0, replicas: [1] }] }],
          validateOnly: true,
          timeout: 2000,
        }))
        const req = decode(CreateTopics, 'request', version, bytes) as CreateTopicsRequest
        expect(req).toEqual({
          topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'retention.ms', value: '1000' }] }],
          timeoutMs: 2000,
          validateOnly: version >= 1,
        })
        const decoded = await response.decode(encode(CreateTopics, 'response', version, {
          throttleTimeMs: 0, topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }],
        }))
        expect(decoded.topicErrors).toEqual([{ topic: 't', errorCode: 36, ...(version >= 1 ? { errorMessage: 'exists' } : {}) }])
      })
    }
  })

  describe('DeleteTopics', () => {
    for (const version of range(0, 1)) {
      it(`v${version}: decodes kafkajs requests and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('deleteTopics', version)
        const req = decode(DeleteTopics, 'request', version, await kafkajsBytes(request({ topics: ['a', 'b'], timeout: 900 }))) as DeleteTopicsRequest
        expect(req).toEqual({ topicNames: ['a', 'b'], timeoutMs: 900 })
        const decoded = await response.decode(encode(DeleteTopics, 'response', version, { throttleTimeMs: 0, topics: [{ name: 'a', errorCode: 0 }, { name: 'b', errorCode: 3 }] }))
        expect(decoded.topicErrors).toEqual([{ topic: 'a', errorCode: 0 }, { topic: 'b', errorCode: 3 }])
      })
    }
  })

  describe('DescribeConfigs', () => {
    for (const version of range(0, 2)) {
      it(`v${version}: decodes kafkajs requests and encodes responses kafkajs reads`, async () => {
        const { request, response } = kafkajs('describeConfigs', version)
        const bytes = await kafkajsBytes(request({ resources: [{ type: 2, name: 't', configNames: ['retention.ms'] }], includeSynonyms: true }))
        const req = decode(DescribeConfigs, 'request', version, bytes) as DescribeConfigsRequest
        expect(req).toEqual({ resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }], includeSynonyms: version >= 1, includeDocumentation: false })
        const decoded = await response.decode(encode(DescribeConfigs, 'response', version, {
          throttleTimeMs: 0,
          results: [{
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 't',
            configs: [{ name: 'retention.ms', value: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [], configType: 0, documentation: null }],
          }],
        }))
        expect(decoded.resources[0]).toMatchObject({ errorCode: 0, resourceType: 2, resourceName: 't' })
        expect(decoded.resources[0].configEntries[0]).toMatchObject({ configName: 'retention.ms', configValue: '1000', readOnly: false, isSensitive: false })
        if (version >= 1) expect(decoded.resources[0].configEntries[0].configSource).toBe(1)
      })
    }
  })
})
