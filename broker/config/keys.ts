// Every broker config key Sluice accepts, with Kafka's names where Kafka has one so a
// Kafka user's knowledge carries over. Keys under `sluice.` are ours.

export type KeyType = 'int' | 'bool' | 'string' | 'listener'

export interface KeySpec {
  type: KeyType
  default: number | boolean | string | null
  min?: number
  max?: number
  /** For strings: the only values accepted. */
  values?: readonly string[]
  doc: string
}

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const DAY_MS = 24 * 3600 * 1000
const NEVER = Number.MAX_SAFE_INTEGER

export const CONFIG_KEYS: Record<string, KeySpec> = {
  'broker.id': { type: 'int', default: 0, min: 0, max: 2 ** 31 - 1, doc: 'This broker\'s node id.' },
  'cluster.id': { type: 'string', default: null, doc: 'Cluster id reported in Metadata; generated once and kept in meta.properties when unset.' },
  listeners: { type: 'listener', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'Kafka listener, PLAINTEXT://host:port (port 0 picks a free one).' },
  'advertised.listeners': { type: 'listener', default: null, doc: 'The host:port clients are told to use (a proxy in chaos runs); defaults to the bound listener.' },
  'log.dirs': { type: 'string', default: './data', doc: 'Directory holding the partition logs.' },
  'num.partitions': { type: 'int', default: 1, min: 1, max: 10_000, doc: 'Partitions of an auto-created topic.' },
  'auto.create.topics.enable': { type: 'bool', default: true, doc: 'Create a topic when a client asks for one that does not exist.' },
  'default.replication.factor': { type: 'int', default: 1, min: 1, max: 1, doc: 'Replication factor of auto-created topics (1 until replication arrives).' },
  'min.insync.replicas': { type: 'int', default: 1, min: 1, max: 1000, doc: 'acks=all needs this many in-sync replicas (a single node has one: more gives NOT_ENOUGH_REPLICAS).' },
  'unclean.leader.election.enable': { type: 'bool', default: false, doc: 'Accepted for compatibility; matters once replication exists.' },
  'socket.request.max.bytes': { type: 'int', default: 100 * MiB, min: 1 * KiB, max: 2 ** 31 - 1, doc: 'Largest request frame; a bigger length prefix closes the connection.' },
  'message.max.bytes': { type: 'int', default: 1 * MiB + 12, min: 64, max: 2 ** 31 - 1, doc: 'Largest record batch accepted by Produce (MESSAGE_TOO_LARGE above).' },
  'max.connections': { type: 'int', default: 1000, min: 1, max: 1_000_000, doc: 'Connections accepted at once; more are closed on accept.' },
  'queued.max.requests': { type: 'int', default: 500, min: 1, max: 100_000, doc: 'Requests in flight per connection before the broker stops reading from it.' },
  'fetch.max.parked': { type: 'int', default: 10_000, min: 1, max: 1_000_000, doc: 'Long-poll fetches parked at once; more are answered immediately.' },
  'log.segment.bytes': { type: 'int', default: 1 * GiB, min: 14, max: 2 ** 31 - 1, doc: 'Roll to a new segment after this many bytes.' },
  'log.roll.ms': { type: 'int', default: 7 * DAY_MS, min: 1, max: NEVER, doc: 'Roll to a new segment after this age.' },
  'log.retention.bytes': { type: 'int', default: -1, min: -1, max: NEVER, doc: 'Delete old segments beyond this many bytes per partition (-1: no limit).' },
  'log.retention.ms': { type: 'int', default: 7 * DAY_MS, min: -1, max: NEVER, doc: 'Delete segments older than this (-1: keep forever).' },
  'log.retention.check.interval.ms': { type: 'int', default: 300_000, min: 1, max: NEVER, doc: 'How often retention runs.' },
  'log.flush.interval.messages': { type: 'int', default: NEVER, min: 1, max: NEVER, doc: 'fsync after this many messages; 1 means fsync before every ack. Default: never, as Kafka.' },
  'log.flush.interval.ms': { type: 'int', default: NEVER, min: 1, max: NEVER, doc: 'fsync at least this often. Default: never, as Kafka.' },
  'log.message.timestamp.type': { type: 'string', default: 'CreateTime', values: ['CreateTime', 'LogAppendTime'], doc: 'CreateTime keeps the producer\'s timestamps (each batch\'s maxTimestamp is recomputed from its records); LogAppendTime stamps every batch with the broker\'s clock on append.' },
  'log.index.interval.bytes': { type: 'int', default: 4096, min: 1, max: 2 ** 31 - 1, doc: 'Bytes between sparse offset index entries.' },
  'offsets.topic.num.partitions': { type: 'int', default: 50, min: 1, max: 1000, doc: 'Partitions of __consumer_offsets.' },
  'offsets.retention.minutes': { type: 'int', default: 10_080, min: 1, max: NEVER, doc: 'Drop committed offsets of empty groups after this long.' },
  'group.initial.rebalance.delay.ms': { type: 'int', default: 0, min: 0, max: 300_000, doc: 'Wait this long for more members before the first rebalance of an empty group (Kafka: 3000; 0 keeps tests fast).' },
  'group.min.session.timeout.ms': { type: 'int', default: 6000, min: 1, max: NEVER, doc: 'Smallest session timeout a member may ask for.' },
  'group.max.session.timeout.ms': { type: 'int', default: 1_800_000, min: 1, max: NEVER, doc: 'Largest session timeout a member may ask for.' },
  'sluice.http.listener': { type: 'listener', default: 'http://127.0.0.1:8082', doc: 'The HTTP API (REST-proxy style); "none" turns it off.' },
  'sluice.sink': { type: 'bool', default: false, doc: 'Acknowledge Produce without validating or storing anything, to measure a load generator\'s own ceiling. Never for real data.' },
  'sluice.log.open.files.max': { type: 'int', default: 4096, min: 16, max: 1_000_000, doc: 'Segment files (.log, .index, .timeindex) open at once; idle ones are closed least recently used first and reopened on demand, so many partitions or segments cannot exhaust file descriptors (Kafka has no such key: it keeps every segment open).' },
  'sluice.durability.ledger': { type: 'bool', default: true, doc: 'Record each file\'s fsynced length so chaos runs can drop un-fsynced writes.' },
}
