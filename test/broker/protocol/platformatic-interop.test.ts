// Our codecs against @platformatic/kafka 2.12's per-version request writers and response
// parsers: the version platformatic picks inside our advertised range, plus the first
// flexible version of each API, which checks our compact encodings and tag buffers
// against an implementation that really speaks them.

import {
  Reader as PReader, createTopicsV4, createTopicsV5, deleteTopicsV3, deleteTopicsV4, describeConfigsV3, describeConfigsV4,
  fetchV11, fetchV12, listOffsetsV5, listOffsetsV6, metadataV8, metadataV9, produceV8, produceV9,
} from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { Produce, type ProduceRequest } from '../../../broker/protocol/00-produce.ts'
import { Fetch, type FetchRequest } from '../../../broker/protocol/01-fetch.ts'
import { ListOffsets, type ListOffsetsRequest } from '../../../broker/protocol/02-list-offsets.ts'
import { Metadata, type MetadataRequest } from '../../../broker/protocol/03-metadata.ts'
import { CreateTopics, type CreateTopicsRequest } from '../../../broker/protocol/19-create-topics.ts'
import { DeleteTopics, type DeleteTopicsRequest } from '../../../broker/protocol/20-delete-topics.ts'
import { DescribeConfigs, type DescribeConfigsRequest } from '../../../broker/protocol/32-describe-configs.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { checkBatch, decodeRecordBatch, encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { decode, encode } from './codec-harness.ts'

/**
 * Runs a platformatic parser over bytes we encoded, as its connection would. The result is
 * loosely typed because each loop below mixes two versions' parsers.
 */
function parse (parser: (c: number, k: number, v: number, r: PReader) => any, key: number, version: number, bytes: Buffer): any {
  return parser(0, key, version, PReader.from(bytes))
}

