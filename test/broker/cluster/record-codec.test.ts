import { describe, expect, it } from 'vitest'
import { decodeRecord, encodeRecord } from '../../../broker/cluster/record-codec.ts'
import { NO_LEADER_CHANGE, type MetadataRecord } from '../../../broker/cluster/records.ts'
import { ProtocolError } from '../../../broker/protocol/reader.ts'

const TOPIC_ID = 'hCw3kzc0RpKwTd2rGHqjVQ'
const INCARNATION = 'Zr8iGGyQTS6r0n2qM-rfKA'

const SAMPLE_RECORDS: MetadataRecord[] = [
  { type: 'featureLevel', name: 'metadata.version', featureLevel: 21 },
  { type: 'registerBroker', brokerId: 2, incarnationId: INCARNATION, brokerEpoch: 7, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 65535, securityProtocol: 0 }, { name: 'CONTROLLER', host: 'h', port: 9093, securityProtocol: 0 }], rack: 'r1', fenced: true, inControlledShutdown: false },
  { type: 'registerBroker', brokerId: 3, incarnationId: INCARNATION, brokerEpoch: 8, endpoints: [], rack: null, fenced: false, inControlledShutdown: true },
  { type: 'unfenceBroker', brokerId: 2, brokerEpoch: 7 },
  { type: 'fenceBroker', brokerId: 2, brokerEpoch: 7 },
  { type: 'brokerRegistrationChange', brokerId: 2, brokerEpoch: 7, inControlledShutdown: true },
  { type: 'brokerRegistrationChange', brokerId: 2, brokerEpoch: 7, inControlledShutdown: false },
  { type: 'topic', name: 'orders', topicId: TOPIC_ID },
  { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1000' },
  { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: null },
  { type: 'partition', topicId: TOPIC_ID, partitionId: 0, replicas: [2, 3, 1], isr: [2, 3], leader: 2, leaderRecoveryState: 0, leaderEpoch: 4, partitionEpoch: 9 },
  { type: 'partition', topicId: TOPIC_ID, partitionId: 1, replicas: [3], isr: [3], leader: 3, leaderRecoveryState: 1, leaderEpoch: 0, partitionEpoch: 0 },
  { type: 'partitionChange', topicId: TOPIC_ID, partitionId: 0, isr: null, leader: NO_LEADER_CHANGE, replicas: null, leaderRecoveryState: -1 },
  { type: 'partitionChange', topicId: TOPIC_ID, partitionId: 0, isr: [3], leader: -1, replicas: [3, 2], leaderRecoveryState: 1 },
  { type: 'removeTopic', topicId: TOPIC_ID },
]

describe('metadata record codec', () => {
  for (const rec of SAMPLE_RECORDS) {
    it(`round-trips ${rec.type} ${JSON.stringify(rec).slice(0, 60)}`, () => {
      const bytes = encodeRecord(rec)
      expect(decodeRecord(bytes)).toStrictEqual(rec)
      for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeRecord(bytes.subarray(0, cut))).toThrow(ProtocolError)
    })
  }

  it('writes Kafka framing: frame version 1, api key, version, then the body', () => {
    const bytes = encodeRecord({ type: 'fenceBroker', brokerId: 1, brokerEpoch: 2 })
    expect(bytes.toString('hex')).toBe('01' + '07' + '00' + '00000001' + '0000000000000002' + '00')
    const topic = encodeRecord({ type: 'removeTopic', topicId: TOPIC_ID })
    expect(topic.subarray(0, 3).toString('hex')).toBe('010900')
  })

  it('writes only the changed parts of a PartitionChangeRecord, as tagged fields', () => {
    const leaderOnly = encodeRecord({ type: 'partitionChange', topicId: TOPIC_ID, partitionId: 5, isr: null, leader: 3, replicas: null, leaderRecoveryState: -1 })
    // header, partition id, uuid, then one tagged field: tag 1, size 4, leader 3.
    expect(leaderOnly.subarray(3 + 4 + 16).toString('hex')).toBe('01' + '01' + '04' + '00000003')
  })

  it('refuses unknown types, versions, frame versions and trailing garbage', () => {
    const good = encodeRecord({ type: 'fenceBroker', brokerId: 1, brokerEpoch: 2 })
    expect(() => decodeRecord(Buffer.concat([good, Buffer.from([0])]))).toThrow(/garbage/)
    const badType = Buffer.from(good); badType[1] = 99
    expect(() => decodeRecord(badType)).toThrow(/unknown metadata record type 99/)
    const badVersion = Buffer.from(good); badVersion[2] = 3
    expect(() => decodeRecord(badVersion)).toThrow(/version 3/)
    const badFrame = Buffer.from(good); badFrame[0] = 0
    expect(() => decodeRecord(badFrame)).toThrow(/frame version 0/)
  })

  it('refuses a tagged field whose size overruns the record', () => {
    const bytes = Buffer.from(encodeRecord({ type: 'partitionChange', topicId: TOPIC_ID, partitionId: 5, isr: null, leader: 3, replicas: null, leaderRecoveryState: -1 }))
    bytes[3 + 4 + 16 + 2] = 100
    expect(() => decodeRecord(bytes)).toThrow(ProtocolError)
  })
})
