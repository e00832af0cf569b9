import { describe, expect, it } from 'vitest'
import { liveBrokerAddresses, MetadataImage, offlineReplicas } from '../../../broker/cluster/image.ts'
import { localChanges } from '../../../broker/cluster/local-changes.ts'
import { NO_LEADER_CHANGE, type MetadataRecord } from '../../../broker/cluster/records.ts'
import { decodeSnapshot, encodeSnapshot, imageFromRecords, imageToRecords } from '../../../broker/cluster/snapshot.ts'

const A = 'AAAAAAAAAAAAAAAAAAAAAg'
const B = 'AAAAAAAAAAAAAAAAAAAAAw'
const INC = 'Zr8iGGyQTS6r0n2qM-rfKA'

function broker (id: number, epoch = id): MetadataRecord {
  return { type: 'registerBroker', brokerId: id, incarnationId: INC, brokerEpoch: epoch, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + id, securityProtocol: 0 }], rack: null, fenced: true, inControlledShutdown: false }
}

function partition (topicId: string, partitionId: number, replicas: number[], leader = replicas[0]!): MetadataRecord {
  return { type: 'partition', topicId, partitionId, replicas, isr: [...replicas], leader, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }
}

const change = (topicId: string, partitionId: number, parts: { isr?: number[], leader?: number }): MetadataRecord =>
  ({ type: 'partitionChange', topicId, partitionId, isr: parts.isr ?? null, leader: parts.leader ?? NO_LEADER_CHANGE, replicas: null, leaderRecoveryState: -1 })

const base = MetadataImage.EMPTY.apply([
  broker(1), broker(2), broker(3),
  { type: 'unfenceBroker', brokerId: 1, brokerEpoch: 1 }, { type: 'unfenceBroker', brokerId: 2, brokerEpoch: 2 },
  { type: 'topic', name: 'a', topicId: A }, partition(A, 0, [1, 2]), partition(A, 1, [2, 3]),
  { type: 'topic', name: 'b', topicId: B }, partition(B, 0, [3, 1]),
  { type: 'config', resourceType: 2, resourceName: 'a', name: 'retention.ms', value: '5' },
])

