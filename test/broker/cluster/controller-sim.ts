// A seeded random walk of the controller alone: brokers register, heartbeat (or go
// silent), ask to be fenced or to shut down; topics come and go; leaders shrink and grow
// ISRs with current or stale epochs; elections are requested; the clock jumps; the
// controller fails over, sometimes losing proposals that never committed. After every step
// the committed image must satisfy the invariants of replication.md (plus: no inactive
// broker in an ISR of more than one, no partition offline while it could lead), and at the end a
// replay of the committed log (through the binary codec) and a snapshot round trip must
// rebuild exactly the controller's image.

import { expect } from 'vitest'
import { Controller } from '../../../broker/cluster/controller.ts'
import type { MetadataImage } from '../../../broker/cluster/image.ts'
import { decodeRecord, encodeRecord } from '../../../broker/cluster/record-codec.ts'
import { decodeSnapshot, encodeSnapshot, imageFromRecords, imageToRecords } from '../../../broker/cluster/snapshot.ts'
import { Prng } from '../../../chaos/run/prng.ts'
import { ControllerFixture } from './controller-fixture.ts'

export interface SimOptions { steps: number }

class Invariants {
  readonly #epochs = new Map<string, { leaderEpoch: number, partitionEpoch: number, leader: number, isr: string }>()
  readonly #leaderOfEpoch = new Map<string, number>()

  check (image: MetadataImage, unclean: boolean, where: string): void {
    for (const topic of image.topics.values()) {
      topic.partitions.forEach((p, id) => {
        const key = `${topic.id}-${id}`
        const at = `${where}: ${topic.name}-${id} ${JSON.stringify(p)}`
        const fail = (what: string): never => { throw new Error(`${what} at ${at}`) }
        if (new Set(p.replicas).size !== p.replicas.length) fail('duplicate replicas')
        if (new Set(p.isr).size !== p.isr.length || p.isr.length === 0) fail('ISR empty or with duplicates')
        if (!p.isr.every(r => p.replicas.includes(r))) fail('ISR not a subset of AR')
        // Fencing and shutdown take a broker out of every ISR, except as its last member.
        if (p.isr.length > 1 && !p.isr.every(r => image.isActive(r))) fail('an inactive broker in a multi-member ISR')
        if (p.leader !== -1) {
          if (!p.isr.includes(p.leader)) fail('leader outside the ISR')
          if (!image.isActive(p.leader)) fail('leader fenced, unregistered or shutting down')
        } else {
          const eligible = unclean ? p.replicas : p.isr
          if (eligible.some(r => image.isActive(r))) fail('offline although an eligible replica is active')
        }
        const seen = this.#epochs.get(key)
        if (seen !== undefined) {
          if (p.leaderEpoch < seen.leaderEpoch || p.partitionEpoch < seen.partitionEpoch) fail(`epochs went back from ${JSON.stringify(seen)}`)
          if (p.leader !== seen.leader && p.leaderEpoch === seen.leaderEpoch) fail(`leader changed from ${seen.leader} without a new leader epoch`)
          if ((p.leader !== seen.leader || p.isr.join() !== seen.isr) && p.partitionEpoch === seen.partitionEpoch) fail('state changed without a new partition epoch')
        }
        this.#epochs.set(key, { leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, leader: p.leader, isr: p.isr.join() })
        const epochKey = `${key}@${p.leaderEpoch}`
        const leader = this.#leaderOfEpoch.get(epochKey)
        if (leader !== undefined && leader !== p.leader) fail(`two leaders (${leader}, ${p.leader}) in one leader epoch`)
        this.#leaderOfEpoch.set(epochKey, p.leader)
      })
    }
  }
}

class Sim {
  readonly rng: Prng
  readonly f: ControllerFixture
  readonly brokerCount: number
  readonly unclean: boolean
  readonly silent = new Set<number>()
  readonly slowQuorum: boolean
  #topicSerial = 0
  #incarnation = 1000

  constructor (seed: number) {
    this.rng = new Prng(seed)
    this.unclean = this.rng.chance(0.3)
    this.brokerCount = 1 + this.rng.int(5)
    this.f = new ControllerFixture({
      uncleanLeaderElection: this.unclean,
      leaderImbalanceCheckIntervalMs: 5000 + this.rng.int(60_000),
      autoLeaderRebalance: this.rng.chance(0.8),
    })
    for (let id = 1; id <= this.brokerCount; id++) this.f.register(id, id)
    this.slowQuorum = this.rng.chance(0.5)
    this.f.autoCommit = !this.slowQuorum
  }

  brokerId (): number { return 1 + this.rng.int(this.brokerCount) }

  randomPartition (): { topicId: string, id: number } | undefined {
    const topics = [...this.f.controller.image.topics.values()].filter(t => t.partitions.length > 0)
    if (topics.length === 0) return undefined
    const topic = this.rng.pick(topics)
    return { topicId: topic.id, id: this.rng.int(topic.partitions.length) }
  }

  heartbeat (): void {
    const id = this.brokerId()
    if (this.silent.has(id) && this.rng.chance(0.8)) return
    const lagging = this.rng.chance(0.2)
    this.f.heartbeat(id, {
      currentMetadataOffset: lagging ? Math.max(-1, this.f.lastOffset - this.rng.int(5)) : this.f.lastOffset,
      wantFence: this.rng.chance(0.03),
      wantShutDown: this.rng.chance(0.04),
    })
  }

