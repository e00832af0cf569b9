// Sluice's own minimal Kafka client, built on the broker's codecs: the engine of the
// native driver and of the chaos harness's clients. It knows brokers and partition
// leaders from Metadata, keeps one pipelined connection per broker address, and offers
// the handful of requests a benchmark needs: CreateTopics, Produce of pre-encoded
// batches, Fetch, ListOffsets. Per-partition error codes are returned to the caller (who
// decides about retries); request-level failures throw KafkaClientError.
//
// No consumer groups, no idempotence, no retries of its own: callers that want them
// build them from these pieces with full control over timing.

import { Fetch, IsolationLevel, type FetchRequest, type FetchResponse } from '../protocol/01-fetch.ts'
import { ListOffsets, type ListOffsetsResponse } from '../protocol/02-list-offsets.ts'
import { Metadata } from '../protocol/03-metadata.ts'
import { Produce, type ProduceRequest, type ProduceResponse } from '../protocol/00-produce.ts'
import { CreateTopics } from '../protocol/19-create-topics.ts'
import { DeleteTopics } from '../protocol/20-delete-topics.ts'
import { ErrorCode } from '../protocol/errors.ts'
import { Connection } from './connection.ts'
import { KafkaClientError, kafkaError } from './errors.ts'

/** Produce acknowledgement: 0 none, 1 the leader, -1 every in-sync replica. */
export type Acks = 0 | 1 | -1

export interface KafkaClientOptions {
  /** host:port of each bootstrap broker. */
  bootstrap: readonly string[]
  clientId: string
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  /** Requests in flight per connection. */
  inFlightMax?: number
  /** Passed to every connection (ConnectionOptions.frameAllocator). */
  frameAllocator?: (bytes: number) => Buffer
}

export interface BrokerAddress {
  nodeId: number
  host: string
  port: number
}

export interface PartitionInfo {
  partition: number
  errorCode: number
  leaderId: number
  leaderEpoch: number
  /** Node ids of the assigned replicas and of the in-sync ones, as Metadata lists them. */
  replicas: number[]
  isr: number[]
}

export interface TopicInfo {
  name: string
  errorCode: number
  /** Indexed by partition number. */
  partitions: PartitionInfo[]
}

export interface NewTopic {
  name: string
  partitions: number
  replicationFactor?: number
  configs?: Record<string, string>
}

export interface ProduceBatch {
  partition: number
  /** One sealed record batch. */
  batch: Buffer
}

export interface FetchPartition {
  partition: number
  offset: number
  partitionMaxBytes: number
}

const TOPIC_READY_ATTEMPTS = 50
const TOPIC_READY_DELAY_MS = 100

export function parseAddress (address: string): { host: string, port: number } {
  const at = address.lastIndexOf(':')
  const port = Number(address.slice(at + 1))
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KafkaClientError('ERR_CONNECT', `"${address}" is not a host:port address`)
  }
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port }
}

export class KafkaClient {
  readonly #opts: KafkaClientOptions
  readonly #connections = new Map<string, Promise<Connection>>()
  readonly #brokers = new Map<number, BrokerAddress>()
  readonly #topics = new Map<string, TopicInfo>()
  #closed = false

  constructor (opts: KafkaClientOptions) {
    if (opts.bootstrap.length === 0) throw new KafkaClientError('ERR_CONNECT', 'no bootstrap brokers given')
    for (const address of opts.bootstrap) parseAddress(address)
    this.#opts = opts
  }

