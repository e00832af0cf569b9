// The __consumer_offsets record format and Kafka's group-to-partition rule.

import { describe, expect, it } from 'vitest'
import {
  decodeOffsetsRecord, encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue,
  javaStringHashCode, OffsetsRecordError, partitionForGroup, type StoredGroup,
} from '../../../broker/group/records.ts'

describe('group partition', () => {
  it('uses Java String.hashCode semantics', () => {
    // Values from the JDK: "".hashCode() == 0, "hello".hashCode() == 99162322, and
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE.
    expect(javaStringHashCode('')).toBe(0)
    expect(javaStringHashCode('a')).toBe(97)
    expect(javaStringHashCode('hello')).toBe(99162322)
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'))
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648)
    expect(javaStringHashCode('😀')).toBe(Math.imul(31, 0xd83d) + 0xde00)
  })

  it('takes abs(hashCode) % partitions, with abs(MIN_VALUE) = 0 as Kafka Utils.abs', () => {
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0)
    expect(partitionForGroup('hello', 50)).toBe(99162322 % 50)
    // "my-group".hashCode() is negative; Kafka takes its absolute value.
    const hash = javaStringHashCode('my-group')
    expect(partitionForGroup('my-group', 50)).toBe(Math.abs(hash) % 50)
    for (let i = 0; i < 200; i++) {
      const p = partitionForGroup(`group-${i}`, 7)
      expect(p >= 0 && p < 7).toBe(true)
    }
  })
})

describe('offsets records', () => {
  it('round-trips offset and group records, and tombstones', () => {
    const offset = { offset: 2 ** 40, leaderEpoch: 3, metadata: 'meta', commitTimestampMs: 1_700_000_000_123 }
    expect(decodeOffsetsRecord(encodeOffsetKey('g', 'topic', 7), encodeOffsetValue(offset)))
      .toEqual({ kind: 'offset', groupId: 'g', topic: 'topic', partition: 7, value: offset })
    expect(decodeOffsetsRecord(encodeOffsetKey('g', 'topic', 7), encodeOffsetValue({ ...offset, metadata: null })).kind).toBe('offset')
    expect(decodeOffsetsRecord(encodeOffsetKey('g', 't', 0), null)).toEqual({ kind: 'offset', groupId: 'g', topic: 't', partition: 0, value: null })
    const group: StoredGroup = {
      protocolType: 'consumer',
      generationId: 12,
      protocolName: 'range',
      leaderId: 'm1',
      stateTimestampMs: 5,
      members: [{
        memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '127.0.0.1', sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 60_000, subscription: Buffer.from([1, 2]), assignment: Buffer.from([3]),
      }],
    }
    expect(decodeOffsetsRecord(encodeGroupKey('g'), encodeGroupValue(group))).toEqual({ kind: 'group', groupId: 'g', value: group })
    expect(decodeOffsetsRecord(encodeGroupKey('g'), null)).toEqual({ kind: 'group', groupId: 'g', value: null })
  })

  it('refuses versions and kinds it does not know, and cut records, instead of guessing', () => {
    const key = encodeOffsetKey('g', 't', 0)
    const newerKey = Buffer.from(key)
    newerKey.writeInt16BE(1, 0)
    expect(() => decodeOffsetsRecord(newerKey, null)).toThrow(OffsetsRecordError)
    const value = encodeOffsetValue({ offset: 1, leaderEpoch: 0, metadata: null, commitTimestampMs: 0 })
    const newerValue = Buffer.from(value)
    newerValue.writeInt16BE(9, 0)
    expect(() => decodeOffsetsRecord(key, newerValue)).toThrow(/offset value version 9/)
    const oddKind = Buffer.from(key)
    oddKind.writeInt8(7, 2)
    expect(() => decodeOffsetsRecord(oddKind, null)).toThrow(/kind 7/)
    expect(() => decodeOffsetsRecord(key, value.subarray(0, value.length - 1))).toThrow(OffsetsRecordError)
    expect(() => decodeOffsetsRecord(null, value)).toThrow(OffsetsRecordError)
  })
})
