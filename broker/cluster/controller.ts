// The cluster controller as a deterministic state machine (Kafka's QuorumController without
// its threads). It never does I/O: the Raft glue feeds it requests, ticks and committed
// records, and it returns records to propose plus the reply to send once they commit.
//
// Two images: `committed` is the log up to the last committed offset; `image` adds what
// this controller proposed and has not seen committed yet, so a second request already sees
// the first one's effects (Kafka applies its own records at once, too). Losing leadership
// (`deactivate`) drops the uncommitted part. Only the active controller answers requests;
// everyone else gets NOT_CONTROLLER and no records.

import { ErrorCode } from '../protocol/errors.ts'
import { brokerHeartbeat, fenceExpiredBrokers, registerBroker } from './broker-control.ts'
import { RecordBatch, type ControllerContext, type ControllerOptions } from './context.ts'
import { electLeaders } from './elect-leaders.ts'
import { BrokerHeartbeats } from './heartbeats.ts'
import { MetadataImage } from './image.ts'
import { alterPartition, rebalanceLeaders } from './partition-control.ts'
import type { MetadataRecord } from './records.ts'
import type { ControllerRequest, ControllerResult, ReplyByKind, ReplyOf } from './requests.ts'
import { alterTopicConfigs, createPartitions, createTopics, deleteTopics } from './topic-control.ts'
import { ZERO_UUID } from '../protocol/uuid.ts'

/** The newest metadata.version Sluice writes (Kafka 3.9's level; only the number matters here). */
export const METADATA_VERSION_LEVEL = 21

export class Controller {
  readonly options: ControllerOptions
  #committed: MetadataImage
  #image: MetadataImage
  /** Proposed records not yet seen committed, oldest first. */
  #pending: MetadataRecord[] = []
  #active = false
  #nextRebalanceMs = 0
  readonly #heartbeats = new BrokerHeartbeats()

  constructor (options: ControllerOptions, committed: MetadataImage = MetadataImage.EMPTY, snapshotOffset = -1) {
    this.options = options
    this.#committed = committed
    this.#image = committed
    for (const id of committed.brokers.keys()) this.#heartbeats.recordRegistrationOffset(id, snapshotOffset)
  }

