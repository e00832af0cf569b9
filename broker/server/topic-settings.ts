// What a topic's configs resolve to: its own override, else the broker key Kafka names as
// the synonym, else Kafka's default; and the few values handlers read per request, as one
// small object (TopicSettings) so Produce does not parse strings per partition.

import type { BrokerConfig } from '../config/config.ts'
import { brokerDefault, checkTopicConfig, TOPIC_CONFIG_KEYS } from '../config/topic-keys.ts'
import type { TopicOverrides } from '../log/topic-config-file.ts'

export type TimestampType = 'CreateTime' | 'LogAppendTime'

/** The per-topic values Produce and the log's neighbours read. */
export interface TopicSettings {
  maxMessageBytes: number
  minInsyncReplicas: number
  messageTimestampType: TimestampType
  uncleanLeaderElectionEnable: boolean
}

export type ValueSource = 'topic' | 'broker' | 'default'

export interface ResolvedConfig {
  name: string
  value: string
  source: ValueSource
}

export function resolveTopicConfig (config: BrokerConfig, overrides: TopicOverrides, name: string): ResolvedConfig {
  const own = overrides[name]
  if (own !== undefined) return { name, value: own, source: 'topic' }
  const { value, fromBroker } = brokerDefault(name, key => config.get(key))
  return { name, value, source: fromBroker ? 'broker' : 'default' }
}

export function resolveAllTopicConfigs (config: BrokerConfig, overrides: TopicOverrides): ResolvedConfig[] {
  return Object.keys(TOPIC_CONFIG_KEYS).map(name => resolveTopicConfig(config, overrides, name))
}

export function topicSettings (config: BrokerConfig, overrides: TopicOverrides): TopicSettings {
  const value = (name: string): string => resolveTopicConfig(config, overrides, name).value
  return {
    maxMessageBytes: Number(value('max.message.bytes')),
    minInsyncReplicas: Number(value('min.insync.replicas')),
    messageTimestampType: value('message.timestamp.type') as TimestampType,
    uncleanLeaderElectionEnable: value('unclean.leader.election.enable') === 'true',
  }
}

/**
 * Checks requested topic configs (null value = back to the default) and merges them onto
 * `current`; the first problem is returned as a message naming the key and the fix.
 */
export function mergeTopicConfigs (config: BrokerConfig, current: TopicOverrides, changes: ReadonlyArray<{ name: string, value: string | null }>): { overrides: TopicOverrides } | { problem: string } {
  const next: Record<string, string> = { ...current }
  const seen = new Set<string>()
  for (const { name, value } of changes) {
    if (seen.has(name)) return { problem: `config ${name.slice(0, 100)} named twice` }
    seen.add(name)
    if (value === null && TOPIC_CONFIG_KEYS[name] !== undefined) {
      delete next[name]
      continue
    }
    const defaultValue = TOPIC_CONFIG_KEYS[name] === undefined ? '' : brokerDefault(name, key => config.get(key)).value
    const checked = checkTopicConfig(name, value, defaultValue)
    if ('problem' in checked) return checked
    next[name] = checked.value
  }
  return { overrides: next }
}
