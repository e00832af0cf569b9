// One replica fetcher: a loop against one leader broker for the partitions this broker
// follows there. Each round asks every partition's FollowerPartition for its next action and
// batches them into at most one OffsetForLeaderEpoch, one ListOffsets and one Fetch request
// (replica_id = this broker, so the leader counts the fetch offset as this replica's log
// end). Batches come back exactly as the leader stored them and are appended as they are.
// A failed request backs off replica.fetch.backoff.ms, and so does a partition the leader
// answers with a retriable error (UNKNOWN_LEADER_EPOCH while the leader's metadata trails
// ours, KAFKA_STORAGE_ERROR...), as Kafka delays such partitions: without it the round
// repeats at once, and two followers of a lagging leader spun thousands of requests a second
// at it. A partition the leader fences waits for the metadata log to name its next leader.

import type { BrokerConfig } from '../../config/config.ts'
import { Connection } from '../../client/connection.ts'
import { ErrorCode } from '../../protocol/errors.ts'
import { Fetch, type FetchPartitionRequest } from '../../protocol/01-fetch.ts'
import { ListOffsets } from '../../protocol/02-list-offsets.ts'
import { OffsetForLeaderEpoch } from '../../protocol/23-offset-for-leader-epoch.ts'
import { splitBatches } from '../../protocol/record-batch.ts'
import type { PartitionLog } from '../../log/partition-log.ts'
import type { Broker } from '../../server/broker.ts'
import type { MetadataImage } from '../image.ts'
import type { FollowerAction, FollowerPartition } from '../replica/follower-state.ts'
import { appendAsFollower, logView, truncateFullyAndStartAt, truncateTo } from './follower-log.ts'

export interface FollowedPartition {
  topic: string
  partition: number
  log: PartitionLog
  state: FollowerPartition
  leaderId: number
  fetcher: ReplicaFetcher | null
}

const IDLE_WAIT_MS = 50

export class ReplicaFetcher {
  readonly #broker: Broker
  readonly #config: BrokerConfig
  readonly #leaderId: number
  readonly #image: () => MetadataImage
  readonly #onHighWatermark: (topic: string, partition: number, hw: number) => void
  readonly #partitions = new Map<string, FollowedPartition>()
  /** Partitions answered with a retriable error, and when they may be asked again (Date.now() ms). */
  readonly #retryAtMs = new Map<FollowedPartition, number>()
  #connection: Connection | null = null
  #stopped = false
  #wake: (() => void) | null = null

  constructor (broker: Broker, config: BrokerConfig, leaderId: number, image: () => MetadataImage, onHighWatermark: (topic: string, partition: number, hw: number) => void) {
    this.#broker = broker
    this.#config = config
    this.#leaderId = leaderId
    this.#image = image
    this.#onHighWatermark = onHighWatermark
    void this.#run()
  }

