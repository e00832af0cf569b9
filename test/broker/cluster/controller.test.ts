// The controller as the Raft glue will drive it: membership, fencing, elections, controlled
// shutdown and standby behaviour, over a simulated clock.

import { describe, expect, it } from 'vitest'
import { Controller } from '../../../broker/cluster/controller.ts'
import { controllerOptionsFromConfig, DEFAULT_CONTROLLER_OPTIONS } from '../../../broker/cluster/context.ts'
import { buildConfig } from '../../../broker/config/config.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { CLUSTER_ID, ControllerFixture, counterUuids, leaderCounts, liveFor } from './controller-fixture.ts'

describe('broker registration and heartbeats', () => {
  it('registers a broker fenced and unfences it once it has replayed its own registration', () => {
    const f = new ControllerFixture()
    f.register(1)
    const registeredAt = f.lastOffset
    expect(f.controller.image.brokers.get(1)?.fenced).toBe(true)
    expect(f.heartbeat(1, { currentMetadataOffset: registeredAt - 1 })).toMatchObject({ isFenced: true, isCaughtUp: false })
    expect(f.heartbeat(1, { currentMetadataOffset: registeredAt })).toMatchObject({ errorCode: 0, isFenced: false, isCaughtUp: true })
    expect(f.controller.image.isActive(1)).toBe(true)
  })

  it('refuses another cluster, unknown brokers, stale epochs and a second live incarnation', () => {
    const f = new ControllerFixture()
    f.startBrokers(1)
    const wrongCluster = f.run({ kind: 'brokerRegistration', brokerId: 2, clusterId: 'other', incarnationId: 'AAAAAAAAAAAAAAAAAAAAAg', listeners: [], rack: null })
    expect(wrongCluster.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID)
    expect(f.heartbeat(7).errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED)
    expect(f.heartbeat(1, { brokerEpoch: 999 }).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH)
    expect(f.register(1, 99)).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION)
  })

  it('gives a re-registering broker a higher epoch and takes it out of every ISR until it is back', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    f.createTopic('t', 2, 2)
    const oldEpoch = f.epochs.get(1)!
    f.tick(10_000)
    f.heartbeat(2)
    expect(f.register(1, 50)).toBe(0)
    expect(f.epochs.get(1)).toBeGreaterThan(oldEpoch)
    for (const p of f.partitions('t')) expect(p.isr).toEqual([2])
    expect(f.heartbeat(1, { brokerEpoch: oldEpoch }).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH)
  })
})

