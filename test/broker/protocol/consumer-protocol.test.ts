import { decodeConsumerProtocolAssignment, decodeConsumerProtocolSubscription, encodeConsumerProtocolAssignment, encodeConsumerProtocolSubscription } from '@platformatic/kafka'
import { AssignerProtocol } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import {
  type ConsumerAssignment, type ConsumerSubscription,
  decodeConsumerAssignment, decodeConsumerSubscription, encodeConsumerAssignment, encodeConsumerSubscription,
} from '../../../broker/protocol/consumer-protocol.ts'
import { ProtocolError } from '../../../broker/protocol/reader.ts'
import { hex } from './codec-helpers.ts'

const subscription: ConsumerSubscription = {
  version: 3,
  topics: ['orders', 'payments'],
  userData: Buffer.from([1, 2, 3]),
  ownedPartitions: [{ topic: 'orders', partitions: [0, 2] }, { topic: 'payments', partitions: [] }],
  generationId: 12,
  rackId: 'rack-a',
}

function subscriptionAt (v: number): ConsumerSubscription {
  return {
    ...subscription,
    version: v,
    ownedPartitions: v >= 1 ? subscription.ownedPartitions : [],
    generationId: v >= 2 ? subscription.generationId : -1,
    rackId: v >= 3 ? subscription.rackId : null,
  }
}

const assignment: ConsumerAssignment = {
  version: 0,
  assignedPartitions: [{ topic: 'orders', partitions: [1, 3, 5] }, { topic: 'payments', partitions: [0] }],
  userData: Buffer.from('sticky'),
}

