// Our cluster API codecs and metadata records against Kafka 3.9's own serializers: the
// bytes in kafka-golden/cluster-apis.txt come from Kafka's generated message classes and
// MetadataRecordSerde (kafka-golden/Gold.java), for the same values as below.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodeRecord } from '../../../broker/cluster/record-codec.ts'
import type { MetadataRecord } from '../../../broker/cluster/records.ts'
import { AlterPartition } from '../../../broker/protocol/56-alter-partition.ts'
import { BrokerRegistration } from '../../../broker/protocol/62-broker-registration.ts'
import { BrokerHeartbeat } from '../../../broker/protocol/63-broker-heartbeat.ts'
import { DescribeCluster } from '../../../broker/protocol/60-describe-cluster.ts'
import { ElectLeaders } from '../../../broker/protocol/43-elect-leaders.ts'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { ZERO_UUID } from '../../../broker/protocol/uuid.ts'
import { decode, encode } from './codec-harness.ts'

const GOLD = new Map(readFileSync(new URL('./kafka-golden/cluster-apis.txt', import.meta.url), 'utf8').trim().split('\n').map(line => {
  const [name, ...rest] = line.split(' ')
  return [`${name} ${rest.slice(0, -1).join(' ')}`.trim(), rest.at(-1)!]
}))
const INC = 'Zr8iGGyQTS6r0n2qM-rfKA'
const TID = 'hCw3kzc0RpKwTd2rGHqjVQ'

function gold (key: string): string {
  const bytes = GOLD.get(key)
  if (bytes === undefined) throw new Error(`no golden bytes for ${key}`)
  return bytes
}

type Case = [name: string, codec: ApiCodec<any, any>, versions: number[], request: (v: number) => unknown, response: (v: number) => unknown]

const CASES: Case[] = [
  ['BrokerRegistration', BrokerRegistration, [0, 1, 2, 3, 4], v => ({
    brokerId: 3, clusterId: 'Qx3bYzLJQvWw3b0pYgJqIg', incarnationId: INC, rack: 'r1', isMigratingZkBroker: false,
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 0 }],
    features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
    logDirs: v >= 2 ? ['AAAAAAAAAAAAAAAAAAAAAg'] : [], previousBrokerEpoch: v >= 3 ? 41 : -1,
  }), () => ({ throttleTimeMs: 1, errorCode: 101, brokerEpoch: 77 })],
  ['BrokerHeartbeat', BrokerHeartbeat, [0, 1], v => ({
    brokerId: 2, brokerEpoch: 9, currentMetadataOffset: 1234, wantFence: false, wantShutDown: true, offlineLogDirs: v >= 1 ? ['AAAAAAAAAAAAAAAAAAAAAw'] : [],
  }), () => ({ throttleTimeMs: 0, errorCode: 77, isCaughtUp: true, isFenced: false, shouldShutDown: true })],
  ['DescribeCluster', DescribeCluster, [0, 1], v => ({ includeClusterAuthorizedOperations: true, endpointType: v >= 1 ? 2 : 1 }), v => ({
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: v >= 1 ? 2 : 1, clusterId: 'Qx3bYzLJQvWw3b0pYgJqIg', controllerId: 2,
    brokers: [{ brokerId: 1, host: '127.0.0.1', port: 9092, rack: null }, { brokerId: 2, host: 'b', port: 9093, rack: 'r' }], clusterAuthorizedOperations: -2147483648,
  })],
  ['ElectLeaders', ElectLeaders, [0, 1, 2], v => ({ electionType: v >= 1 ? 1 : 0, topicPartitions: [{ topic: 'orders', partitions: [0, 2] }], timeoutMs: 60_000 }), v => ({
    throttleTimeMs: 3, errorCode: v >= 1 ? 41 : 0,
    replicaElectionResults: [{ topic: 'orders', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }, { partitionId: 2, errorCode: 84, errorMessage: 'not needed' }] }],
  })],
  ['AlterPartition', AlterPartition, [0, 1, 2, 3], v => ({
    brokerId: 1, brokerEpoch: 12,
    topics: [{ topicName: v >= 2 ? '' : 'orders', topicId: v >= 2 ? TID : ZERO_UUID, partitions: [{ partitionIndex: 3, leaderEpoch: 4, partitionEpoch: 9, leaderRecoveryState: v >= 1 ? 1 : 0, newIsr: [{ brokerId: 1, brokerEpoch: v >= 3 ? 12 : -1 }, { brokerId: 2, brokerEpoch: v >= 3 ? 15 : -1 }] }] }],
  }), v => ({
    throttleTimeMs: 0, errorCode: 0,
    topics: [{ topicName: v >= 2 ? '' : 'orders', topicId: v >= 2 ? TID : ZERO_UUID, partitions: [{ partitionIndex: 3, errorCode: 0, leaderId: 1, leaderEpoch: 4, isr: [1, 2], leaderRecoveryState: v >= 1 ? 1 : 0, partitionEpoch: 10 }] }],
  })],
]

const RECORDS: [string, MetadataRecord][] = [
  ['registerBroker', { type: 'registerBroker', brokerId: 2, incarnationId: INC, brokerEpoch: 7, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 65535, securityProtocol: 0 }], rack: 'r1', fenced: true, inControlledShutdown: false }],
  ['fenceBroker', { type: 'fenceBroker', brokerId: 2, brokerEpoch: 7 }],
  ['unfenceBroker', { type: 'unfenceBroker', brokerId: 2, brokerEpoch: 7 }],
  ['brokerRegistrationChange', { type: 'brokerRegistrationChange', brokerId: 2, brokerEpoch: 7, inControlledShutdown: true }],
  ['topic', { type: 'topic', name: 'orders', topicId: TID }],
  ['removeTopic', { type: 'removeTopic', topicId: TID }],
  ['config', { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1000' }],
  ['configNull', { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: null }],
  ['featureLevel', { type: 'featureLevel', name: 'metadata.version', featureLevel: 21 }],
  ['partition', { type: 'partition', topicId: TID, partitionId: 0, replicas: [2, 3, 1], isr: [2, 3], leader: 2, leaderRecoveryState: 1, leaderEpoch: 4, partitionEpoch: 9 }],
  ['partitionChange', { type: 'partitionChange', topicId: TID, partitionId: 0, isr: [3], leader: -1, replicas: [3, 2], leaderRecoveryState: 1 }],
  ['partitionChangeLeader', { type: 'partitionChange', topicId: TID, partitionId: 5, isr: null, leader: 3, replicas: null, leaderRecoveryState: -1 }],
]

describe('byte-for-byte agreement with Kafka 3.9', () => {
  for (const [name, codec, versions, request, response] of CASES) {
    for (const v of versions) {
      it(`${name} v${v} request and response`, () => {
        expect(encode(codec, 'request', v, request(v)).toString('hex')).toBe(gold(`${name}Request v${v}`))
        expect(encode(codec, 'response', v, response(v)).toString('hex')).toBe(gold(`${name}Response v${v}`))
        expect(decode(codec, 'request', v, Buffer.from(gold(`${name}Request v${v}`), 'hex'))).toEqual(request(v))
      })
    }
  }

  for (const [name, rec] of RECORDS) {
    it(`metadata record ${name}`, () => {
      expect(encodeRecord(rec).toString('hex')).toBe(gold(`record ${name}`))
    })
  }

  it('has no golden line left unchecked', () => {
    expect(GOLD.size).toBe(CASES.reduce((n, c) => n + 2 * c[2].length, 0) + RECORDS.length)
  })
})
