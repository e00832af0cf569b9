// Kafka's topic-level config keys (Kafka 4.0's set): how each is typed and checked, which
// broker key supplies its default (Kafka's "synonym"), and whether Sluice honours it. A key
// Sluice does not implement accepts only Kafka's default, so a client asking for behaviour
// the broker lacks hears INVALID_CONFIG instead of being silently ignored.

import { CONFIG_KEYS } from './keys.ts'
import { didYouMean } from './suggest.ts'

export type TopicKeyType = 'long' | 'int' | 'boolean' | 'string' | 'double' | 'list'

export interface TopicKeySpec {
  type: TopicKeyType
  /** The broker key whose value is the default, when Sluice has one. */
  brokerKey?: string
  /** Kafka's default when no broker key supplies one. */
  kafkaDefault: string
  min?: number
  max?: number
  /** Allowed values of a string key. */
  oneOf?: readonly string[]
  /** false: only the default is accepted (the behaviour is not implemented). */
  honoured: boolean
  doc: string
}

const DAY_MS = 24 * 3600 * 1000
const LONG_MAX = Number.MAX_SAFE_INTEGER
const INT_MAX = 2 ** 31 - 1

export const TOPIC_CONFIG_KEYS: Readonly<Record<string, TopicKeySpec>> = {
  'cleanup.policy': { type: 'list', kafkaDefault: 'delete', oneOf: ['delete'], honoured: true, doc: 'delete: old segments go by retention.ms / retention.bytes. compact is not implemented.' },
  'compression.type': { type: 'string', kafkaDefault: 'producer', oneOf: ['producer'], honoured: true, doc: 'producer: batches keep the codec the producer chose (Sluice never recompresses).' },
  'delete.retention.ms': { type: 'long', kafkaDefault: String(DAY_MS), min: 0, max: LONG_MAX, honoured: false, doc: 'Compaction only.' },
  'file.delete.delay.ms': { type: 'long', kafkaDefault: '60000', min: 0, max: LONG_MAX, honoured: false, doc: 'Sluice deletes segment files at once.' },
  'flush.messages': { type: 'long', brokerKey: 'log.flush.interval.messages', kafkaDefault: String(LONG_MAX), min: 1, max: LONG_MAX, honoured: true, doc: 'fsync once this many messages are unflushed.' },
  'flush.ms': { type: 'long', brokerKey: 'log.flush.interval.ms', kafkaDefault: String(LONG_MAX), min: 0, max: LONG_MAX, honoured: false, doc: 'Broker-wide only (log.flush.interval.ms).' },
  'follower.replication.throttled.replicas': { type: 'list', kafkaDefault: '', honoured: false, doc: 'Replication throttling is not implemented.' },
  'index.interval.bytes': { type: 'int', brokerKey: 'log.index.interval.bytes', kafkaDefault: '4096', min: 1, max: INT_MAX, honoured: true, doc: 'Bytes between sparse offset index entries.' },
  'leader.replication.throttled.replicas': { type: 'list', kafkaDefault: '', honoured: false, doc: 'Replication throttling is not implemented.' },
  'local.retention.bytes': { type: 'long', kafkaDefault: '-2', min: -2, max: LONG_MAX, honoured: false, doc: 'Tiered storage is not implemented.' },
  'local.retention.ms': { type: 'long', kafkaDefault: '-2', min: -2, max: LONG_MAX, honoured: false, doc: 'Tiered storage is not implemented.' },
  'max.compaction.lag.ms': { type: 'long', kafkaDefault: String(LONG_MAX), min: 1, max: LONG_MAX, honoured: false, doc: 'Compaction only.' },
  'max.message.bytes': { type: 'int', brokerKey: 'message.max.bytes', kafkaDefault: '1048588', min: 0, max: INT_MAX, honoured: true, doc: 'Largest record batch Produce accepts for this topic.' },
  'message.timestamp.after.max.ms': { type: 'long', kafkaDefault: String(LONG_MAX), min: 0, max: LONG_MAX, honoured: false, doc: 'Timestamp bounds are not checked.' },
  'message.timestamp.before.max.ms': { type: 'long', kafkaDefault: String(LONG_MAX), min: 0, max: LONG_MAX, honoured: false, doc: 'Timestamp bounds are not checked.' },
  'message.timestamp.type': { type: 'string', brokerKey: 'log.message.timestamp.type', kafkaDefault: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'], honoured: true, doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps batches on append.' },
  'min.cleanable.dirty.ratio': { type: 'double', kafkaDefault: '0.5', min: 0, max: 1, honoured: false, doc: 'Compaction only.' },
  'min.compaction.lag.ms': { type: 'long', kafkaDefault: '0', min: 0, max: LONG_MAX, honoured: false, doc: 'Compaction only.' },
  'min.insync.replicas': { type: 'int', brokerKey: 'min.insync.replicas', kafkaDefault: '1', min: 1, max: INT_MAX, honoured: true, doc: 'acks=all needs this many in-sync replicas (one node has one: more gives NOT_ENOUGH_REPLICAS).' },
  preallocate: { type: 'boolean', kafkaDefault: 'false', honoured: false, doc: 'Segments are not preallocated.' },
  'remote.storage.enable': { type: 'boolean', kafkaDefault: 'false', honoured: false, doc: 'Tiered storage is not implemented.' },
  'retention.bytes': { type: 'long', brokerKey: 'log.retention.bytes', kafkaDefault: '-1', min: -1, max: LONG_MAX, honoured: true, doc: 'Delete old segments beyond this many bytes per partition (-1: no limit).' },
  'retention.ms': { type: 'long', brokerKey: 'log.retention.ms', kafkaDefault: String(7 * DAY_MS), min: -1, max: LONG_MAX, honoured: true, doc: 'Delete segments older than this (-1: keep forever).' },
  'segment.bytes': { type: 'int', brokerKey: 'log.segment.bytes', kafkaDefault: String(1024 ** 3), min: 14, max: INT_MAX, honoured: true, doc: 'Roll to a new segment after this many bytes.' },
  'segment.index.bytes': { type: 'int', kafkaDefault: String(10 * 1024 * 1024), min: 4, max: INT_MAX, honoured: false, doc: 'Index size is broker-wide.' },
  'segment.jitter.ms': { type: 'long', kafkaDefault: '0', min: 0, max: LONG_MAX, honoured: false, doc: 'Rolls are not jittered.' },
  'segment.ms': { type: 'long', brokerKey: 'log.roll.ms', kafkaDefault: String(7 * DAY_MS), min: 1, max: LONG_MAX, honoured: true, doc: 'Roll to a new segment after this age.' },
  'unclean.leader.election.enable': { type: 'boolean', brokerKey: 'unclean.leader.election.enable', kafkaDefault: 'false', honoured: true, doc: 'Kept for when replication exists; a single node never elects.' },
}