  /** The pooled connection to `address`, connecting if needed. */
  connection (address: string): Promise<Connection> {
    if (this.#closed) return Promise.reject(new KafkaClientError('ERR_CLIENT_CLOSED', 'client is closed'))
    let pending = this.#connections.get(address)
    if (pending !== undefined) return pending
    const { host, port } = parseAddress(address)
    pending = Connection.connect({
      host,
      port,
      clientId: this.#opts.clientId,
      ...(this.#opts.connectTimeoutMs !== undefined && { connectTimeoutMs: this.#opts.connectTimeoutMs }),
      ...(this.#opts.requestTimeoutMs !== undefined && { requestTimeoutMs: this.#opts.requestTimeoutMs }),
      ...(this.#opts.inFlightMax !== undefined && { inFlightMax: this.#opts.inFlightMax }),
      ...(this.#opts.frameAllocator !== undefined && { frameAllocator: this.#opts.frameAllocator }),
    })
    this.#connections.set(address, pending)
    pending.then(c => c.onClose(() => { if (this.#connections.get(address) === pending) this.#connections.delete(address) }),
      () => { if (this.#connections.get(address) === pending) this.#connections.delete(address) })
    return pending
  }

  /** A connection to the first bootstrap broker that answers. */
  async anyConnection (): Promise<Connection> {
    const errors: string[] = []
    for (const address of this.#opts.bootstrap) {
      try {
        return await this.connection(address)
      } catch (err) {
        errors.push((err as Error).message)
      }
    }
    throw new KafkaClientError('ERR_CONNECT', `no bootstrap broker reachable: ${errors.join('; ')}`, { retriable: true })
  }

  async nodeConnection (nodeId: number): Promise<Connection> {
    let broker = this.#brokers.get(nodeId)
    if (broker === undefined) {
      await this.metadata([])
      broker = this.#brokers.get(nodeId)
    }
    if (broker === undefined) throw new KafkaClientError('ERR_NO_LEADER', `broker ${nodeId} is not in the cluster's metadata`, { retriable: true })
    return await this.connection(`${broker.host}:${broker.port}`)
  }

  brokers (): ReadonlyMap<number, BrokerAddress> {
    return this.#brokers
  }

  /** Asks Metadata for `topics` (null = all) and updates the caches. */
  async metadata (topics: string[] | null, allowAutoTopicCreation = false): Promise<Map<string, TopicInfo>> {
    const connection = await this.anyConnection()
    const res = await connection.request(Metadata, { topics, allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    this.#brokers.clear()
    for (const b of res.brokers) this.#brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port })
    const out = new Map<string, TopicInfo>()
    for (const t of res.topics) {
      const partitions: PartitionInfo[] = []
      for (const p of t.partitions) partitions[p.partitionIndex] = { partition: p.partitionIndex, errorCode: p.errorCode, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes }
      const info = { name: t.name, errorCode: t.errorCode, partitions }
      out.set(t.name, info)
      if (t.errorCode === ErrorCode.NONE) this.#topics.set(t.name, info)
      else this.#topics.delete(t.name)
    }
    return out
  }

  /** The topic's partitions and leaders, from cache unless `refresh`; throws on a topic error. */
  async topic (name: string, refresh = false): Promise<TopicInfo> {
    const cached = this.#topics.get(name)
    if (cached !== undefined && !refresh) return cached
    const info = (await this.metadata([name])).get(name)
    if (info === undefined) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Metadata for topic "${name}"`)
    if (info.errorCode !== ErrorCode.NONE) throw kafkaError(info.errorCode, `Metadata for topic "${name}"`)
    return info
  }

  /**
   * Creates topics; an existing topic is fine when `existingOk`. Waits until Metadata
   * shows every partition with a leader, so producers can start at once.
   */
  async createTopics (topics: NewTopic[], opts: { timeoutMs?: number, existingOk?: boolean } = {}): Promise<void> {
    const connection = await this.anyConnection()
    const res = await connection.request(CreateTopics, {
      topics: topics.map(t => ({
        name: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor ?? 1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: opts.timeoutMs ?? 30_000,
      validateOnly: false,
    })
    for (const t of res.topics) {
      if (t.errorCode === ErrorCode.NONE) continue
      if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && opts.existingOk !== false) continue
      throw kafkaError(t.errorCode, `CreateTopics "${t.name}"`, t.errorMessage, connection.address)
    }
    for (const t of topics) await this.#waitForLeaders(t.name)
  }

  /** Deletes topics; one that is already gone is fine. */
  async deleteTopics (names: readonly string[], opts: { timeoutMs?: number } = {}): Promise<void> {
    if (names.length === 0) return
    const connection = await this.anyConnection()
    const res = await connection.request(DeleteTopics, { topicNames: [...names], timeoutMs: opts.timeoutMs ?? 30_000 })
    for (const t of res.topics) {
      if (t.errorCode === ErrorCode.NONE || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue
      throw kafkaError(t.errorCode, `DeleteTopics "${t.name}"`, null, connection.address)
    }
    for (const name of names) this.#topics.delete(name)
  }

  async #waitForLeaders (name: string): Promise<void> {
    let last = ''
    for (let attempt = 0; attempt < TOPIC_READY_ATTEMPTS; attempt++) {
      const info = (await this.metadata([name])).get(name)
      if (info !== undefined && info.errorCode === ErrorCode.NONE && info.partitions.length > 0 &&
        info.partitions.every(p => p !== undefined && p.errorCode === ErrorCode.NONE && p.leaderId >= 0)) return
      last = info === undefined ? 'absent from Metadata' : `error ${info.errorCode}`
      await new Promise(resolve => setTimeout(resolve, TOPIC_READY_DELAY_MS))
    }
    throw new KafkaClientError('ERR_NO_LEADER', `topic "${name}" has no leader for every partition after ${TOPIC_READY_ATTEMPTS * TOPIC_READY_DELAY_MS} ms (${last})`, { retriable: true })
  }

  /**
   * One Produce request with one batch per partition to broker `nodeId`. acks=0 resolves
   * with null once the request is written; otherwise with the response, per-partition
   * error codes included.
   */
  async produce (nodeId: number, topic: string, batches: readonly ProduceBatch[], opts: { acks: number, timeoutMs: number }): Promise<ProduceResponse | null> {
    const connection = await this.nodeConnection(nodeId)
    const request: ProduceRequest = {
      transactionalId: null,
      acks: opts.acks,
      timeoutMs: opts.timeoutMs,
      topics: [{ name: topic, partitions: batches.map(b => ({ partitionIndex: b.partition, records: b.batch })) }],
    }
    if (opts.acks === 0) {
      await connection.sendOnly(Produce, request)
      return null
    }
    return await connection.request(Produce, request, { timeoutMs: opts.timeoutMs + (this.#opts.requestTimeoutMs ?? 30_000) })
  }

  /** One Fetch (a full fetch, no session) to broker `nodeId`. */
  async fetch (nodeId: number, topic: string, partitions: readonly FetchPartition[], opts: { maxWaitMs: number, minBytes: number, maxBytes: number, readCommitted?: boolean }): Promise<FetchResponse> {
    const connection = await this.nodeConnection(nodeId)
    const request: FetchRequest = {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs,
      minBytes: opts.minBytes,
      maxBytes: opts.maxBytes,
      isolationLevel: opts.readCommitted === true ? IsolationLevel.readCommitted : IsolationLevel.readUncommitted,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        name: topic,
        partitions: partitions.map(p => ({ partitionIndex: p.partition, currentLeaderEpoch: -1, fetchOffset: p.offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: p.partitionMaxBytes })),
      }],
      forgottenTopics: [],
      rackId: '',
    }
    return await connection.request(Fetch, request, { timeoutMs: opts.maxWaitMs + (this.#opts.requestTimeoutMs ?? 30_000) })
  }

  /**
   * Offsets by partition for a timestamp (ListOffsetsTimestamp.earliest / latest, or ms),
   * asked of each partition's leader. Throws on any partition's error.
   */
  async listOffsets (topic: string, partitions: readonly number[], timestamp: number): Promise<Map<number, number>> {
    const info = await this.topic(topic)
    const byLeader = new Map<number, number[]>()
    for (const p of partitions) {
      const leader = info.partitions[p]?.leaderId ?? -1
      if (leader < 0) throw new KafkaClientError('ERR_NO_LEADER', `partition ${topic}-${p} has no leader`, { retriable: true })
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
    }
    const out = new Map<number, number>()
    await Promise.all([...byLeader].map(async ([leader, ps]) => {
      const connection = await this.nodeConnection(leader)
      const res: ListOffsetsResponse = await connection.request(ListOffsets, {
        replicaId: -1,
        isolationLevel: IsolationLevel.readUncommitted,
        topics: [{ name: topic, partitions: ps.map(p => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) }],
      })
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `ListOffsets ${topic}-${p.partitionIndex}`, null, connection.address)
          out.set(p.partitionIndex, p.offset)
        }
      }
    }))
    return out
  }

  /** Closes every connection; outstanding requests fail with ERR_CLIENT_CLOSED. */
  close (): void {
    this.#closed = true
    for (const pending of this.#connections.values()) pending.then(c => c.close(), () => {})
    this.#connections.clear()
  }
}