describe('consumer protocol subscription', () => {
  for (const v of [0, 1, 2, 3]) {
    it(`v${v} round-trips with fields the version lacks at their defaults`, () => {
      const bytes = encodeConsumerSubscription(subscriptionAt(v))
      expect(decodeConsumerSubscription(bytes)).toEqual(subscriptionAt(v))
      // Writing every field the version has and nothing more: the full object gives the same bytes.
      expect(encodeConsumerSubscription({ ...subscription, version: v }).equals(bytes)).toBe(true)
    })
  }

  it('writes v0 byte for byte', () => {
    const bytes = encodeConsumerSubscription({ version: 0, topics: ['t'], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
    expect(bytes.toString('hex')).toBe(hex('0000  00000001 0001 74  ffffffff').toString('hex'))
  })

  it('reads a v3 subscription byte for byte, ignoring trailing bytes it does not know', () => {
    const v3 = hex(`
      0003                         # version 3
      00000001 0001 74             # topics ["t"]
      00000000                     # user_data (empty)
      00000001 0001 74 00000001 00000002  # owned_partitions t:[2]
      00000007                     # generation_id
      0001 72                      # rack_id "r"
    `)
    const expected = { version: 3, topics: ['t'], userData: Buffer.alloc(0), ownedPartitions: [{ topic: 't', partitions: [2] }], generationId: 7, rackId: 'r' }
    expect(decodeConsumerSubscription(v3)).toEqual(expected)
    expect(decodeConsumerSubscription(Buffer.concat([v3, hex('deadbeef 00')]))).toEqual(expected)
  })

  it('reads a version newer than it knows by its known prefix', () => {
    const v5 = encodeConsumerSubscription(subscription)
    v5.writeInt16BE(5, 0)
    const withFutureFields = Buffer.concat([v5, hex('0000002a 01')])
    expect(decodeConsumerSubscription(withFutureFields)).toEqual({ ...subscription, version: 5 })
  })

  it('defaults fields a client claims but does not write (kafkajs sends "v1" with a v0 body)', () => {
    const body = hex('0001  00000001 0001 74  00000000')
    expect(decodeConsumerSubscription(body)).toEqual({
      version: 1, topics: ['t'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null,
    })
  })

  it('refuses bytes cut inside a field, and a negative version', () => {
    const bytes = encodeConsumerSubscription(subscription)
    // A cut exactly where an older version's body ends is a shorter body, read with
    // defaults as above; a cut anywhere else lands inside a field.
    const fieldBoundaries = new Set([0, 1, 2].map(v => encodeConsumerSubscription(subscriptionAt(v)).length))
    for (let cut = 0; cut < bytes.length; cut++) {
      if (fieldBoundaries.has(cut)) {
        expect(decodeConsumerSubscription(bytes.subarray(0, cut)).version).toBe(3)
      } else {
        expect(() => decodeConsumerSubscription(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtocolError)
      }
    }
    expect(() => decodeConsumerSubscription(hex('ffff 00000000 ffffffff'))).toThrow(ProtocolError)
  })

  it('refuses to encode a version it does not know', () => {
    expect(() => encodeConsumerSubscription({ ...subscription, version: 4 })).toThrow(RangeError)
    expect(() => encodeConsumerSubscription({ ...subscription, version: -1 })).toThrow(RangeError)
  })
})

describe('consumer protocol assignment', () => {
  for (const v of [0, 1, 2, 3]) {
    it(`v${v} round-trips`, () => {
      const bytes = encodeConsumerAssignment({ ...assignment, version: v })
      expect(decodeConsumerAssignment(bytes)).toEqual({ ...assignment, version: v })
    })
  }

  it('writes v0 byte for byte', () => {
    const bytes = encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions: [0, 1] }], userData: null })
    expect(bytes.toString('hex')).toBe(hex('0000  00000001 0001 74 00000002 00000000 00000001  ffffffff').toString('hex'))
  })

  it('reads zero bytes as an empty assignment', () => {
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toEqual({ version: 0, assignedPartitions: [], userData: null })
  })

  it('reads a newer version with trailing bytes by its known prefix', () => {
    const bytes = encodeConsumerAssignment({ ...assignment, version: 3 })
    bytes.writeInt16BE(4, 0)
    expect(decodeConsumerAssignment(Buffer.concat([bytes, hex('0102')]))).toEqual({ ...assignment, version: 4 })
  })

  it('refuses bytes cut inside a field', () => {
    const bytes = encodeConsumerAssignment(assignment)
    const userDataStart = bytes.length - 4 - assignment.userData!.length
    for (let cut = 1; cut < bytes.length; cut++) {
      // A body that stops right after the version or right after the partitions is a
      // shorter body, not a cut one.
      if (cut === 2 || cut === userDataStart) continue
      expect(() => decodeConsumerAssignment(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtocolError)
    }
  })
})

// What the target clients really put on the wire, and whether they can read what we write.
describe('consumer protocol against real clients', () => {
  it('reads kafkajs member metadata, which claims v1 but carries a v0 body', () => {
    const bytes = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['a', 'b'], userData: Buffer.from('u') })
    expect(decodeConsumerSubscription(bytes)).toEqual({
      version: 1, topics: ['a', 'b'], userData: Buffer.from('u'), ownedPartitions: [], generationId: -1, rackId: null,
    })
  })

  it('reads a kafkajs assignment and writes one kafkajs reads', () => {
    const theirs = AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: { a: [0, 2], b: [1] }, userData: Buffer.alloc(0) })
    expect(decodeConsumerAssignment(theirs)).toEqual({
      version: 1, assignedPartitions: [{ topic: 'a', partitions: [0, 2] }, { topic: 'b', partitions: [1] }], userData: Buffer.alloc(0),
    })
    const ours = encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: 'a', partitions: [3] }], userData: null })
    expect(AssignerProtocol.MemberAssignment.decode(ours)).toMatchObject({ version: 0, assignment: { a: [3] } })
  })

  it('reads a platformatic v3 subscription and writes one platformatic reads', () => {
    const theirs = encodeConsumerProtocolSubscription({
      version: 3, topics: ['a'], userData: Buffer.from([9]), ownedPartitions: [{ topic: 'a', partitions: [1] }], generationId: 4, rackId: 'r1',
    })
    expect(decodeConsumerSubscription(theirs)).toEqual({
      version: 3, topics: ['a'], userData: Buffer.from([9]), ownedPartitions: [{ topic: 'a', partitions: [1] }], generationId: 4, rackId: 'r1',
    })
    const ours = encodeConsumerSubscription(subscription)
    expect(decodeConsumerProtocolSubscription(ours)).toMatchObject({
      version: 3, topics: subscription.topics, ownedPartitions: subscription.ownedPartitions, generationId: 12, rackId: 'rack-a',
    })
  })

  it('reads a platformatic assignment and writes one platformatic reads', () => {
    const theirs = encodeConsumerProtocolAssignment({ version: 3, assignedPartitions: [{ topic: 'a', partitions: [2, 0] }], userData: null })
    expect(decodeConsumerAssignment(theirs)).toEqual({ version: 3, assignedPartitions: [{ topic: 'a', partitions: [0, 2] }], userData: null })
    const ours = encodeConsumerAssignment(assignment)
    expect(decodeConsumerProtocolAssignment(ours)).toMatchObject({ version: 0, assignedPartitions: assignment.assignedPartitions })
  })
})