describe('interop with @platformatic/kafka', () => {
  for (const [version, api] of [[8, produceV8], [9, produceV9]] as const) {
    it(`Produce v${version}`, () => {
      const bytes = api.createRequest(-1, 2000, [
        { topic: 'orders', partition: 1, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000n, headers: new Map([[Buffer.from('h'), Buffer.from('x')]]) },
        { topic: 'orders', partition: 1, value: Buffer.from('w'), timestamp: 1001n },
      ], { transactionalId: 'tx' }).buffer
      const req = decode(Produce, 'request', version, bytes) as ProduceRequest
      expect(req).toMatchObject({ transactionalId: 'tx', acks: -1, timeoutMs: 2000 })
      const batches = splitBatches(req.topics[0]!.partitions[0]!.records!)
      expect(checkBatch(batches[0]!, true).errorCode).toBe(ErrorCode.NONE)
      expect(decodeRecordBatch(batches[0]!).map(r => [r.key?.toString() ?? null, r.value?.toString(), r.timestamp])).toEqual([['k', 'v', 1000], [null, 'w', 1001]])

      const res = parse(api.parseResponse, 0, version, encode(Produce, 'response', version, {
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0, baseOffset: 77, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: null }], errorMessage: null }] }],
        throttleTimeMs: 3,
      }))
      expect(res).toEqual({
        responses: [{ name: 'orders', partitionResponses: [{ index: 1, errorCode: 0, baseOffset: 77n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: null }], errorMessage: null }] }],
        throttleTimeMs: 3,
      })
    })
  }

  for (const [version, api] of [[11, fetchV11], [12, fetchV12]] as const) {
    it(`Fetch v${version}`, () => {
      const bytes = api.createRequest(500, 1, 1024, 1, 0, -1,
        [{ topicId: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: 3, fetchOffset: 10n, lastFetchedEpoch: 2, partitionMaxBytes: 4096 }] }],
        [], 'rack').buffer
      const req = decode(Fetch, 'request', version, bytes) as FetchRequest
      expect(req).toMatchObject({ maxWaitMs: 500, minBytes: 1, maxBytes: 1024, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: 'rack' })
      expect(req.topics[0]).toEqual({
        name: 'orders',
        partitions: [{ partitionIndex: 0, currentLeaderEpoch: 3, fetchOffset: 10, lastFetchedEpoch: version >= 12 ? 2 : -1, logStartOffset: -1, partitionMaxBytes: 4096 }],
      })

      const a = encodeRecordBatch({ baseOffset: 10, records: [{ key: null, value: Buffer.alloc(600, 2), timestamp: 1 }] })
      const b = encodeRecordBatch({ baseOffset: 11, records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 2 }] })
      const res = parse(api.parseResponse, 1, version, encode(Fetch, 'response', version, {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 12, lastStableOffset: 12, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records: [a, b] }] }],
      }))
      const partition = res.responses[0].partitions[0]
      expect(res.responses[0].topicId).toBe('orders')
      expect(partition).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 12n, lastStableOffset: 12n, abortedTransactions: [], preferredReadReplica: -1 })
      expect(partition.records.map((batch: { firstOffset: bigint }) => batch.firstOffset)).toEqual([10n, 11n])
      expect(partition.records[1].records[0].value.toString()).toBe('v')
    })
  }

  for (const [version, api] of [[5, listOffsetsV5], [6, listOffsetsV6]] as const) {
    it(`ListOffsets v${version}`, () => {
      const bytes = api.createRequest(-1, 1, [{ name: 't', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 4, timestamp: -1n }] }]).buffer
      expect(decode(ListOffsets, 'request', version, bytes)).toEqual({
        replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 4, timestamp: -1 }] }],
      } satisfies ListOffsetsRequest)
      const res = parse(api.parseResponse, 2, version, encode(ListOffsets, 'response', version, {
        throttleTimeMs: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0, timestamp: -1, offset: 99, leaderEpoch: 4 }] }],
      }))
      expect(res).toEqual({ throttleTimeMs: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0, timestamp: -1n, offset: 99n, leaderEpoch: 4 }] }] })
    })
  }

  for (const [version, api] of [[8, metadataV8], [9, metadataV9]] as const) {
    it(`Metadata v${version}`, () => {
      expect(decode(Metadata, 'request', version, api.createRequest(['a'], false, true, false).buffer)).toEqual({
        topics: ['a'], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: true,
      } satisfies MetadataRequest)
      expect((decode(Metadata, 'request', version, api.createRequest(null).buffer) as MetadataRequest).topics).toBeNull()
      const res = parse(api.parseResponse, 3, version, encode(Metadata, 'response', version, {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
        clusterId: 'c',
        controllerId: 1,
        topics: [{ errorCode: 0, name: 'a', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }], topicAuthorizedOperations: -2147483648 }],
        clusterAuthorizedOperations: -2147483648,
      }))
      expect(res).toMatchObject({ throttleTimeMs: 0, clusterId: 'c', controllerId: 1, brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }] })
      expect(res.topics[0]).toMatchObject({ errorCode: 0, name: 'a', isInternal: false, partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] })
    })
  }

  for (const [version, api] of [[4, createTopicsV4], [5, createTopicsV5]] as const) {
    it(`CreateTopics v${version}`, () => {
      const bytes = api.createRequest([{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '5' }] }], 1000, false).buffer
      expect(decode(CreateTopics, 'request', version, bytes)).toEqual({
        topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '5' }] }], timeoutMs: 1000, validateOnly: false,
      } satisfies CreateTopicsRequest)
      const res = parse(api.parseResponse, 19, version, encode(CreateTopics, 'response', version, {
        throttleTimeMs: 0,
        topics: [{ name: 't', errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '5', readOnly: false, configSource: 1, isSensitive: false }] }],
      }))
      expect(res.topics[0]).toMatchObject({ name: 't', errorCode: 0, errorMessage: null })
      if (version >= 5) expect(res.topics[0]).toMatchObject({ numPartitions: 3, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '5', readOnly: false, configSource: 1, isSensitive: false }] })
    })
  }

  for (const [version, api] of [[3, deleteTopicsV3], [4, deleteTopicsV4]] as const) {
    it(`DeleteTopics v${version}`, () => {
      expect(decode(DeleteTopics, 'request', version, api.createRequest([{ name: 'a' }, { name: 'b' }], 700).buffer)).toEqual({
        topicNames: ['a', 'b'], timeoutMs: 700,
      } satisfies DeleteTopicsRequest)
      const res = parse(api.parseResponse, 20, version, encode(DeleteTopics, 'response', version, { throttleTimeMs: 2, topics: [{ name: 'a', errorCode: 0 }] }))
      expect(res).toMatchObject({ throttleTimeMs: 2, responses: [{ name: 'a', errorCode: 0 }] })
    })
  }

  for (const [version, api] of [[3, describeConfigsV3], [4, describeConfigsV4]] as const) {
    it(`DescribeConfigs v${version}`, () => {
      const bytes = api.createRequest([{ resourceType: 2, resourceName: 't', configurationKeys: null }], true, true).buffer
      expect(decode(DescribeConfigs, 'request', version, bytes)).toEqual({
        resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }], includeSynonyms: true, includeDocumentation: true,
      } satisfies DescribeConfigsRequest)
      const config = {
        name: 'retention.ms', value: '5', readOnly: false, isDefault: false, configSource: 1, isSensitive: false,
        synonyms: [{ name: 'log.retention.ms', value: null, source: 4 }], configType: 5, documentation: 'doc',
      }
      const res = parse(api.parseResponse, 32, version, encode(DescribeConfigs, 'response', version, {
        throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [config] }],
      }))
      const { isDefault: _isDefault, ...expected } = config
      expect(res).toEqual({ throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [expected] }] })
    })
  }
})