/** What a topic override is stored as: the normalized string, as Kafka keeps it. */
export type TopicOverrides = Record<string, string>

/** Kafka's default for a key here: the broker key's value when Sluice has that key. */
export function brokerDefault (key: string, brokerValue: (brokerKey: string) => number | boolean | string | null): { value: string, fromBroker: boolean } {
  const spec = TOPIC_CONFIG_KEYS[key]!
  if (spec.brokerKey !== undefined && CONFIG_KEYS[spec.brokerKey] !== undefined) {
    const value = brokerValue(spec.brokerKey)
    if (value !== null) return { value: String(value), fromBroker: value !== CONFIG_KEYS[spec.brokerKey]!.default }
  }
  return { value: spec.kafkaDefault, fromBroker: false }
}

function parseNumber (spec: TopicKeySpec, raw: string): number | string {
  const integer = spec.type !== 'double'
  // Kafka's Long.MAX_VALUE ("never") is past what a double holds exactly: it means our maximum.
  const value = integer && /^\d{16,}$/.test(raw.trim()) && Number(raw.trim()) > LONG_MAX ? LONG_MAX : Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) return `must be ${integer ? 'an integer' : 'a number'}`
  if (value < (spec.min ?? -Infinity) || value > (spec.max ?? Infinity)) return `must be in [${spec.min}, ${spec.max}]`
  return value
}

/** The normalized value, or a message naming the key, the problem and the fix. */
export function checkTopicConfig (key: string, raw: string | null, defaultValue: string): { value: string } | { problem: string } {
  const spec = TOPIC_CONFIG_KEYS[key]
  if (spec === undefined) {
    const hint = didYouMean(key, Object.keys(TOPIC_CONFIG_KEYS))
    return { problem: `unknown topic config "${key.slice(0, 100)}"${hint === undefined ? '' : `: did you mean "${hint}"?`}` }
  }
  if (raw === null) return { problem: `${key} needs a value` }
  let value = raw.trim()
  if (spec.type === 'long' || spec.type === 'int' || spec.type === 'double') {
    const parsed = parseNumber(spec, value)
    if (typeof parsed === 'string') return { problem: `${key} ${parsed} (got "${raw.slice(0, 40)}")` }
    value = String(parsed)
  } else if (spec.type === 'boolean') {
    if (value.toLowerCase() !== 'true' && value.toLowerCase() !== 'false') return { problem: `${key} must be true or false (got "${raw.slice(0, 40)}")` }
    value = value.toLowerCase()
  } else if (spec.oneOf !== undefined) {
    const items = spec.type === 'list' ? value.split(',').map(s => s.trim()) : [value]
    const bad = items.find(item => !spec.oneOf!.some(allowed => allowed.toLowerCase() === item.toLowerCase()))
    if (bad !== undefined) return { problem: `${key} must be ${spec.oneOf.join(' or ')} in Sluice (got "${raw.slice(0, 40)}"): ${spec.doc}` }
    value = items.map(item => spec.oneOf!.find(allowed => allowed.toLowerCase() === item.toLowerCase())!).join(',')
  }
  if (!spec.honoured && value !== defaultValue) return { problem: `${key} is not implemented by Sluice; only its default "${defaultValue}" is accepted (${spec.doc})` }
  return { value }
}
