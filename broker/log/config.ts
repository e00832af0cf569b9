// Configuration of the partition log. Field names are Kafka's broker keys in camelCase with
// the unit last (log.segment.bytes -> segmentBytes), so Kafka knowledge carries over. The
// broker-wide parser (properties, YAML, CLI) builds one of these and passes it in frozen.
//
// "Never" is Infinity (Kafka uses Long.MAX_VALUE); "unlimited" retention is -1, as in Kafka.

import { InvalidLogConfigError } from './errors.ts'

const MiB = 1024 * 1024
const DAY_MS = 24 * 60 * 60 * 1000
/** Positions in the offset index are int32, so no segment may pass 2 GiB. */
export const SEGMENT_BYTES_MAX = 2 ** 31 - 1

export interface LogConfig {
  /** log.segment.bytes: roll to a new segment before the active one would pass this size. */
  segmentBytes: number
  /** log.roll.ms: roll when the active segment's first batch is this old. */
  rollMs: number
  /** log.retention.bytes: delete oldest segments while the partition is larger (-1: no limit). */
  retentionBytes: number
  /** log.retention.ms: delete segments whose newest timestamp is older than this (-1: keep forever). */
  retentionMs: number
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs: number
  /** log.flush.interval.messages: fsync once this many messages are unflushed (Infinity: never; 1: before every ack). */
  flushIntervalMessages: number
  /** log.flush.interval.ms: fsync every partition with unflushed data this often (Infinity: never). */
  flushIntervalMs: number
  /** log.flush.offset.checkpoint.interval.ms: how often the recovery-point checkpoint file is rewritten. */
  flushOffsetCheckpointIntervalMs: number
  /** log.index.interval.bytes: one offset-index entry per this many log bytes. */
  indexIntervalBytes: number
  /** log.index.size.max.bytes: bound on an index file; a full index rolls the segment. */
  indexSizeMaxBytes: number
  /** Sluice: bytes accepted by append() but not yet written, per partition, past which canAccept() asks callers to wait. */
  appendQueueBytesMax: number
  /**
   * Sluice (sluice.log.bytes.per.sync, after RocksDB's bytes_per_sync): fsync in the
   * background once a partition has written this many bytes since its last one, so no file
   * gathers gigabytes of dirty pages for a roll's fsync to push out at once. Acks never
   * wait for it. 0: only at a roll and by the flush policy, as Kafka.
   */
  bytesPerSync: number
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * MiB,
  rollMs: 7 * DAY_MS,
  retentionBytes: -1,
  retentionMs: 7 * DAY_MS,
  retentionCheckIntervalMs: 5 * 60 * 1000,
  flushIntervalMessages: Infinity,
  flushIntervalMs: Infinity,
  flushOffsetCheckpointIntervalMs: 60 * 1000,
  indexIntervalBytes: 4096,
  indexSizeMaxBytes: 10 * MiB,
  appendQueueBytesMax: 64 * MiB,
  bytesPerSync: 16 * MiB,
})

function check (ok: boolean, message: string): void {
  if (!ok) throw new InvalidLogConfigError(message)
}

function isCount (value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max
}

function isIntervalMs (value: number): boolean {
  return value === Infinity || isCount(value, 1, Number.MAX_SAFE_INTEGER)
}

/** Checks every field; throws InvalidLogConfigError naming the first bad one. */
export function validateLogConfig (config: LogConfig): void {
  check(isCount(config.segmentBytes, 64, SEGMENT_BYTES_MAX), `segmentBytes must be an integer in [64, ${SEGMENT_BYTES_MAX}], got ${config.segmentBytes}`)
  check(isIntervalMs(config.rollMs), `rollMs must be a positive integer or Infinity, got ${config.rollMs}`)
  check(config.retentionBytes === -1 || isCount(config.retentionBytes, 0, Number.MAX_SAFE_INTEGER), `retentionBytes must be -1 or a non-negative integer, got ${config.retentionBytes}`)
  check(config.retentionMs === -1 || isCount(config.retentionMs, 0, Number.MAX_SAFE_INTEGER), `retentionMs must be -1 or a non-negative integer, got ${config.retentionMs}`)
  check(isIntervalMs(config.retentionCheckIntervalMs), `retentionCheckIntervalMs must be a positive integer or Infinity, got ${config.retentionCheckIntervalMs}`)
  check(config.flushIntervalMessages === Infinity || isCount(config.flushIntervalMessages, 1, Number.MAX_SAFE_INTEGER), `flushIntervalMessages must be a positive integer or Infinity, got ${config.flushIntervalMessages}`)
  check(isIntervalMs(config.flushIntervalMs), `flushIntervalMs must be a positive integer or Infinity, got ${config.flushIntervalMs}`)
  check(isIntervalMs(config.flushOffsetCheckpointIntervalMs), `flushOffsetCheckpointIntervalMs must be a positive integer or Infinity, got ${config.flushOffsetCheckpointIntervalMs}`)
  check(isCount(config.indexIntervalBytes, 1, SEGMENT_BYTES_MAX), `indexIntervalBytes must be a positive integer, got ${config.indexIntervalBytes}`)
  check(isCount(config.indexSizeMaxBytes, 12 * 4, SEGMENT_BYTES_MAX), `indexSizeMaxBytes must be an integer of at least 48, got ${config.indexSizeMaxBytes}`)
  check(isCount(config.appendQueueBytesMax, 1, Number.MAX_SAFE_INTEGER), `appendQueueBytesMax must be a positive integer, got ${config.appendQueueBytesMax}`)
  check(isCount(config.bytesPerSync, 0, Number.MAX_SAFE_INTEGER), `bytesPerSync must be a non-negative integer, got ${config.bytesPerSync}`)
}

/** DEFAULT_LOG_CONFIG with `overrides` applied, validated and frozen. */
export function logConfig (overrides: Partial<LogConfig> = {}): Readonly<LogConfig> {
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG, ...overrides }
  validateLogConfig(config)
  return Object.freeze(config)
}
