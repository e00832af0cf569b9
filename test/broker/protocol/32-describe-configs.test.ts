import { describe, expect, it } from 'vitest'
import {
  ConfigResourceType, ConfigSource, ConfigType, DescribeConfigs,
  type DescribeConfigsRequest, type DescribeConfigsResponse,
} from '../../../broker/protocol/32-describe-configs.ts'
import { encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, hex, versionsOf } from './codec-harness.ts'

const request: DescribeConfigsRequest = {
  resources: [
    { resourceType: ConfigResourceType.topic, resourceName: 'orders', configurationKeys: ['retention.ms', 'cleanup.policy'] },
    { resourceType: ConfigResourceType.broker, resourceName: '1', configurationKeys: null },
    { resourceType: ConfigResourceType.topic, resourceName: 'none', configurationKeys: [] },
  ],
  includeSynonyms: true,
  includeDocumentation: true,
}

function expectedRequest (version: number): DescribeConfigsRequest {
  return {
    ...request,
    includeSynonyms: version >= 1 ? request.includeSynonyms : false,
    includeDocumentation: version >= 3 ? request.includeDocumentation : false,
  }
}

const response: DescribeConfigsResponse = {
  throttleTimeMs: 6,
  results: [
    {
      errorCode: 0,
      errorMessage: null,
      resourceType: ConfigResourceType.topic,
      resourceName: 'orders',
      configs: [
        {
          name: 'retention.ms',
          value: '60000',
          readOnly: false,
          isDefault: true,
          configSource: ConfigSource.dynamicTopicConfig,
          isSensitive: false,
          synonyms: [{ name: 'log.retention.ms', value: null, source: ConfigSource.staticBrokerConfig }],
          configType: ConfigType.long,
          documentation: 'How long to keep data.',
        },
        {
          name: 'secret',
          value: null,
          readOnly: true,
          isDefault: false,
          configSource: ConfigSource.defaultConfig,
          isSensitive: true,
          synonyms: [],
          configType: ConfigType.password,
          documentation: null,
        },
      ],
    },
    { errorCode: 3, errorMessage: 'unknown topic', resourceType: ConfigResourceType.topic, resourceName: 'gone', configs: [] },
  ],
}

function expectedResponse (version: number): DescribeConfigsResponse {
  return {
    ...response,
    results: response.results.map(r => ({
      ...r,
      configs: r.configs.map(c => ({
        ...c,
        isDefault: version === 0 ? c.isDefault : false,
        configSource: version >= 1 ? c.configSource : -1,
        synonyms: version >= 1 ? c.synonyms : [],
        configType: version >= 3 ? c.configType : ConfigType.unknown,
        documentation: version >= 3 ? c.documentation : null,
      })),
    })),
  }
}

describe('DescribeConfigs codec', () => {
  it('advertises 0-3 and knows v4 is the first flexible version', () => {
    expect([DescribeConfigs.key, DescribeConfigs.minVersion, DescribeConfigs.maxVersion, DescribeConfigs.flexibleVersion]).toEqual([32, 0, 3, 4])
  })

  for (const version of [...versionsOf(DescribeConfigs), DescribeConfigs.flexibleVersion]) {
    describe(`v${version}`, () => {
      it('round-trips the request', () => {
        expectRoundTrip(DescribeConfigs, 'request', version, request, expectedRequest(version))
      })

      it('round-trips the response', () => {
        expectRoundTrip(DescribeConfigs, 'response', version, response, expectedResponse(version))
      })

      it('rejects every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', request], ['response', response]] as const) {
          const bytes = encode(DescribeConfigs, direction, version, value)
          expectTruncationsThrow(DescribeConfigs, direction, version, bytes)
          expectCorruptionsContained(DescribeConfigs, direction, version, bytes, version)
        }
      })
    })
  }

  it('encodes a v0 request byte for byte as the grammar says', () => {
    expect(encode(DescribeConfigs, 'request', 0, { ...request, resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] })).toEqual(hex(
      '00000001', '02', '0001 74', 'ffffffff', // 1 resource: TOPIC "t", all keys (null)
    ))
  })

  it('encodes v0 and v1 responses byte for byte as the grammar says', () => {
    const res: DescribeConfigsResponse = {
      throttleTimeMs: 0,
      results: [{
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 't',
        configs: [{ name: 'k', value: 'v', readOnly: false, isDefault: true, configSource: 5, isSensitive: false, synonyms: [], configType: 0, documentation: null }],
      }],
    }
    const head = ['00000000', '00000001', '0000', 'ffff', '02', '0001 74', '00000001', '0001 6b', '0001 76', '00']
    // v0: read_only, is_default, is_sensitive.
    expect(encode(DescribeConfigs, 'response', 0, res)).toEqual(hex(...head, '01', '00'))
    // v1: read_only, config_source, is_sensitive, synonyms.
    expect(encode(DescribeConfigs, 'response', 1, res)).toEqual(hex(...head, '05', '00', '00000000'))
  })
})