  liveness (): void {
    const id = this.brokerId()
    if (this.silent.has(id)) this.silent.delete(id)
    else this.silent.add(id)
    if (this.rng.chance(0.3)) this.f.register(id, ++this.#incarnation)
  }

  heartbeatAll (): void {
    for (let id = 1; id <= this.brokerCount; id++) if (!this.silent.has(id)) this.f.heartbeat(id)
  }

  createTopic (): void {
    const explicit = this.rng.chance(0.2)
    const name = `t${this.#topicSerial++}`
    const partitions = 1 + this.rng.int(4)
    const assignments = explicit
      ? Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, brokerIds: this.rng.sample([1, 2, 3, 4, 5].slice(0, this.brokerCount), 1 + this.rng.int(2)) }))
      : []
    this.f.run({ kind: 'createTopics', validateOnly: false, topics: [{ name, numPartitions: explicit ? -1 : partitions, replicationFactor: explicit ? -1 : 1 + this.rng.int(3), assignments, configs: [] }] })
  }

  deleteOrGrow (): void {
    const topics = [...this.f.controller.image.topicIdsByName.keys()]
    if (topics.length === 0) return
    const name = this.rng.pick(topics)
    if (this.rng.chance(0.4)) this.f.run({ kind: 'deleteTopics', names: [name] })
    else this.f.run({ kind: 'createPartitions', validateOnly: false, topics: [{ name, count: this.f.partitions(name).length + 1 + this.rng.int(2), assignments: null }] })
  }

  alterPartition (): void {
    const target = this.randomPartition()
    if (target === undefined) return
    const p = this.f.controller.image.partition(target.topicId, target.id)!
    const sender = p.leader !== -1 && this.rng.chance(0.85) ? p.leader : this.brokerId()
    const stale = this.rng.chance(0.2)
    const others = p.replicas.filter(r => r !== sender)
    const newIsr = [sender, ...this.rng.sample(others, this.rng.int(others.length + 1))]
    this.f.run({
      kind: 'alterPartition', brokerId: sender, brokerEpoch: this.f.epochs.get(sender) ?? -1,
      topics: [{ topicId: target.topicId, partitions: [{ partitionIndex: target.id, leaderEpoch: p.leaderEpoch - (stale ? this.rng.int(2) : 0), partitionEpoch: p.partitionEpoch - (stale ? 1 : 0), leaderRecoveryState: 0, newIsr: newIsr.map(brokerId => ({ brokerId, brokerEpoch: this.rng.chance(0.9) ? -1 : this.f.epochs.get(brokerId) ?? -1 })) }] }],
    })
  }

  elect (): void {
    const target = this.randomPartition()
    const all = target === undefined || this.rng.chance(0.3)
    const topicName = target === undefined ? '' : [...this.f.controller.image.topics.values()].find(t => t.id === target.topicId)!.name
    this.f.run({ kind: 'electLeaders', electionType: this.rng.int(2), topicPartitions: all ? null : [{ topic: topicName, partitions: [target.id] }] })
  }

  /**
   * A failover: to the same node or to one restored from a snapshot of the committed image,
   * with the proposals in flight either committed by the new quorum leader or lost.
   */
  failover (): void {
    const c = this.f.controller
    this.f.run({ kind: 'createTopics', validateOnly: false, topics: [{ name: `late${this.#topicSerial++}`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }] })
    c.deactivate()
    if (c.image !== c.committedImage) throw new Error('deactivate kept uncommitted records')
    const next = this.rng.chance(0.5) ? c : new Controller(c.options, decodeSnapshot(encodeSnapshot(c.committedImage)), this.f.lastOffset)
    this.f.replaceController(next, this.rng.chance(0.5) ? 'commit' : 'lose')
  }

  step (): void {
    // A slow quorum: proposals pile up, and later requests are judged on the uncommitted image.
    if (this.slowQuorum) {
      if (this.rng.chance(0.4)) this.f.commitPending(1 + this.rng.int(3))
    }
    const op = this.rng.weighted([30, 8, 10, 12, 6, 14, 6, 2, 6])
    switch (op) {
      case 0: return this.heartbeat()
      case 1: return this.liveness()
      case 2: this.heartbeatAll(); this.f.tick(this.rng.int(4000)); return
      case 3: return this.createTopic()
      case 4: return this.deleteOrGrow()
      case 5: return this.alterPartition()
      case 6: return this.elect()
      case 7: return this.failover()
      default: this.f.tick(this.rng.int(12_000))
    }
  }
}

function checkReplay (f: ControllerFixture): void {
  f.commitPending()
  expect(f.controller.image).toBe(f.controller.committedImage)
  const decoded = f.log.map(rec => decodeRecord(encodeRecord(rec)))
  const replayed = imageFromRecords(decoded)
  const own = imageToRecords(f.controller.committedImage)
  expect(imageToRecords(replayed)).toEqual(own)
  expect(imageToRecords(decodeSnapshot(encodeSnapshot(replayed)))).toEqual(own)
}

/** Runs one seed; throws with the step and the invariant that broke. */
export function runControllerSim (seed: number, options: SimOptions): void {
  const sim = new Sim(seed)
  const invariants = new Invariants()
  for (let i = 0; i < options.steps; i++) {
    sim.step()
    invariants.check(sim.f.controller.committedImage, sim.unclean, `seed ${seed} step ${i}`)
  }
  checkReplay(sim.f)
}
