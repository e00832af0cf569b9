import { describe, expect, it } from 'vitest'
import { BrokerMetadata } from '../../../broker/cluster/broker-metadata.ts'
import { PendingReplies } from '../../../broker/cluster/pending-replies.ts'
import { decodeSnapshot, encodeSnapshot } from '../../../broker/cluster/snapshot.ts'
import { ControllerFixture } from './controller-fixture.ts'

describe('BrokerMetadata', () => {
  it('replays the controller\'s log and tells the broker what it now leads and follows', () => {
    const f = new ControllerFixture()
    f.startBrokers(3)
    f.createTopic('t', 3, 2)
    const two = new BrokerMetadata(2)
    const changes = two.apply(f.log, f.lastOffset)
    expect(two.lastOffset).toBe(f.lastOffset)
    const led = f.partitions('t').flatMap((p, id) => p.leader === 2 ? [id] : [])
    const followed = f.partitions('t').flatMap((p, id) => p.leader !== 2 && p.replicas.includes(2) ? [id] : [])
    expect(changes.leaders.map(c => c.partitionId)).toEqual(led)
    expect(changes.followers.map(c => c.partitionId)).toEqual(followed)
    expect(changes.followers.every(c => c.isNew && c.state.leader !== 2)).toBe(true)
  })

  it('refuses records it has already replayed, and restores from a snapshot', () => {
    const f = new ControllerFixture()
    f.startBrokers(1)
    f.createTopic('t', 1, 1)
    const one = new BrokerMetadata(1)
    one.apply(f.log, f.lastOffset)
    expect(() => one.apply(f.log.slice(-1), f.lastOffset)).toThrow(/replayed after/)
    const fresh = new BrokerMetadata(1)
    const changes = fresh.restore(decodeSnapshot(encodeSnapshot(f.controller.committedImage)), f.lastOffset)
    expect(changes.leaders.map(c => [c.topicName, c.partitionId])).toEqual([['t', 0]])
  })
})

describe('PendingReplies', () => {
  it('releases replies in order once their records commit, and hands back the rest on leadership loss', () => {
    const replies = new PendingReplies<string>()
    replies.add(3, 'a')
    replies.add(3, 'b')
    replies.add(7, 'c')
    expect(replies.committed(2)).toEqual([])
    expect(replies.committed(5)).toEqual(['a', 'b'])
    expect(() => replies.add(4, 'd')).toThrow(/offset order/)
    expect(replies.drain()).toEqual(['c'])
    expect(replies.size).toBe(0)
  })
})
