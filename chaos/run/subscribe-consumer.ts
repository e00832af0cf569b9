// The subscribe-style chaos consumer: a kafkajs group consumer. kafkajs pushes batches
// (eachBatch); they wait in a bounded buffer and each poll op drains it, so a poll returns
// what the group consumer delivered since the previous poll.
//
// Rebalances make skips and re-reads legal (the new owner resumes from the committed
// offset), so they must show up in the history before the polls they affect. Each time
// kafkajs (re)joins the group, crashes, starts rebalancing, or re-delivers a partition from
// an earlier offset, the consumer starts a new *session*: the buffer is emptied, and the next
// poll is preceded by a `rebalance` op (takeRebalance). A poll drains only records of the
// session it started in. Forward jumps are not sessions: a skip is the checker's to judge.
//
// commit(): commits what polls have returned in this session (the next offset per drained
// partition), through kafkajs (with the group's generation, so a stale member is refused).

import type { Consumer, EachBatchPayload, Kafka as KafkaType } from 'kafkajs'
import { chaosKafka } from './producer.ts'
import { OutcomeError } from './outcome.ts'
import { sleep, withDeadline } from './sleep.ts'
import { parseValue, partitionName } from './topology.ts'

/** Records buffered before eachBatch waits for polls to drain them. */
export const BUFFERED_RECORDS_MAX = 5000
/** Records one poll returns at most. */
export const POLL_RECORDS_MAX = 1000
export const POLL_WAIT_MS = 200
const CLOSE_TIMEOUT_MS = 3000

interface Buffered {
  session: number
  partition: number
  offset: number
  key: string
  value: number
}

export interface SubscribeConsumerOptions {
  bootstrap: readonly string[]
  clientId: string
  topic: string
  group: string
  opTimeoutMs: number
  autoCommit: boolean
  autoCommitIntervalMs: number
}

export class SubscribeConsumer {
  readonly #options: SubscribeConsumerOptions
  readonly #kafka: KafkaType
  readonly #consumer: Consumer
  #session = 0
  #buffer: Buffered[] = []
  /** Next offset per partition delivered by kafkajs in this session (re-delivery detection). */
  #delivered = new Map<number, number>()
  /** Next offset per partition returned by polls in this session (what commit() writes). */
  #drained = new Map<number, number>()
  #rebalance: { reason: string, partitions: number[] | null } | null = null
  #running = false
  #closed = false
  #subscribing: Promise<void> | null = null

  constructor (options: SubscribeConsumerOptions) {
    this.#options = options
    this.#kafka = chaosKafka({ bootstrap: options.bootstrap, clientId: options.clientId, opTimeoutMs: options.opTimeoutMs, retries: 5 })
    this.#consumer = this.#kafka.consumer({
      groupId: options.group,
      sessionTimeout: 6000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    })
    const events = this.#consumer.events
    this.#consumer.on(events.GROUP_JOIN, event => {
      const assigned = (event.payload.memberAssignment as Record<string, number[]>)[options.topic] ?? []
      this.#newSession('joined', [...assigned].sort((a, b) => a - b))
    })
    this.#consumer.on(events.REBALANCING, () => this.#newSession('rebalancing', null))
    this.#consumer.on(events.CRASH, () => this.#newSession('crashed', null))
  }

  get group (): string {
    return this.#options.group
  }

  get subscribed (): boolean {
    return this.#running
  }

  #newSession (reason: string, partitions: number[] | null): void {
    this.#session++
    this.#buffer = []
    this.#delivered = new Map()
    this.#drained = new Map()
    this.#rebalance = { reason, partitions }
  }

  /** The rebalance since the last call, if any: the worker records it before the next op. */
  takeRebalance (): { reason: string, partitions: number[] | null } | null {
    const rebalance = this.#rebalance
    this.#rebalance = null
    return rebalance
  }

  /**
   * Joins the group. A failure leaves kafkajs half set up (connected, maybe a member), so it
   * is `info`: the worker retires this process and its successor starts clean.
   */
  async subscribe (): Promise<void> {
    const o = this.#options
    this.#subscribing = (async () => {
      await this.#consumer.connect()
      await this.#consumer.subscribe({ topics: [o.topic], fromBeginning: true })
      await this.#consumer.run({
        autoCommit: o.autoCommit,
        autoCommitInterval: o.autoCommitIntervalMs,
        eachBatchAutoResolve: true,
        eachBatch: payload => this.#onBatch(payload),
      })
    })()
    try {
      await this.#subscribing
    } catch (error) {
      throw new OutcomeError('info', `subscribe: ${(error as Error).message}`, { cause: error })
    }
    this.#running = true
  }

  async #onBatch ({ batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> {
    const partition = batch.partition
    for (const message of batch.messages) {
      const offset = Number(message.offset)
      const expected = this.#delivered.get(partition)
      if (expected !== undefined && offset < expected) this.#newSession('re-delivered', null)
      this.#delivered.set(partition, offset + 1)
      const value = parseValue(message.value)
      if (message.key === null || value === null) continue
      this.#buffer.push({ session: this.#session, partition, offset, key: message.key.toString('utf8'), value })
    }
    // Back-pressure: wait for polls to drain, heartbeating so the group keeps us.
    while (this.#buffer.length > BUFFERED_RECORDS_MAX && isRunning() && !this.#closed) {
      await sleep(100)
      await heartbeat()
    }
  }

  /** Drains up to POLL_RECORDS_MAX records of the current session, waiting briefly for some. */
  async poll (): Promise<Record<string, Array<[number, number]>>> {
    if (!this.#running) throw new OutcomeError('fail', 'not subscribed')
    const session = this.#session
    const deadline = Date.now() + POLL_WAIT_MS
    while (this.#buffer.length === 0 && Date.now() < deadline && this.#session === session) await sleep(20)
    if (this.#session !== session) return {}
    const taken = this.#buffer.splice(0, POLL_RECORDS_MAX)
    const out: Record<string, Array<[number, number]>> = {}
    for (const record of taken) {
      ;(out[record.key] ??= []).push([record.offset, record.value])
      this.#drained.set(record.partition, record.offset + 1)
    }
    return out
  }

  commitPlan (): Record<string, number> {
    const plan: Record<string, number> = {}
    for (const [partition, offset] of this.#drained) plan[partitionName(this.#options.topic, partition)] = offset
    return plan
  }

  async commit (): Promise<void> {
    if (!this.#running) throw new OutcomeError('fail', 'not subscribed')
    const topic = this.#options.topic
    const session = this.#session
    const offsets = [...this.#drained].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }))
    await this.#consumer.commitOffsets(offsets)
    // kafkajs skips the commit silently when its runner stopped (a crash): not a success.
    if (this.#session !== session) throw new OutcomeError('info', 'the group consumer rebalanced or crashed during the commit')
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#running = false
    // A join still under way (the worker gave up on it) would finish after this disconnect
    // and leave a live member behind: disconnect again once it settles.
    void this.#subscribing?.then(() => this.#consumer.disconnect(), () => this.#consumer.disconnect()).catch(() => {})
    await withDeadline(this.#consumer.disconnect(), CLOSE_TIMEOUT_MS, 'consumer disconnect').catch(() => {})
  }
}
