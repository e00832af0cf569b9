// DescribeConfigs v0-3. Broker resources list every broker key with its value; topic
// resources list the topic-level names of the log keys (retention.ms, segment.bytes, ...)
// with the broker-wide values, since per-topic configs are not implemented.

import { ErrorCode } from '../../protocol/errors.ts'
import { ConfigResourceType, ConfigSource, ConfigType, DescribeConfigs, type DescribeConfigsEntry, type DescribeConfigsResource, type DescribeConfigsResult } from '../../protocol/32-describe-configs.ts'
import { CONFIG_KEYS } from '../../config/keys.ts'
import { topicNameProblem, type Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

/** Topic-level name -> the broker key that supplies its value. */
const TOPIC_KEYS: Record<string, string> = {
  'retention.ms': 'log.retention.ms',
  'retention.bytes': 'log.retention.bytes',
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
  'max.message.bytes': 'message.max.bytes',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
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
  let names: Array<[string, string]>
  if (resource.resourceType === ConfigResourceType.topic) {
    const nameProblem = topicNameProblem(resource.resourceName)
    if (nameProblem !== null) return { ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem }
    if (broker.partitionCount(resource.resourceName) === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic "${resource.resourceName}"` }
    names = Object.entries(TOPIC_KEYS)
  } else if (resource.resourceType === ConfigResourceType.broker) {
    if (resource.resourceName !== '' && resource.resourceName !== String(broker.nodeId)) {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `this is broker ${broker.nodeId}, not ${resource.resourceName}` }
    }
    names = Object.keys(CONFIG_KEYS).map(k => [k, k])
  } else {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported (2 = topic, 4 = broker)` }
  }
  const wanted = resource.configurationKeys === null ? null : new Set(resource.configurationKeys)
  const configs = names.filter(([name]) => wanted === null || wanted.has(name)).map(([name, key]) => entry(broker, name, key, version))
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs }
}

export const describeConfigsHandler = defineHandler(DescribeConfigs, ({ broker }, request, version) => ({
  throttleTimeMs: 0,
  results: request.resources.map(r => describe(broker, r, version)),
}))