describe('MetadataImage', () => {
  it('replays brokers, fencing, topics, partitions and configs', () => {
    expect(base.isActive(1)).toBe(true)
    expect(base.isActive(3)).toBe(false)
    expect(base.topicByName('a')?.partitions.map(p => p.leader)).toEqual([1, 2])
    expect(base.config(2, 'a')?.get('retention.ms')).toBe('5')
  })

  it('lists the live brokers on a listener, without fenced ones', () => {
    expect(liveBrokerAddresses(base, 'PLAINTEXT')).toEqual([{ brokerId: 1, host: '127.0.0.1', port: 9001, rack: null }, { brokerId: 2, host: '127.0.0.1', port: 9002, rack: null }])
    expect(liveBrokerAddresses(base, 'CONTROLLER')).toEqual([])
  })

  it('names the offline replicas of a partition: fenced or unregistered brokers', () => {
    expect(offlineReplicas(base, base.partition(A, 1)!)).toEqual([3])
    expect(offlineReplicas(base, { ...base.partition(A, 0)!, replicas: [1, 9] })).toEqual([9])
  })

  it('bumps the partition epoch on every change and the leader epoch when a leader is set', () => {
    const img = base.apply([change(A, 0, { isr: [1] }), change(A, 0, { leader: 1 }), change(A, 0, { leader: 2, isr: [2] })])
    expect(img.partition(A, 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 2, partitionEpoch: 3 })
    expect(base.partition(A, 0)).toMatchObject({ leader: 1, leaderEpoch: 0, partitionEpoch: 0 })
  })

  it('shares untouched topics and brokers with the image it came from', () => {
    const img = base.apply([change(A, 1, { isr: [2] })])
    expect(img.topics.get(B)).toBe(base.topics.get(B))
    expect(img.brokers).toBe(base.brokers)
    expect(img.partition(A, 0)).toBe(base.partition(A, 0))
  })

  it('ignores a fence record of an older broker epoch', () => {
    const img = base.apply([broker(1, 10), { type: 'unfenceBroker', brokerId: 1, brokerEpoch: 10 }, { type: 'fenceBroker', brokerId: 1, brokerEpoch: 1 }])
    expect(img.isActive(1)).toBe(true)
  })

  it('removes a topic with its configs, so the name can be reused', () => {
    const img = base.apply([{ type: 'removeTopic', topicId: A }, { type: 'topic', name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAABA' }])
    expect(img.topicByName('a')?.partitions).toEqual([])
    expect(img.config(2, 'a')).toBeUndefined()
  })

  it('refuses records that cannot apply instead of guessing', () => {
    expect(() => base.apply([change('AAAAAAAAAAAAAAAAAAAAAQ', 0, { leader: 1 })])).toThrow(/unknown partition/)
    expect(() => base.apply([partition(A, 5, [1])])).toThrow(/out of order/)
    expect(() => base.apply([{ type: 'topic', name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAABA' }])).toThrow(/twice/)
    expect(() => base.apply([{ type: 'fenceBroker', brokerId: 9, brokerEpoch: 1 }])).toThrow(/unregistered broker 9/)
  })
})

describe('localChanges', () => {
  it('tells a broker what it newly leads, follows and no longer hosts', () => {
    const after = base.apply([
      change(A, 0, { leader: 2, isr: [2] }),
      { type: 'partitionChange', topicId: A, partitionId: 1, isr: [3], leader: 3, replicas: [3], leaderRecoveryState: -1 },
      { type: 'removeTopic', topicId: B },
    ])
    const forTwo = localChanges(base, after, 2)
    expect(forTwo.leaders.map(c => [c.topicName, c.partitionId, c.state.leaderEpoch, c.isNew, c.leaderEpochChanged])).toEqual([['a', 0, 1, false, true]])
    expect(forTwo.followers).toEqual([])
    expect(forTwo.removed).toEqual([{ topicName: 'a', topicId: A, partitionId: 1, topicDeleted: false }])
    const forOne = localChanges(base, after, 1)
    expect(forOne.followers.map(c => [c.topicName, c.partitionId, c.state.leader])).toEqual([['a', 0, 2]])
    expect(forOne.removed).toEqual([{ topicName: 'b', topicId: B, partitionId: 0, topicDeleted: true }])
  })

  it('reports every hosted partition of a new topic as new', () => {
    const changes = localChanges(MetadataImage.EMPTY, base, 1)
    expect(changes.leaders.map(c => `${c.topicName}-${c.partitionId}`)).toEqual(['a-0'])
    expect(changes.followers.map(c => `${c.topicName}-${c.partitionId}:${c.isNew}`)).toEqual(['b-0:true'])
  })

  it('reports nothing when nothing changed for the node', () => {
    const after = base.apply([change(B, 0, { isr: [3] })])
    expect(localChanges(base, after, 2)).toEqual({ leaders: [], followers: [], removed: [] })
  })
})

describe('snapshots', () => {
  it('rebuild an equal image, and equal images give identical bytes', () => {
    const img = base.apply([change(A, 0, { leader: 2, isr: [2] }), { type: 'featureLevel', name: 'metadata.version', featureLevel: 21 }])
    const bytes = encodeSnapshot(img)
    const restored = decodeSnapshot(bytes)
    expect(imageToRecords(restored)).toEqual(imageToRecords(img))
    expect(encodeSnapshot(restored).equals(bytes)).toBe(true)
    expect(restored.partition(A, 0)).toEqual(img.partition(A, 0))
  })

  it('are canonical: the replay order of independent records does not matter', () => {
    const r1 = imageToRecords(imageFromRecords([broker(2), broker(1)]))
    const r2 = imageToRecords(imageFromRecords([broker(1), broker(2)]))
    expect(r1).toEqual(r2)
  })

  it('refuse a truncated snapshot', () => {
    const bytes = encodeSnapshot(base)
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1))).toThrow(/overruns|truncated/)
    expect(() => decodeSnapshot(bytes.subarray(0, 2))).toThrow(/truncated/)
  })
})
