// One logical chaos client process: a kafkajs producer for sends and a consumer for polls
// and commits (assign-style on Sluice's own client, or subscribe-style on a kafkajs group
// consumer; see those modules for why). Both are created on first use, so a process that
// only sends never joins a group. A process is torn down for good when it crashes or one of
// its ops ends `info`; its successor gets a fresh process id and a fresh client.

import { AssignConsumer } from './assign-consumer.ts'
import { ChaosProducer } from './producer.ts'
import { SubscribeConsumer } from './subscribe-consumer.ts'
import type { Acks } from '../../broker/client/kafka-client.ts'

export interface ChaosClientConfig {
  bootstrap: readonly string[]
  /** The topic sends go to and polls read. */
  topic: string
  partitions: number
  opTimeoutMs: number
  acks: Acks
  idempotent: boolean
  retries: number
  subscribeVia: 'assign' | 'subscribe'
  /** The group every subscribe-style consumer joins. */
  subscribeGroup: string
  autoCommit: boolean
  autoCommitIntervalMs: number
}

export type Reads = Record<string, Array<[number, number]>>

/** The group an assign-style consumer of process slot `slot` commits to. */
export function assignGroupFor (slot: number): string {
  return `chaos-assign-${slot}`
}

export class ChaosClient {
  readonly process: number
  readonly #slot: number
  readonly #config: ChaosClientConfig
  #producer: ChaosProducer | null = null
  #assign: AssignConsumer | null = null
  #subscribe: SubscribeConsumer | null = null

  constructor (process: number, slot: number, config: ChaosClientConfig) {
    this.process = process
    this.#slot = slot
    this.#config = config
  }

  get #clientId (): string {
    return `sluice-chaos-p${this.process}`
  }

  /** Whether the consumer side has been set up (assigned or subscribed) in this process. */
  get consuming (): boolean {
    return this.#assign?.assigned === true || this.#subscribe?.subscribed === true
  }

  send (key: string, value: number): Promise<number | null> {
    const c = this.#config
    this.#producer ??= new ChaosProducer({
      bootstrap: c.bootstrap, clientId: this.#clientId, opTimeoutMs: c.opTimeoutMs, retries: c.retries,
      topic: c.topic, partitions: c.partitions, acks: c.acks, idempotent: c.idempotent,
    })
    return this.#producer.send(key, value)
  }

  assign (partitions: readonly number[]): Promise<Record<string, number>> {
    const c = this.#config
    this.#assign ??= new AssignConsumer({ bootstrap: c.bootstrap, clientId: this.#clientId, topic: c.topic, group: assignGroupFor(this.#slot), opTimeoutMs: c.opTimeoutMs })
    return this.#assign.assign(partitions)
  }

  subscribe (): Promise<void> {
    const c = this.#config
    this.#subscribe ??= new SubscribeConsumer({
      bootstrap: c.bootstrap, clientId: this.#clientId, topic: c.topic, group: c.subscribeGroup,
      opTimeoutMs: c.opTimeoutMs, autoCommit: c.autoCommit, autoCommitIntervalMs: c.autoCommitIntervalMs,
    })
    return this.#subscribe.subscribe()
  }

  /** The rebalance (subscribe-style) since the last call, to record before the next op. */
  takeRebalance (): { reason: string, partitions: number[] | null } | null {
    return this.#subscribe?.takeRebalance() ?? null
  }

  poll (): Promise<Reads> {
    if (this.#subscribe !== null) return this.#subscribe.poll()
    if (this.#assign !== null) return this.#assign.poll()
    return Promise.resolve({})
  }

  /** `{group, offsets}` a commit now would write, or null when there is nothing to commit. */
  commitPlan (): { group: string, offsets: Record<string, number> } | null {
    const consumer = this.#subscribe ?? this.#assign
    if (consumer === null) return null
    const offsets = consumer.commitPlan()
    return Object.keys(offsets).length === 0 ? null : { group: consumer.group, offsets }
  }

  async commit (): Promise<void> {
    if (this.#subscribe !== null) await this.#subscribe.commit()
    else if (this.#assign !== null) await this.#assign.commit()
  }

  /**
   * The client of `successor` after this process retired over a send whose outcome is
   * unknown: a fresh producer (the old one is torn down with whatever it still has in
   * flight), but the same consumer. The consumer took no part in the unknown op, and keeping
   * it spares a subscribe-style group a rebalance for every lost send acknowledgement; the
   * successor's poll-order tracking starts afresh anyway, as for any new process.
   */
  async handOver (successor: number): Promise<ChaosClient> {
    const next = new ChaosClient(successor, this.#slot, this.#config)
    next.#assign = this.#assign
    next.#subscribe = this.#subscribe
    this.#assign = null
    this.#subscribe = null
    await this.close()
    return next
  }

  /** Tears everything down; bounded, never throws. */
  async close (): Promise<void> {
    this.#assign?.close()
    await Promise.allSettled([this.#producer?.close(), this.#subscribe?.close()])
  }
}
