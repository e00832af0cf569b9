// DescribeConfigs v0-3. Broker resources list every broker key with its value; topic
// resources list every Kafka topic key (cleanup.policy, compression.type, retention.ms, ...)
// with the topic's own value (DYNAMIC_TOPIC_CONFIG), the broker key's (STATIC_BROKER_CONFIG)
// or Kafka's default (DEFAULT_CONFIG).

import { ErrorCode } from '../../protocol/errors.ts'
import { ConfigResourceType, ConfigSource, ConfigType, DescribeConfigs, type DescribeConfigsEntry, type DescribeConfigsResource, type DescribeConfigsResult } from '../../protocol/32-describe-configs.ts'
import { CONFIG_KEYS } from '../../config/keys.ts'
import { TOPIC_CONFIG_KEYS, type TopicKeyType } from '../../config/topic-keys.ts'
import { resolveAllTopicConfigs, type ResolvedConfig } from '../topic-settings.ts'
import { topicNameProblem, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

const TOPIC_CONFIG_TYPES: Record<TopicKeyType, number> = {
  long: ConfigType.long, int: ConfigType.int, boolean: ConfigType.boolean, string: ConfigType.string, double: ConfigType.double, list: ConfigType.list,
}

const TOPIC_SOURCES = { topic: ConfigSource.dynamicTopicConfig, broker: ConfigSource.staticBrokerConfig, default: ConfigSource.defaultConfig } as const

function topicEntry (c: ResolvedConfig, version: number): DescribeConfigsEntry {
  const spec = TOPIC_CONFIG_KEYS[c.name]!
  return {
    name: c.name,
    value: c.value,
    readOnly: false,
    isDefault: version === 0 ? c.source === 'default' : false,
    configSource: TOPIC_SOURCES[c.source],
    isSensitive: false,
    synonyms: [],
    configType: TOPIC_CONFIG_TYPES[spec.type],
    documentation: spec.doc,
  }
}

function entry (broker: Broker, name: string, brokerKey: string, version: number): DescribeConfigsEntry {
  const spec = CONFIG_KEYS[brokerKey]!
  const value = broker.config.get(brokerKey)
  const isDefault = value === spec.default
  return {
    name,
    value: value === null ? null : String(value),
    readOnly: true,
    isDefault: version === 0 ? isDefault : false,
    configSource: isDefault ? ConfigSource.defaultConfig : ConfigSource.staticBrokerConfig,
    isSensitive: false,
    synonyms: [],
    configType: spec.type === 'int' ? ConfigType.long : spec.type === 'bool' ? ConfigType.boolean : ConfigType.string,
    documentation: spec.doc,
  }
}

function describe (broker: Broker, resource: DescribeConfigsResource, version: number): DescribeConfigsResult {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] as DescribeConfigsEntry[] }
  const wanted = resource.configurationKeys === null || resource.configurationKeys.length === 0 ? null : new Set(resource.configurationKeys)
  if (resource.resourceType === ConfigResourceType.topic) {
    const nameProblem = topicNameProblem(resource.resourceName)
    if (nameProblem !== null) return { ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem }
    if (broker.partitionCount(resource.resourceName) === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic' }
    const resolved = resolveAllTopicConfigs(broker.config, broker.topicOverrides(resource.resourceName))
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: resolved.filter(c => wanted === null || wanted.has(c.name)).map(c => topicEntry(c, version)) }
  }
  let names: Array<[string, string]>
  if (resource.resourceType === ConfigResourceType.broker) {
    if (resource.resourceName !== '' && resource.resourceName !== String(broker.nodeId)) {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `this is broker ${broker.nodeId}, not ${resource.resourceName}` }
    }
    names = Object.keys(CONFIG_KEYS).map(k => [k, k])
  } else {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported (2 = topic, 4 = broker)` }
  }
  const configs = names.filter(([name]) => wanted === null || wanted.has(name)).map(([name, key]) => entry(broker, name, key, version))
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs }
}

export const describeConfigsHandler = defineHandler(DescribeConfigs, ({ broker }, request, version) => ({
  throttleTimeMs: 0,
  results: request.resources.map(r => describe(broker, r, version)),
}))
