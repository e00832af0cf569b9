// Maps the broker's Kafka-named keys onto the log's own config object.

import type { BrokerConfig } from '../config/config.ts'
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../log/config.ts'

const NEVER = Number.MAX_SAFE_INTEGER

export function logConfigFrom (config: BrokerConfig): LogConfig {
  const never = (v: number): number => (v >= NEVER ? Infinity : v)
  return {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: config.int('log.segment.bytes'),
    rollMs: config.int('log.roll.ms'),
    retentionBytes: config.int('log.retention.bytes'),
    retentionMs: config.int('log.retention.ms'),
    retentionCheckIntervalMs: config.int('log.retention.check.interval.ms'),
    flushIntervalMessages: never(config.int('log.flush.interval.messages')),
    flushIntervalMs: never(config.int('log.flush.interval.ms')),
    indexIntervalBytes: config.int('log.index.interval.bytes'),
    appendQueueBytesMax: config.int('sluice.log.append.queue.max.bytes'),
    bytesPerSync: config.int('sluice.log.bytes.per.sync'),
  }
}
