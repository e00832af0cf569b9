import { describe, expect, it } from 'vitest'
import { BrokerHeartbeat, type BrokerHeartbeatRequest } from '../../../broker/protocol/63-broker-heartbeat.ts'
import { codecSuite } from './cluster-codec-cases.ts'
import { decode, encode, hex } from './codec-harness.ts'

const request: BrokerHeartbeatRequest = { brokerId: 2, brokerEpoch: 9, currentMetadataOffset: 1234, wantFence: false, wantShutDown: true, offlineLogDirs: ['AAAAAAAAAAAAAAAAAAAAAw'] }

describe('BrokerHeartbeat codec', () => {
  it('is API key 63, versions 0-1, flexible from v0', () => {
    expect([BrokerHeartbeat.key, BrokerHeartbeat.minVersion, BrokerHeartbeat.maxVersion, BrokerHeartbeat.flexibleVersion]).toEqual([63, 0, 1, 0])
  })

  codecSuite(BrokerHeartbeat, {
    request,
    expectedRequest: v => ({ ...request, offlineLogDirs: v >= 1 ? request.offlineLogDirs : [] }),
    response: { throttleTimeMs: 0, errorCode: 77, isCaughtUp: true, isFenced: false, shouldShutDown: true },
    expectedResponse: () => ({ throttleTimeMs: 0, errorCode: 77, isCaughtUp: true, isFenced: false, shouldShutDown: true }),
  })

  it('encodes the request byte for byte, with the offline dirs as tagged field 0 in v1', () => {
    const plain = { ...request, offlineLogDirs: [] }
    expect(encode(BrokerHeartbeat, 'request', 0, plain)).toEqual(hex('00000002', '0000000000000009', '00000000000004d2', '00', '01', '00'))
    const tagged = encode(BrokerHeartbeat, 'request', 1, request)
    expect(tagged.subarray(22).toString('hex')).toBe('01' + '00' + '11' + '02' + '00'.repeat(15) + '03')
  })

  it('skips unknown tagged fields', () => {
    const bytes = Buffer.concat([encode(BrokerHeartbeat, 'request', 1, { ...request, offlineLogDirs: [] }).subarray(0, 22), hex('01', '05', '02', 'abcd')])
    expect(decode(BrokerHeartbeat, 'request', 1, bytes)).toMatchObject({ brokerId: 2, offlineLogDirs: [] })
  })
})
