// Per-topic config overrides (CreateTopics configs, AlterConfigs), kept in one small file
// in the data dir and rewritten atomically on every change, so they survive restarts:
//
//   <dataDir>/topic-configs.json   {"orders": {"retention.bytes": "1048576"}, ...}
//
// Values are stored as Kafka keeps them: normalized strings, checked before they get here
// (broker/config/topic-keys.ts). applyTopicOverrides maps the log-level keys onto a LogConfig.

import type { LogConfig } from './config.ts'
import type { Storage } from './storage.ts'

export const TOPIC_CONFIG_FILE = 'topic-configs.json'
/** Bound on the file read at start: overrides are a few keys per topic. */
const TOPIC_CONFIG_FILE_BYTES_MAX = 64 * 1024 * 1024
const LONG_MAX = Number.MAX_SAFE_INTEGER

export type TopicOverrides = Readonly<Record<string, string>>

/** Topic key -> the LogConfig field it sets. Kafka's Long.MAX_VALUE ("never") becomes Infinity. */
const LOG_FIELDS: Readonly<Record<string, keyof LogConfig>> = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'rollMs',
  'flush.messages': 'flushIntervalMessages',
  'index.interval.bytes': 'indexIntervalBytes',
}

export function applyTopicOverrides (base: Readonly<LogConfig>, overrides: TopicOverrides): LogConfig {
  const config: LogConfig = { ...base }
  for (const [key, field] of Object.entries(LOG_FIELDS)) {
    const value = overrides[key]
    if (value === undefined) continue
    const n = Number(value)
    config[field] = (n >= LONG_MAX && (field === 'flushIntervalMessages' || field === 'rollMs') ? Infinity : n) as never
  }
  return config
}

export class TopicConfigFile {
  readonly #storage: Storage
  readonly #topics: Map<string, TopicOverrides>
  /** Why the file on disk could not be read, or null. */
  readonly loadError: string | null

  private constructor (storage: Storage, topics: Map<string, TopicOverrides>, loadError: string | null) {
    this.#storage = storage
    this.#topics = topics
    this.loadError = loadError
  }

  static async load (storage: Storage): Promise<TopicConfigFile> {
    const data = await storage.readFile(TOPIC_CONFIG_FILE, TOPIC_CONFIG_FILE_BYTES_MAX)
    const topics = new Map<string, TopicOverrides>()
    if (data === null) return new TopicConfigFile(storage, topics, null)
    try {
      const parsed = JSON.parse(data.toString('utf8')) as unknown
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object')
      for (const [topic, overrides] of Object.entries(parsed as Record<string, unknown>)) {
        if (overrides === null || typeof overrides !== 'object') throw new Error(`topic ${topic}: not an object`)
        const entries = Object.entries(overrides as Record<string, unknown>).filter(([, v]) => typeof v === 'string') as Array<[string, string]>
        topics.set(topic, Object.freeze(Object.fromEntries(entries)))
      }
      return new TopicConfigFile(storage, topics, null)
    } catch (err) {
      // Broker defaults then apply to every topic; the operator hears why.
      return new TopicConfigFile(storage, new Map(), `${TOPIC_CONFIG_FILE}: ${(err as Error).message}`)
    }
  }

  get (topic: string): TopicOverrides {
    return this.#topics.get(topic) ?? {}
  }

  /** Replaces the topic's overrides (an empty set removes the entry) and rewrites the file. */
  async set (topic: string, overrides: TopicOverrides): Promise<void> {
    if (Object.keys(overrides).length === 0) {
      if (!this.#topics.delete(topic)) return
    } else {
      this.#topics.set(topic, Object.freeze({ ...overrides }))
    }
    const json = JSON.stringify(Object.fromEntries(this.#topics), null, 1)
    await this.#storage.writeFileAtomic(TOPIC_CONFIG_FILE, Buffer.from(json + '\n', 'utf8'))
  }
}
