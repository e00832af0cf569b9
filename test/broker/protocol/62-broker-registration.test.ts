import { describe, expect, it } from 'vitest'
import { BrokerRegistration, type BrokerRegistrationRequest } from '../../../broker/protocol/62-broker-registration.ts'
import { codecSuite } from './cluster-codec-cases.ts'
import { encode, hex } from './codec-harness.ts'

const request: BrokerRegistrationRequest = {
  brokerId: 3,
  clusterId: 'Qx3bYzLJQvWw3b0pYgJqIg',
  incarnationId: 'Zr8iGGyQTS6r0n2qM-rfKA',
  listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 65000, securityProtocol: 0 }, { name: 'CONTROLLER', host: 'h', port: 9093, securityProtocol: 0 }],
  features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
  rack: 'r1',
  isMigratingZkBroker: true,
  logDirs: ['AAAAAAAAAAAAAAAAAAAAAg'],
  previousBrokerEpoch: 41,
}

describe('BrokerRegistration codec', () => {
  it('is API key 62, versions 0-4, flexible from v0', () => {
    expect([BrokerRegistration.key, BrokerRegistration.minVersion, BrokerRegistration.maxVersion, BrokerRegistration.flexibleVersion]).toEqual([62, 0, 4, 0])
  })

  codecSuite(BrokerRegistration, {
    request,
    expectedRequest: v => ({
      ...request,
      isMigratingZkBroker: v >= 1 ? request.isMigratingZkBroker : false,
      logDirs: v >= 2 ? request.logDirs : [],
      previousBrokerEpoch: v >= 3 ? request.previousBrokerEpoch : -1,
    }),
    response: { throttleTimeMs: 1, errorCode: 101, brokerEpoch: 77 },
    expectedResponse: () => ({ throttleTimeMs: 1, errorCode: 101, brokerEpoch: 77 }),
  })

  it('encodes a v0 response byte for byte as the grammar says', () => {
    expect(encode(BrokerRegistration, 'response', 0, { throttleTimeMs: 0, errorCode: 0, brokerEpoch: 5 })).toEqual(hex('00000000', '0000', '0000000000000005', '00'))
  })
})