describe('fencing and leader election', () => {
  it('fences a broker silent for broker.session.timeout.ms and moves its leaderships with bumped epochs', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 6, 3)
    const before = f.partitions('t')
    liveFor(f, 8000, [1])
    expect(f.controller.image.isActive(1)).toBe(true)
    liveFor(f, 2000, [1])
    expect(f.controller.image.brokers.get(1)?.fenced).toBe(true)
    f.partitions('t').forEach((p, i) => {
      expect(p.leader).not.toBe(1)
      expect(p.isr).not.toContain(1)
      const old = before[i]!
      expect(p.leaderEpoch).toBe(old.leader === 1 ? old.leaderEpoch + 1 : old.leaderEpoch)
      // The new leader is the first live ISR member in AR order.
      if (old.leader === 1) expect(p.leader).toBe(old.replicas.find(r => r !== 1))
    })
  })

  it('says when the next tick has work: the first session to expire', () => {
    const f = new ControllerFixture({ autoLeaderRebalance: false })
    expect(f.controller.nextTickMs()).toBe(Number.POSITIVE_INFINITY)
    f.startBrokers(2)
    f.nowMs = 500
    f.heartbeat(2)
    expect(f.controller.nextTickMs()).toBe(9001)
    expect(f.tick(8500).length).toBe(0)
    expect(f.tick(1).map(r => r.type)).toContain('fenceBroker')
    expect(f.controller.image.brokers.get(1)?.fenced).toBe(true)
  })

  it('leaves a partition offline when its last ISR member dies, and gives it back when that broker returns', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    f.createTopic('solo', 1, 1)
    const owner = f.partitions('solo')[0]!.leader
    liveFor(f, 10_000, [owner])
    expect(f.partitions('solo')[0]).toMatchObject({ leader: -1, isr: [owner], leaderEpoch: 1 })
    f.heartbeat(owner)
    expect(f.partitions('solo')[0]).toMatchObject({ leader: owner, isr: [owner], leaderEpoch: 2 })
  })

  it('elects an out-of-sync replica only when unclean election is enabled', () => {
    for (const unclean of [false, true]) {
      const f = new ControllerFixture({ uncleanLeaderElection: unclean })
      f.startBrokers(2)
      f.createTopic('t', 1, 2)
      const p0 = f.partitions('t')[0]!
      const follower = p0.replicas[1]!
      f.run({ kind: 'alterPartition', brokerId: p0.leader, brokerEpoch: f.epochs.get(p0.leader)!, topics: [{ topicId: f.controller.image.topicByName('t')!.id, partitions: [{ partitionIndex: 0, leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0, newIsr: [{ brokerId: p0.leader, brokerEpoch: -1 }] }] }] })
      liveFor(f, 10_000, [p0.leader])
      expect(f.partitions('t')[0]!.leader).toBe(unclean ? follower : -1)
    }
  })

  it('elects preferred leaders by ElectLeaders once the preferred replica is back in the ISR', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    f.createTopic('t', 2, 2)
    liveFor(f, 10_000, [1])
    f.heartbeat(1)
    const preferred = f.run({ kind: 'electLeaders', electionType: 0, topicPartitions: [{ topic: 't', partitions: [0, 1, 7] }] })
    // Broker 1 is back but not in the ISR yet: its preferred partition cannot move back.
    const p1 = f.partitions('t').findIndex(p => p.replicas[0] === 1)
    expect(preferred.results[0]!.partitions[p1]!.errorCode).toBe(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
    expect(preferred.results[0]!.partitions[1 - p1]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED)
    expect(preferred.results[0]!.partitions[2]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const p = f.partitions('t')[p1]!
    const topicId = f.controller.image.topicByName('t')!.id
    const expand = f.run({ kind: 'alterPartition', brokerId: p.leader, brokerEpoch: f.epochs.get(p.leader)!, topics: [{ topicId, partitions: [{ partitionIndex: p1, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, leaderRecoveryState: 0, newIsr: [{ brokerId: 2, brokerEpoch: -1 }, { brokerId: 1, brokerEpoch: f.epochs.get(1)! }] }] }] })
    expect(expand.topics[0]!.partitions[0]!.errorCode).toBe(0)
    const again = f.run({ kind: 'electLeaders', electionType: 0, topicPartitions: null })
    expect(again.results).toEqual([{ topic: 't', partitions: [{ partitionId: p1, errorCode: 0, errorMessage: null }] }])
    expect(f.partitions('t')[p1]!.leader).toBe(1)
    const unclean = f.run({ kind: 'electLeaders', electionType: 1, topicPartitions: [{ topic: 't', partitions: [0] }] })
    expect(unclean.results[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED)
  })

  it('revives an offline partition with ElectLeaders UNCLEAN, leaving the ISR to the new leader', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    f.createTopic('t', 1, 2)
    const p0 = f.partitions('t')[0]!
    const topicId = f.controller.image.topicByName('t')!.id
    f.run({ kind: 'alterPartition', brokerId: p0.leader, brokerEpoch: f.epochs.get(p0.leader)!, topics: [{ topicId, partitions: [{ partitionIndex: 0, leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0, newIsr: [{ brokerId: p0.leader, brokerEpoch: -1 }] }] }] })
    liveFor(f, 10_000, [p0.leader])
    expect(f.partitions('t')[0]!.leader).toBe(-1)
    const preferred = f.run({ kind: 'electLeaders', electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }] })
    expect(preferred.results[0]!.partitions[0]!.errorCode).toBe(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
    const unclean = f.run({ kind: 'electLeaders', electionType: 1, topicPartitions: [{ topic: 't', partitions: [0] }] })
    expect(unclean.results[0]!.partitions[0]!.errorCode).toBe(0)
    expect(f.partitions('t')[0]).toMatchObject({ leader: p0.replicas[1], isr: [p0.replicas[1]], leaderEpoch: 2 })
    expect(f.controller.image.partition(topicId, 0)!.leaderRecoveryState).toBe(1)
  })

  it('rebalances preferred leaders automatically every leader.imbalance.check.interval', () => {
    const f = new ControllerFixture({ leaderImbalanceCheckIntervalMs: 30_000 })
    f.startBrokers(2)
    f.createTopic('t', 4, 2)
    liveFor(f, 10_000, [1])
    f.heartbeat(1)
    const topicId = f.controller.image.topicByName('t')!.id
    f.partitions('t').forEach((p, partitionIndex) => {
      f.run({ kind: 'alterPartition', brokerId: 2, brokerEpoch: f.epochs.get(2)!, topics: [{ topicId, partitions: [{ partitionIndex, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, leaderRecoveryState: 0, newIsr: [{ brokerId: 2, brokerEpoch: -1 }, { brokerId: 1, brokerEpoch: -1 }] }] }] })
    })
    expect(leaderCounts(f, 't')).toEqual({ 2: 4 })
    liveFor(f, 30_000, [])
    expect(leaderCounts(f, 't')).toEqual({ 1: 2, 2: 2 })
  })
})

