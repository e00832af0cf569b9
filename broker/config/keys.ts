// Every broker config key Sluice accepts, with Kafka's names where Kafka has one so a
// Kafka user's knowledge carries over. Keys under `sluice.` are ours.

export type KeyType = 'int' | 'bool' | 'string' | 'listener' | 'listeners'

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
  listeners: { type: 'listeners', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'Kafka listeners, NAME://host:port[,...] (port 0 picks a free one); clients use the first that is not a controller listener.' },
  'advertised.listeners': { type: 'listener', default: null, doc: 'The host:port clients are told to use (a proxy in chaos runs); defaults to the bound listener.' },
  'log.dirs': { type: 'string', default: './data', doc: 'Directory holding the partition logs.' },
  'num.partitions': { type: 'int', default: 1, min: 1, max: 10_000, doc: 'Partitions of an auto-created topic.' },
  'auto.create.topics.enable': { type: 'bool', default: true, doc: 'Create a topic when a client asks for one that does not exist.' },
  'default.replication.factor': { type: 'int', default: 1, min: 1, max: 32767, doc: 'Replication factor of topics created without one. Validated; a one-node broker still creates RF 1.' },
  'min.insync.replicas': { type: 'int', default: 1, min: 1, max: 1000, doc: 'acks=all needs this many in-sync replicas (a single node has one: more gives NOT_ENOUGH_REPLICAS).' },
  'unclean.leader.election.enable': { type: 'bool', default: false, doc: 'Let an out-of-sync replica lead when no ISR member is alive (loses acknowledged writes). Validated; matters once replication exists.' },
  'socket.request.max.bytes': { type: 'int', default: 100 * MiB, min: 1 * KiB, max: 2 ** 31 - 1, doc: 'Largest request frame; a bigger length prefix closes the connection.' },
  'message.max.bytes': { type: 'int', default: 1 * MiB + 12, min: 64, max: 2 ** 31 - 1, doc: 'Largest record batch accepted by Produce (MESSAGE_TOO_LARGE above).' },
  'max.connections': { type: 'int', default: 1000, min: 1, max: 1_000_000, doc: 'Connections accepted at once; more are closed on accept.' },
  'queued.max.requests': { type: 'int', default: 500, min: 1, max: 100_000, doc: 'Requests in flight per connection before the broker stops reading from it.' },
  'max.connections.per.ip': { type: 'int', default: 2 ** 31 - 1, min: 1, max: 2 ** 31 - 1, doc: 'Connections accepted at once from one IP address; more are closed on accept.' },
  'connections.max.idle.ms': { type: 'int', default: 600_000, min: 1, max: NEVER, doc: 'Close a connection that has sent and received nothing, with no request in flight, for this long.' },
  'queued.max.request.bytes': { type: 'int', default: 512 * MiB, min: -1, max: NEVER, doc: 'Request bytes (partial frames and requests in flight) held across all connections; past it connections stop being read until memory frees up (-1: no bound, Kafka\'s default).' },
  'fetch.max.bytes': { type: 'int', default: 55 * MiB, min: 1024, max: 2 ** 31 - 1, doc: 'Largest record data in one Fetch response, whatever the request asks (the first batch may exceed it so consumers progress).' },
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
  'group.initial.rebalance.delay.ms': { type: 'int', default: 3000, min: 0, max: 300_000, doc: 'Wait this long for more members before the first rebalance of an empty group, as Kafka (tests set 0).' },
  'group.min.session.timeout.ms': { type: 'int', default: 6000, min: 1, max: NEVER, doc: 'Smallest session timeout a member may ask for.' },
  'group.max.session.timeout.ms': { type: 'int', default: 1_800_000, min: 1, max: NEVER, doc: 'Largest session timeout a member may ask for.' },
  // Cluster keys (KRaft mode, Kafka's names and defaults). Validated at start, including
  // across keys (broker/config/cluster-config.ts); see the README for which are active.
  'node.id': { type: 'int', default: -1, min: -1, max: 2 ** 31 - 1, doc: 'This node\'s id in a cluster; -1 uses broker.id. Setting both to different ids is an error.' },
  'process.roles': { type: 'string', default: null, doc: 'broker, controller or broker,controller (combined). Unset: a one-node cluster that is its own controller, as before.' },
  'controller.quorum.voters': { type: 'string', default: null, doc: 'The metadata quorum, id@host:port,... ; a controller must be one of them.' },
  'controller.quorum.bootstrap.servers': { type: 'string', default: null, doc: 'host:port,... of controllers to find the quorum through, instead of controller.quorum.voters.' },
  'controller.listener.names': { type: 'string', default: null, doc: 'Names of the listeners the controller serves, e.g. CONTROLLER; required with process.roles.' },
  'inter.broker.listener.name': { type: 'string', default: null, doc: 'Listener brokers use to reach each other (Kafka: PLAINTEXT when unset).' },
  'offsets.commit.timeout.ms': { type: 'int', default: 5000, min: 1, max: NEVER, doc: 'In a cluster, an offset commit or group write waits this long for the replicas of its __consumer_offsets partition before failing with REQUEST_TIMED_OUT.' },
  'offsets.topic.replication.factor': { type: 'int', default: 3, min: 1, max: 32767, doc: 'Replication factor of __consumer_offsets, capped by the live brokers at creation.' },
  'broker.session.timeout.ms': { type: 'int', default: 9000, min: 1, max: NEVER, doc: 'A broker without a heartbeat for this long is fenced and its leaderships move.' },
  'broker.heartbeat.interval.ms': { type: 'int', default: 2000, min: 1, max: NEVER, doc: 'How often a broker heartbeats to the active controller.' },
  'controller.quorum.election.timeout.ms': { type: 'int', default: 1000, min: 1, max: NEVER, doc: 'A voter that hears no leader for this long (plus jitter) starts an election.' },
  'controller.quorum.fetch.timeout.ms': { type: 'int', default: 2000, min: 1, max: NEVER, doc: 'A follower that cannot fetch from the quorum leader for this long looks for a new one.' },
  'auto.leader.rebalance.enable': { type: 'bool', default: true, doc: 'Move leadership back to preferred replicas every leader.imbalance.check.interval.seconds.' },
  'leader.imbalance.check.interval.seconds': { type: 'int', default: 300, min: 1, max: NEVER, doc: 'How often the controller checks for leader imbalance.' },
  'leader.imbalance.per.broker.percentage': { type: 'int', default: 10, min: 0, max: 100, doc: 'Share of a broker\'s preferred partitions it may not lead before a rebalance.' },
  'replica.lag.time.max.ms': { type: 'int', default: 30_000, min: 1, max: NEVER, doc: 'A follower not caught up for this long leaves the ISR.' },
  'replica.fetch.max.bytes': { type: 'int', default: 1 * MiB, min: 1, max: NEVER, doc: 'Bytes a follower asks for per partition in one fetch (the first batch is sent even if larger).' },
  'replica.fetch.response.max.bytes': { type: 'int', default: 10 * MiB, min: 1, max: NEVER, doc: 'Bytes a follower asks for in one fetch over all its partitions.' },
  'replica.fetch.wait.max.ms': { type: 'int', default: 500, min: 0, max: NEVER, doc: 'How long the leader parks a follower fetch that found no new data; keep it below replica.lag.time.max.ms.' },
  'replica.fetch.min.bytes': { type: 'int', default: 1, min: 1, max: NEVER, doc: 'Bytes a follower fetch waits for before the leader answers (up to replica.fetch.wait.max.ms).' },
  'replica.fetch.backoff.ms': { type: 'int', default: 1000, min: 0, max: NEVER, doc: 'A follower whose fetch failed, or whose partition the leader answered with a retriable error, waits this long before asking again.' },
  'num.replica.fetchers': { type: 'int', default: 1, min: 1, max: 64, doc: 'Fetcher connections per source broker; partitions are spread over them.' },
  'sluice.inter.broker.addresses': { type: 'string', default: null, doc: 'id@host:port,... : reach these brokers\' inter-broker listeners at these addresses instead of their registered endpoints (the chaos harness routes each broker-to-broker link through a proxy of its own, so it can cut one link). Replica fetches only; clients still get the registered endpoints.' },
  'sluice.metadata.snapshot.interval.records': { type: 'int', default: 10_000, min: 1, max: NEVER, doc: 'The metadata log is snapshotted (and its prefix dropped) after this many applied records, so it stays bounded (Kafka counts bytes: metadata.log.max.record.bytes.between.snapshots).' },
  'replica.high.watermark.checkpoint.interval.ms': { type: 'int', default: 5000, min: 1, max: NEVER, doc: 'How often each partition\'s high watermark is written to replication-offset-checkpoint.' },
  'sluice.http.listener': { type: 'listener', default: 'http://127.0.0.1:8082', doc: 'The HTTP API (REST-proxy style); "none" turns it off.' },
  'sluice.log.append.queue.max.bytes': { type: 'int', default: 64 * MiB, min: 1, max: NEVER, doc: 'Bytes a partition holds waiting for its next write; past it the broker stops reading the connections producing to it (never fails a produce).' },
  'sluice.debug.fault.endpoints': { type: 'bool', default: false, doc: 'Debug only: the HTTP API accepts POST /admin/faults/disk-stall?durationMs=N (every log write and fsync waits N ms), for the chaos harness\'s disk-stall fault. Never in production.' },
  'sluice.sink': { type: 'bool', default: false, doc: 'Acknowledge Produce without validating or storing anything, to measure a load generator\'s own ceiling. Never for real data.' },
  'sluice.log.bytes.per.sync': { type: 'int', default: 16 * MiB, min: 0, max: NEVER, doc: 'fsync a partition in the background each time it has written this many bytes since the last fsync (RocksDB\'s bytes_per_sync; Kafka has no such key). Acks never wait for it; it keeps a segment roll from having to push gigabytes of dirty pages to disk at once, which stalled every append for 1-2 s at 100 MB/s. 0: off (fsync only at a roll and by log.flush.*, as Kafka).' },
  'sluice.log.open.files.max': { type: 'int', default: 4096, min: 16, max: 1_000_000, doc: 'Segment files (.log, .index, .timeindex) open at once; idle ones are closed least recently used first and reopened on demand, so many partitions or segments cannot exhaust file descriptors (Kafka has no such key: it keeps every segment open).' },
  'sluice.durability.ledger': { type: 'bool', default: true, doc: 'Record each file\'s fsynced length so chaos runs can drop un-fsynced writes.' },
  // Debug only (broker/config/debug-keys.ts): each re-creates one historical replication bug of replication.md so chaos runs can show it is caught. Never in production.
  'sluice.debug.replication.truncate.to.hw.on.follow': { type: 'bool', default: false, doc: 'Debug only: re-creates historical bug 1 (pre-KIP-101): a follower truncates its log to its high watermark on following a new leader, losing acknowledged writes after back-to-back leader failures. Never in production.' },
  'sluice.debug.replication.shrink.isr.without.controller': { type: 'bool', default: false, doc: 'Debug only: re-creates historical bug 2 (pre-KIP-497): a leader applies an ISR shrink locally before the controller commits it, so a partitioned zombie leader acknowledges acks=all writes alone. Never in production.' },
  'sluice.debug.replication.ignore.min.isr': { type: 'bool', default: false, doc: 'Debug only: re-creates historical bug 3 (Jepsen 2013): min.insync.replicas is ignored for acks=all, so a leader alone in the ISR acknowledges writes. Never in production.' },
  'sluice.debug.replication.skip.fetch.epoch.check': { type: 'bool', default: false, doc: 'Debug only: re-creates historical bug 4 (pre-KIP-320): a leader serves follower fetches and epoch queries whatever current_leader_epoch they carry, so a follower with a stale view replicates across a divergence. Never in production.' },
  'sluice.debug.replication.consumer.reads.log.end': { type: 'bool', default: false, doc: 'Debug only: re-creates historical bug 5: consumers are served up to the leader\'s log end instead of the high watermark, so they read values a later election throws away. Never in production.' },
}