  get isActive (): boolean { return this.#active }
  /** Everything proposed so far, committed or not (what the next request is judged against). */
  get image (): MetadataImage { return this.#image }
  get committedImage (): MetadataImage { return this.#committed }

  /**
   * This node's Raft replica became leader and every record of earlier epochs is committed
   * (Kafka's raft client announces leadership only then): start every broker's session afresh and, on an
   * empty log, propose the metadata.version record first as Kafka does.
   */
  activate (nowMs: number): ControllerResult<void> {
    this.#active = true
    this.#heartbeats.resetAll(this.#image, nowMs)
    this.#nextRebalanceMs = nowMs + this.options.leaderImbalanceCheckIntervalMs
    const records: MetadataRecord[] = this.#image.features.has('metadata.version')
      ? []
      : [{ type: 'featureLevel', name: 'metadata.version', featureLevel: METADATA_VERSION_LEVEL }]
    this.#propose(records)
    return { records, reply: undefined }
  }

  /** Leadership lost: forget what was proposed but not committed. */
  deactivate (): void {
    this.#active = false
    this.#pending = []
    this.#image = this.#committed
  }

  /**
   * Records committed by the quorum, in log order, the last at `lastOffset`. On the active
   * controller they are its own proposals coming back; elsewhere they are news.
   */
  commit (records: readonly MetadataRecord[], lastOffset: number): void {
    this.#committed = this.#committed.apply(records)
    const firstOffset = lastOffset - records.length + 1
    records.forEach((rec, i) => {
      if (rec.type === 'registerBroker') this.#heartbeats.recordRegistrationOffset(rec.brokerId, firstOffset + i)
      if (rec.type === 'brokerRegistrationChange' && rec.inControlledShutdown) this.#heartbeats.recordControlledShutdownOffset(rec.brokerId, firstOffset + i)
    })
    if (!this.#active) {
      this.#image = this.#committed
      return
    }
    // Active since every earlier record was committed, so what commits now is our own.
    records.forEach((rec, i) => {
      if (this.#pending[i]?.type !== rec.type) throw new Error(`controller: committed ${rec.type} is not the proposal it should be (${this.#pending[i]?.type ?? 'none'})`)
    })
    this.#pending = this.#pending.slice(records.length)
    if (this.#pending.length === 0) this.#image = this.#committed
  }

  handle<R extends ControllerRequest> (request: R, nowMs: number): ControllerResult<ReplyOf<R>> {
    if (!this.#active) return { records: [], reply: notController(request) as ReplyOf<R> }
    const ctx = this.#context(nowMs)
    const result = dispatch(ctx, request) as ControllerResult<ReplyOf<R>>
    this.#propose(result.records)
    return result
  }

  /** Session expiry and, every leader.imbalance.check.interval, preferred-leader balancing. */
  tick (nowMs: number): ControllerResult<void> {
    if (!this.#active) return { records: [], reply: undefined }
    const ctx = this.#context(nowMs)
    fenceExpiredBrokers(ctx)
    if (this.options.autoLeaderRebalance && nowMs >= this.#nextRebalanceMs) {
      this.#nextRebalanceMs = nowMs + this.options.leaderImbalanceCheckIntervalMs
      rebalanceLeaders(ctx)
    }
    this.#propose(ctx.batch.records)
    return { records: ctx.batch.records, reply: undefined }
  }

  /** When `tick` next has work: a session that may expire, or the next balancing round. */
  nextTickMs (): number {
    if (!this.#active) return Number.POSITIVE_INFINITY
    const expiry = this.#heartbeats.nextExpiryMs(this.#image, this.options.sessionTimeoutMs)
    return this.options.autoLeaderRebalance ? Math.min(expiry, this.#nextRebalanceMs) : expiry
  }

  #context (nowMs: number): ControllerContext {
    return { options: this.options, heartbeats: this.#heartbeats, nowMs, batch: new RecordBatch(this.#image) }
  }

  #propose (records: readonly MetadataRecord[]): void {
    if (records.length === 0) return
    this.#pending.push(...records)
    this.#image = this.#image.apply(records)
  }
}

function dispatch (ctx: ControllerContext, request: ControllerRequest): ControllerResult<unknown> {
  switch (request.kind) {
    case 'brokerRegistration': return registerBroker(ctx, request)
    case 'brokerHeartbeat': return brokerHeartbeat(ctx, request)
    case 'createTopics': return createTopics(ctx, request)
    case 'deleteTopics': return deleteTopics(ctx, request)
    case 'createPartitions': return createPartitions(ctx, request)
    case 'alterConfigs': return alterTopicConfigs(ctx, request)
    case 'alterPartition': return alterPartition(ctx, request)
    case 'electLeaders': return electLeaders(ctx, request)
  }
}

/** The reply a standby controller gives: NOT_CONTROLLER wherever the schema has an error code. */
export function notController (request: ControllerRequest): ReplyByKind[ControllerRequest['kind']] {
  const code = ErrorCode.NOT_CONTROLLER
  const message = 'this node is not the active controller'
  switch (request.kind) {
    case 'brokerRegistration': return { errorCode: code, errorMessage: message, brokerEpoch: -1 }
    case 'brokerHeartbeat': return { errorCode: code, isCaughtUp: false, isFenced: true, shouldShutDown: false }
    case 'createTopics': return { topics: request.topics.map(t => ({ name: t.name, topicId: ZERO_UUID, errorCode: code, errorMessage: message, numPartitions: -1, replicationFactor: -1 })) }
    case 'deleteTopics': return { topics: request.names.map(name => ({ name, topicId: ZERO_UUID, errorCode: code, errorMessage: message })) }
    case 'createPartitions': return { results: request.topics.map(t => ({ name: t.name, errorCode: code, errorMessage: message })) }
    case 'alterConfigs': return { topics: request.topics.map(t => ({ name: t.name, errorCode: code, errorMessage: message })) }
    case 'alterPartition': return { errorCode: code, topics: [] }
    case 'electLeaders': return { errorCode: code, results: [] }
  }
}