  get stopped (): boolean { return this.#stopped }

  add (k: string, followed: FollowedPartition): void {
    this.#partitions.set(k, followed)
    this.#wake?.()
  }

  remove (k: string): void {
    const followed = this.#partitions.get(k)
    if (followed !== undefined) this.#retryAtMs.delete(followed)
    this.#partitions.delete(k)
  }

  stop (): void {
    this.#stopped = true
    this.#connection?.close()
    this.#wake?.()
  }

  async #run (): Promise<void> {
    while (!this.#stopped) {
      let worked = false
      try {
        worked = await this.#round()
      } catch (err) {
        this.#connection?.close()
        this.#connection = null
        if (!this.#stopped) this.#broker.log(`replica fetcher for leader ${this.#leaderId}: ${(err as Error).message}; retrying in ${this.#config.int('replica.fetch.backoff.ms')} ms`)
        await this.#sleep(this.#config.int('replica.fetch.backoff.ms'))
        continue
      }
      if (!worked) await this.#sleep(IDLE_WAIT_MS)
    }
  }

  #sleep (ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(() => { this.#wake = null; resolve() }, ms)
      timer.unref()
      this.#wake = () => { clearTimeout(timer); this.#wake = null; resolve() }
    })
  }

  async #connect (): Promise<Connection> {
    if (this.#connection !== null && !this.#connection.closed) return this.#connection
    const broker = this.#image().brokers.get(this.#leaderId)
    const listenerName = this.#config.cluster?.interBrokerListenerName ?? 'PLAINTEXT'
    // sluice.inter.broker.addresses overrides the registered endpoint (a proxy per link).
    const endpoint = this.#config.cluster?.interBrokerAddresses.get(this.#leaderId) ??
      broker?.endpoints.find(e => e.name === listenerName) ?? broker?.endpoints[0]
    if (endpoint === undefined) throw new Error(`broker ${this.#leaderId} has no registered ${listenerName} endpoint`)
    const requestTimeoutMs = this.#config.int('replica.fetch.wait.max.ms') + 30_000
    this.#connection = await Connection.connect({ host: endpoint.host, port: endpoint.port, clientId: `replica-fetcher-${this.#broker.nodeId}`, requestTimeoutMs, connectTimeoutMs: 5_000 })
    return this.#connection
  }

  /** One round over every partition; false when there was nothing to do. */
  async #round (): Promise<boolean> {
    const actions = this.#due(Date.now()).map(f => ({ f, action: f.state.nextAction(logView(f.log)) }))
    const todo = actions.filter(a => a.action.kind !== 'wait')
    if (todo.length === 0) return false
    for (const { f, action } of todo) {
      if (action.kind === 'truncate') {
        const before = describeLog(f.log)
        await truncateTo(f.log, action.offset)
        this.#trace(f, `truncated to ${action.offset} (before: ${before}; now: ${describeLog(f.log)}; HW ${f.state.highWatermark})`)
        this.#truncated(f, action.offset)
      } else if (action.kind === 'truncateFullyAndStartAt') {
        const before = describeLog(f.log)
        await truncateFullyAndStartAt(f.log, action.offset)
        this.#trace(f, `truncated fully, restarting at ${action.offset} (before: ${before})`)
        this.#truncated(f, action.offset)
      }
    }
    const conn = await this.#connect()
    await this.#epochChecks(conn, todo.filter(a => a.action.kind === 'epochCheck'))
    await this.#leaderOffsets(conn, todo.filter(a => a.action.kind === 'leaderOffsets'))
    await this.#fetch(conn, todo.filter(a => a.action.kind === 'fetch'))
    return true
  }

  /**
   * Reports a finished truncation, unless the partition moved on while it ran: a leader
   * change restarts the epoch check (or hands the partition to another fetcher), and
   * reporting then threw and cost every partition of this fetcher a reconnect and a backoff.
   * The cut itself stays: it removed only what the old leader's answer said diverged, and
   * the new epoch check decides from the log as it is now.
   */
  #truncated (f: FollowedPartition, offset: number): void {
    const current = this.#find(f.topic, f.partition)
    if (current !== f || f.state.phase !== 'truncating' || f.state.truncationOffset !== offset) {
      this.#trace(f, `truncation to ${offset} done after the partition moved on (now ${describeNext(f.state)}); not reported`)
      return
    }
    f.state.onTruncated(logView(f.log))
  }

  /** The partitions not backing off after a retriable error. */
  #due (nowMs: number): FollowedPartition[] {
    const due: FollowedPartition[] = []
    for (const f of this.#partitions.values()) {
      const retryAtMs = this.#retryAtMs.get(f)
      if (retryAtMs !== undefined && retryAtMs > nowMs) continue
      this.#retryAtMs.delete(f)
      due.push(f)
    }
    return due
  }

  /** A partition-level error other than a fencing one: ask again after replica.fetch.backoff.ms. */
  #backOffOn (f: FollowedPartition, errorCode: number): void {
    if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.OFFSET_OUT_OF_RANGE || f.state.phase === 'awaitingMetadata') return
    this.#retryAtMs.set(f, Date.now() + this.#config.int('replica.fetch.backoff.ms'))
  }

  async #epochChecks (conn: Connection, items: Array<{ f: FollowedPartition, action: FollowerAction }>): Promise<void> {
    if (items.length === 0) return
    const response = await conn.request(OffsetForLeaderEpoch, {
      replicaId: this.#broker.nodeId,
      topics: groupByTopic(items, ({ f, action }) => {
        const a = action as Extract<FollowerAction, { kind: 'epochCheck' }>
        return { partition: f.partition, currentLeaderEpoch: a.currentLeaderEpoch, leaderEpoch: a.leaderEpoch }
      }).map(([topic, partitions]) => ({ topic, partitions })),
    })
    for (const t of response.topics) {
      for (const p of t.partitions) {
        const f = this.#find(t.topic, p.partition)
        if (f === undefined) continue
        f.state.onEpochAnswer({ errorCode: p.errorCode, leaderEpoch: p.leaderEpoch, endOffset: p.endOffset }, logView(f.log))
        this.#backOffOn(f, p.errorCode)
        this.#trace(f, `OffsetForLeaderEpoch answer error ${p.errorCode} epoch ${p.leaderEpoch} end ${p.endOffset} for our ${describeLog(f.log)}: next ${describeNext(f.state)}`)
      }
    }
  }

  async #leaderOffsets (conn: Connection, items: Array<{ f: FollowedPartition, action: FollowerAction }>): Promise<void> {
    for (const { f, action } of items) {
      const a = action as Extract<FollowerAction, { kind: 'leaderOffsets' }>
      const ask = async (timestamp: number): Promise<{ errorCode: number, offset: number }> => {
        const r = await conn.request(ListOffsets, { replicaId: this.#broker.nodeId, isolationLevel: 0, topics: [{ name: f.topic, partitions: [{ partitionIndex: f.partition, currentLeaderEpoch: a.currentLeaderEpoch, timestamp }] }] })
        const p = r.topics[0]?.partitions[0]
        return { errorCode: p?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, offset: p?.offset ?? -1 }
      }
      const start = await ask(-2)
      const end = await ask(-1)
      const errorCode = start.errorCode !== ErrorCode.NONE ? start.errorCode : end.errorCode
      f.state.onLeaderOffsets({ errorCode, logStartOffset: start.offset, logEndOffset: end.offset }, logView(f.log))
      this.#backOffOn(f, errorCode)
      this.#trace(f, `after OFFSET_OUT_OF_RANGE the leader's log is [${start.offset}, ${end.offset}) (errors ${start.errorCode}/${end.errorCode}), ours ${describeLog(f.log)}: next ${describeNext(f.state)}`)
    }
  }

  async #fetch (conn: Connection, items: Array<{ f: FollowedPartition, action: FollowerAction }>): Promise<void> {
    if (items.length === 0) return
    const partitionMaxBytes = this.#config.int('replica.fetch.max.bytes')
    const response = await conn.request(Fetch, {
      replicaId: this.#broker.nodeId,
      maxWaitMs: this.#config.int('replica.fetch.wait.max.ms'),
      minBytes: this.#config.int('replica.fetch.min.bytes'),
      maxBytes: this.#config.int('replica.fetch.response.max.bytes'),
      isolationLevel: 0, sessionId: 0, sessionEpoch: -1, forgottenTopics: [], rackId: '',
      topics: groupByTopic(items, ({ f, action }): FetchPartitionRequest => {
        const a = action as Extract<FollowerAction, { kind: 'fetch' }>
        return { partitionIndex: f.partition, currentLeaderEpoch: a.currentLeaderEpoch, fetchOffset: a.fetchOffset, lastFetchedEpoch: a.lastFetchedEpoch, logStartOffset: f.log.logStartOffset, partitionMaxBytes }
      }).map(([name, partitions]) => ({ name, partitions })),
    })
    for (const t of response.topics) {
      for (const p of t.partitions) {
        const f = this.#find(t.name, p.partitionIndex)
        if (f === undefined) continue
        if (p.errorCode === ErrorCode.NONE && p.records !== null) {
          const buffers = Buffer.isBuffer(p.records) ? [p.records] : p.records
          await appendAsFollower(f.log, buffers.flatMap(b => splitBatches(b)))
        }
        const before = f.state.highWatermark
        f.state.onFetchResponse({ errorCode: p.errorCode, highWatermark: p.highWatermark }, logView(f.log))
        this.#backOffOn(f, p.errorCode)
        if (f.state.highWatermark > before) this.#onHighWatermark(f.topic, f.partition, f.state.highWatermark)
      }
    }
  }

  /** One line per truncation decision, so a replica divergence found later explains itself. */
  #trace (f: FollowedPartition, what: string): void {
    this.#broker.log(`${f.topic}-${f.partition}: follower of ${this.#leaderId} in epoch ${f.state.leaderEpoch}: ${what}`)
  }

  #find (topic: string, partition: number): FollowedPartition | undefined {
    return this.#partitions.get(`${topic}\u0000${partition}`)
  }
}

function describeLog (log: PartitionLog): string {
  return `log [${log.logStartOffset}, ${log.highWatermark}) epochs [${log.leaderEpochs().map(e => `${e.epoch}@${e.startOffset}`).join(' ')}]`
}

function describeNext (state: FollowerPartition): string {
  const offset = state.truncationOffset
  return offset === null ? state.phase : `${state.phase} to ${offset}`
}

function groupByTopic<T, R> (items: readonly T[], map: (item: T) => R): Array<[string, R[]]> {
  const byTopic = new Map<string, R[]>()
  for (const item of items) {
    const topic = (item as { f: FollowedPartition }).f.topic
    let list = byTopic.get(topic)
    if (list === undefined) byTopic.set(topic, list = [])
    list.push(map(item))
  }
  return [...byTopic]
}
