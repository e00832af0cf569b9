// The controller's answers to topic requests and AlterPartition, driven through the fixture
// that commits every proposal at once.

import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { ControllerFixture, leaderCounts, liveFor } from './controller-fixture.ts'

describe('topic creation', () => {
  it('places 6 partitions with RF 3 on 3 brokers so each leads 2, with 3 distinct replicas each', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    expect(f.createTopic('t', 6, 3).errorCode).toBe(ErrorCode.NONE)
    expect(leaderCounts(f, 't')).toEqual({ 1: 2, 2: 2, 3: 2 })
    for (const p of f.partitions('t')) {
      expect(new Set(p.replicas).size).toBe(3)
      expect(p.isr).toEqual(p.replicas)
      expect(p.leader).toBe(p.replicas[0])
      expect([p.leaderEpoch, p.partitionEpoch]).toEqual([0, 0])
    }
  })

  it('refuses a replication factor above the live unfenced brokers with INVALID_REPLICATION_FACTOR', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.register(4)
    expect(f.createTopic('t', 1, 4).errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR)
    expect(f.controller.image.topicByName('t')).toBeUndefined()
  })

  it('takes an explicit assignment and refuses bad ones', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    const create = (assignments: { partitionIndex: number, brokerIds: number[] }[], rf = -1) =>
      f.run({ kind: 'createTopics', validateOnly: false, topics: [{ name: 'x', numPartitions: -1, replicationFactor: rf, assignments, configs: [] }] }).topics[0]!.errorCode
    expect(create([{ partitionIndex: 0, brokerIds: [1, 1] }])).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    expect(create([{ partitionIndex: 1, brokerIds: [1] }])).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    expect(create([{ partitionIndex: 0, brokerIds: [9] }])).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    expect(create([{ partitionIndex: 0, brokerIds: [1] }], 1)).toBe(ErrorCode.INVALID_REQUEST)
    expect(create([{ partitionIndex: 1, brokerIds: [3, 2] }, { partitionIndex: 0, brokerIds: [2, 1] }])).toBe(ErrorCode.NONE)
    expect(f.partitions('x').map(p => p.replicas)).toEqual([[2, 1], [3, 2]])
  })

  it('refuses duplicates, bad names and existing topics, and validate_only writes nothing', () => {
    const f = new ControllerFixture()
    f.startBrokers(1)
    const before = f.log.length
    const reply = f.run({ kind: 'createTopics', validateOnly: true, topics: [{ name: 'v', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }] })
    expect(reply.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 1 })
    expect(f.log.length).toBe(before)
    expect(f.createTopic('bad/name', 1, 1).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    f.createTopic('a', 1, 1)
    expect(f.createTopic('a', 1, 1).errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS)
    const twice = f.run({ kind: 'createTopics', validateOnly: false, topics: [1, 2].map(() => ({ name: 'd', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })) })
    expect(twice.topics.map(t => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
  })

  it('keeps topic configs, refuses nonsense in the ones the controller acts on, and elects unclean per topic', () => {
    const f = new ControllerFixture()
    f.startBrokers(2)
    const create = (name: string, value: string) => f.run({ kind: 'createTopics', validateOnly: false, topics: [{ name, numPartitions: 1, replicationFactor: 2, assignments: [], configs: [{ name: 'unclean.leader.election.enable', value }] }] }).topics[0]!.errorCode
    expect(create('bad', 'maybe')).toBe(ErrorCode.INVALID_CONFIG)
    expect(create('u', 'true')).toBe(ErrorCode.NONE)
    expect(f.controller.image.config(2, 'u')?.get('unclean.leader.election.enable')).toBe('true')
    const p0 = f.partitions('u')[0]!
    const topicId = f.controller.image.topicByName('u')!.id
    f.run({ kind: 'alterPartition', brokerId: p0.leader, brokerEpoch: f.epochs.get(p0.leader)!, topics: [{ topicId, partitions: [{ partitionIndex: 0, leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0, newIsr: [{ brokerId: p0.leader, brokerEpoch: -1 }] }] }] })
    liveFor(f, 10_000, [p0.leader])
    expect(f.partitions('u')[0]!.leader).toBe(p0.replicas[1])
  })

  it('deletes topics and adds partitions through the controller', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 2, 2)
    const grow = f.run({ kind: 'createPartitions', validateOnly: false, topics: [{ name: 't', count: 5, assignments: null }, { name: 'nope', count: 2, assignments: null }] })
    expect(grow.results.map(r => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    expect(f.partitions('t').map(p => p.replicas.length)).toEqual([2, 2, 2, 2, 2])
    const shrink = f.run({ kind: 'createPartitions', validateOnly: false, topics: [{ name: 't', count: 3, assignments: null }] })
    expect(shrink.results[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS)
    const twice = f.run({ kind: 'deleteTopics', names: ['t', 't'] })
    expect(twice.topics.map(t => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
    const del = f.run({ kind: 'deleteTopics', names: ['t', 'nope'] })
    expect(del.topics.map(t => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    expect(f.controller.image.topicByName('t')).toBeUndefined()
  })
})

describe('topic config changes', () => {
  it('writes ConfigRecords for changed keys only, deletes with null, and refuses unknown topics and nonsense', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 1, 3)
    const alter = (name: string, configs: { name: string, value: string | null }[]) => f.run({ kind: 'alterConfigs', topics: [{ name, configs }] }).topics[0]!
    const configsOf = () => Object.fromEntries(f.controller.image.config(2, 't') ?? [])
    expect(alter('t', [{ name: 'retention.ms', value: '1000' }, { name: 'segment.bytes', value: '4096' }]).errorCode).toBe(ErrorCode.NONE)
    expect(configsOf()).toEqual({ 'retention.ms': '1000', 'segment.bytes': '4096' })
    const before = f.log.length
    expect(alter('t', [{ name: 'retention.ms', value: '1000' }, { name: 'segment.bytes', value: null }]).errorCode).toBe(ErrorCode.NONE)
    expect(f.log.length - before).toBe(1)
    expect(configsOf()).toEqual({ 'retention.ms': '1000' })
    expect(alter('nope', [{ name: 'retention.ms', value: '1' }]).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(alter('t', [{ name: 'min.insync.replicas', value: 'two' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringContaining('min.insync.replicas') })
    expect(configsOf()).toEqual({ 'retention.ms': '1000' })
  })
})

describe('AlterPartition', () => {
  function setup () {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 1, 3)
    const p = f.partitions('t')[0]!
    const topicId = f.controller.image.topicByName('t')!.id
    const alter = (parts: { brokerId?: number, leaderEpoch?: number, partitionEpoch?: number, isr?: number[], brokerEpoch?: number }) => {
      const brokerId = parts.brokerId ?? p.leader
      return f.run({
        kind: 'alterPartition', brokerId, brokerEpoch: parts.brokerEpoch ?? f.epochs.get(brokerId)!,
        topics: [{ topicId, partitions: [{ partitionIndex: 0, leaderEpoch: parts.leaderEpoch ?? p.leaderEpoch, partitionEpoch: parts.partitionEpoch ?? f.partitions('t')[0]!.partitionEpoch, leaderRecoveryState: 0, newIsr: (parts.isr ?? [...p.isr]).map(brokerId => ({ brokerId, brokerEpoch: -1 })) }] }],
      })
    }
    return { f, p, alter }
  }

  it('shrinks and expands the ISR, bumping only the partition epoch', () => {
    const { f, p, alter } = setup()
    const shrunk = alter({ isr: [p.leader] }).topics[0]!.partitions[0]!
    expect(shrunk).toMatchObject({ errorCode: 0, isr: [p.leader], leaderId: p.leader, leaderEpoch: 0, partitionEpoch: 1 })
    const grown = alter({ isr: [...p.replicas] }).topics[0]!.partitions[0]!
    expect(grown).toMatchObject({ errorCode: 0, isr: p.replicas, partitionEpoch: 2 })
    expect(f.partitions('t')[0]).toMatchObject({ isr: p.replicas, leaderEpoch: 0, partitionEpoch: 2 })
  })

  it('fences stale epochs, non-leaders and invalid ISRs with Kafka\'s codes', () => {
    const { f, p, alter } = setup()
    const code = (r: ReturnType<typeof alter>) => r.errorCode || r.topics[0]!.partitions[0]!.errorCode
    alter({ isr: [p.leader] })
    expect(code(alter({ partitionEpoch: 0, isr: [...p.replicas] }))).toBe(ErrorCode.INVALID_UPDATE_VERSION)
    expect(code(alter({ leaderEpoch: -1 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH)
    expect(code(alter({ leaderEpoch: 5 }))).toBe(ErrorCode.NOT_CONTROLLER)
    expect(code(alter({ brokerId: p.replicas.find(r => r !== p.leader)! }))).toBe(ErrorCode.INVALID_REQUEST)
    expect(code(alter({ isr: [p.leader, 9] }))).toBe(ErrorCode.INVALID_REQUEST)
    expect(code(alter({ isr: [p.leader, p.leader] }))).toBe(ErrorCode.INVALID_REQUEST)
    expect(code(alter({ isr: p.replicas.filter(r => r !== p.leader) }))).toBe(ErrorCode.INVALID_REQUEST)
    expect(code(alter({ brokerEpoch: 12345 }))).toBe(ErrorCode.STALE_BROKER_EPOCH)
    const other = p.replicas.find(r => r !== p.leader)!
    f.heartbeat(other, { wantFence: true })
    expect(code(alter({ isr: [p.leader, other] }))).toBe(ErrorCode.INELIGIBLE_REPLICA)
    expect(f.partitions('t')[0]!.isr).toEqual([p.leader])
  })
})
