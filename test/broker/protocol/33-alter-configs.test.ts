import { describe, expect, it } from 'vitest'
import { AlterConfigs, type AlterConfigsRequest, type AlterConfigsResponse } from '../../../broker/protocol/33-alter-configs.ts'
import { IncrementalAlterConfigs, type IncrementalAlterConfigsRequest } from '../../../broker/protocol/44-incremental-alter-configs.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const response: AlterConfigsResponse = {
  throttleTimeMs: 4,
  responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }, { errorCode: 40, errorMessage: 'bad', resourceType: 4, resourceName: '0' }],
}

describe('AlterConfigs codec', () => {
  const request: AlterConfigsRequest = {
    resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1000' }, { name: 'segment.bytes', value: null }] }],
    validateOnly: true,
  }
  it('advertises v0-2 with v2 flexible', () => {
    expect([AlterConfigs.key, AlterConfigs.minVersion, AlterConfigs.maxVersion, AlterConfigs.flexibleVersion]).toEqual([33, 0, 2, 2])
  })
  codecVersionTests(AlterConfigs, { request, expectedRequest: () => request, response, expectedResponse: () => response })

  it('writes the v0 request byte for byte', () => {
    const bytes = encodeWith(w => { AlterConfigs.encodeRequest(w, 0, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', value: 'b' }] }], validateOnly: false }) })
    expect(bytes.toString('hex')).toBe(hex('00000001 02 0001 74  00000001 0001 61 0001 62  00').toString('hex'))
  })
})

describe('IncrementalAlterConfigs codec', () => {
  const request: IncrementalAlterConfigsRequest = {
    resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }, { name: 'cleanup.policy', configOperation: 2, value: 'delete' }, { name: 'x', configOperation: 1, value: null }] }],
    validateOnly: false,
  }
  it('advertises v0-1 with v1 flexible', () => {
    expect([IncrementalAlterConfigs.key, IncrementalAlterConfigs.minVersion, IncrementalAlterConfigs.maxVersion, IncrementalAlterConfigs.flexibleVersion]).toEqual([44, 0, 1, 1])
  })
  codecVersionTests(IncrementalAlterConfigs, { request, expectedRequest: () => request, response, expectedResponse: () => response })

  it('writes the v1 request byte for byte', () => {
    const bytes = encodeWith(w => { IncrementalAlterConfigs.encodeRequest(w, 1, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', configOperation: 1, value: null }] }], validateOnly: true }) })
    expect(bytes.toString('hex')).toBe(hex('02 02 02 74  02 02 61 01 00 00  00  01 00').toString('hex'))
  })
})