describe('controlled shutdown', () => {
  it('moves leaderships away first, and grants shutdown once every active broker has seen that', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 6, 3)
    const first = f.heartbeat(1, { wantShutDown: true })
    expect(first).toMatchObject({ isFenced: false, shouldShutDown: false })
    expect(f.partitions('t').every(p => p.leader !== 1 && !p.isr.includes(1))).toBe(true)
    expect(f.controller.image.brokers.get(1)?.inControlledShutdown).toBe(true)
    // Broker 2 and 3 have not replayed the change yet.
    f.heartbeat(2, { currentMetadataOffset: f.lastOffset - 1 })
    expect(f.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(false)
    f.heartbeat(2)
    f.heartbeat(3)
    expect(f.heartbeat(1, { wantShutDown: true })).toMatchObject({ shouldShutDown: true, isFenced: true })
    expect(f.controller.image.brokers.get(1)?.fenced).toBe(true)
  })

  it('lets a broker with no leaderships shut down at once', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    expect(f.heartbeat(2, { wantShutDown: true })).toMatchObject({ shouldShutDown: true, isFenced: true })
  })
})

describe('controller roles', () => {
  it('takes its options from the broker config keys', () => {
    const options = controllerOptionsFromConfig(buildConfig({ 'broker.session.timeout.ms': 5000, 'leader.imbalance.check.interval.seconds': 7, 'unclean.leader.election.enable': true }), 'c1')
    expect(options).toMatchObject({ clusterId: 'c1', sessionTimeoutMs: 5000, leaderImbalanceCheckIntervalMs: 7000, uncleanLeaderElection: true, defaultReplicationFactor: 1, leaderImbalancePerBrokerPercentage: 10 })
    expect(options.newUuid()).not.toBe(options.newUuid())
  })

  it('answers NOT_CONTROLLER and proposes nothing while standby', () => {
    const c = new Controller({ ...DEFAULT_CONTROLLER_OPTIONS, clusterId: CLUSTER_ID, newUuid: counterUuids() })
    const result = c.handle({ kind: 'createTopics', validateOnly: false, topics: [{ name: 'a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }] }, 0)
    expect(result.records).toEqual([])
    expect(result.reply.topics[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER)
    expect(c.tick(100_000).records).toEqual([])
  })

  it('drops uncommitted proposals when it loses leadership, and replays others\' records as a standby', () => {
    const f = new ControllerFixture()
    f.startBrokers(1)
    const { records } = f.controller.handle({ kind: 'createTopics', validateOnly: false, topics: [{ name: 'lost', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }] }, 0)
    expect(f.controller.image.topicByName('lost')).toBeDefined()
    f.controller.deactivate()
    expect(f.controller.image.topicByName('lost')).toBeUndefined()
    f.controller.commit(records, f.lastOffset + records.length)
    expect(f.controller.committedImage.topicByName('lost')).toBeDefined()
    expect(f.controller.image).toBe(f.controller.committedImage)
  })
})
