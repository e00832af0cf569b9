// Drives a Controller the way the Raft glue will: every proposal is committed at once at
// the next offsets, and the clock is simulated. Used by the controller tests and the
// seeded simulation.

import { Controller } from '../../../broker/cluster/controller.ts'
import { DEFAULT_CONTROLLER_OPTIONS, type ControllerOptions } from '../../../broker/cluster/context.ts'
import type { MetadataRecord } from '../../../broker/cluster/records.ts'
import type { BrokerHeartbeatRequest, ControllerRequest, ReplyOf } from '../../../broker/cluster/requests.ts'
import { uuidFromBytes } from '../../../broker/protocol/uuid.ts'

export const CLUSTER_ID = 'test-cluster-id-000001'

/** Deterministic topic ids: 1, 2, 3... as uuids. */
export function counterUuids (): () => string {
  let next = 1
  return () => {
    const bytes = Buffer.alloc(16)
    bytes.writeUInt32BE(++next, 12)
    return uuidFromBytes(bytes)
  }
}

export class ControllerFixture {
  controller: Controller
  readonly log: MetadataRecord[] = []
  nowMs = 0
  lastOffset = -1
  readonly epochs = new Map<number, number>()

  constructor (options: Partial<ControllerOptions> = {}) {
    this.controller = new Controller({ ...DEFAULT_CONTROLLER_OPTIONS, clusterId: CLUSTER_ID, newUuid: counterUuids(), ...options })
    this.#propose(this.controller.activate(this.nowMs).records)
  }

  /** When false, proposals wait in `uncommitted` until commitPending (a slow quorum). */
  autoCommit = true
  readonly uncommitted: MetadataRecord[][] = []

  commitPending (proposals = this.uncommitted.length): void {
    for (const records of this.uncommitted.splice(0, proposals)) this.#commit(records)
  }

  /**
   * Failover to `next` (the old controller, deactivated, or one restored from a snapshot).
   * Proposals still in flight were either committed by the new quorum leader (they reach
   * `next` as a standby, before it activates) or lost.
   */
  replaceController (next: Controller, inFlight: 'commit' | 'lose'): void {
    this.controller = next
    if (inFlight === 'commit') this.commitPending()
    else this.uncommitted.length = 0
    this.#propose(next.activate(this.nowMs).records)
  }

  #propose (records: MetadataRecord[]): void {
    if (records.length === 0) return
    if (this.autoCommit) this.#commit(records)
    else this.uncommitted.push(records)
  }

  #commit (records: MetadataRecord[]): void {
    if (records.length === 0) return
    this.log.push(...records)
    this.lastOffset += records.length
    this.controller.commit(records, this.lastOffset)
  }

  run<R extends ControllerRequest> (request: R): ReplyOf<R> {
    const { records, reply } = this.controller.handle(request, this.nowMs)
    this.#propose(records)
    return reply
  }

  tick (advanceMs: number): MetadataRecord[] {
    this.nowMs += advanceMs
    const { records } = this.controller.tick(this.nowMs)
    this.#propose(records)
    return records
  }

  register (brokerId: number, incarnation = brokerId): number {
    const bytes = Buffer.alloc(16, 7)
    bytes.writeUInt32BE(incarnation, 0)
    const reply = this.run({
      kind: 'brokerRegistration', brokerId, clusterId: CLUSTER_ID, incarnationId: uuidFromBytes(bytes), rack: null,
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + brokerId, securityProtocol: 0 }],
    })
    if (reply.errorCode === 0) this.epochs.set(brokerId, reply.brokerEpoch)
    return reply.errorCode
  }

  heartbeat (brokerId: number, parts: Partial<BrokerHeartbeatRequest> = {}): ReplyOf<BrokerHeartbeatRequest> {
    return this.run({
      kind: 'brokerHeartbeat', brokerId, brokerEpoch: this.epochs.get(brokerId) ?? -1,
      currentMetadataOffset: this.lastOffset, wantFence: false, wantShutDown: false, ...parts,
    })
  }

  /** Registers and unfences brokers 1..count. */
  startBrokers (count: number): void {
    for (let id = 1; id <= count; id++) {
      this.register(id)
      this.heartbeat(id)
    }
  }

  createTopic (name: string, numPartitions: number, replicationFactor: number): ReplyOf<ControllerRequest & { kind: 'createTopics' }>['topics'][number] {
    return this.run({ kind: 'createTopics', validateOnly: false, topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: [] }] }).topics[0]!
  }

  partitions (topic: string): { replicas: readonly number[], isr: readonly number[], leader: number, leaderEpoch: number, partitionEpoch: number }[] {
    return [...this.controller.image.topicByName(topic)!.partitions]
  }
}

export function leaderCounts (f: ControllerFixture, topic: string): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const p of f.partitions(topic)) counts[p.leader] = (counts[p.leader] ?? 0) + 1
  return counts
}

/** Heartbeats from every registered broker but `silent`, advancing the clock in steps. */
export function liveFor (f: ControllerFixture, ms: number, silent: number[]): void {
  for (let t = 0; t < ms; t += 1000) {
    for (const id of f.controller.image.brokers.keys()) if (!silent.includes(id)) f.heartbeat(id)
    f.tick(1000)
  }
}
