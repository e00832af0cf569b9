import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../../broker/protocol/partitioner.ts'

// Vectors from kafkajs's Java-compatible partitioner tests, which were produced by running
// Kafka's own Utils.murmur2 in Java.
const JAVA_MURMUR2: Record<string, number> = {
  0: 971027396,
  1: -1993445489,
  128: -326012175,
  2187: -1508407203,
  16384: -325739742,
  78125: -1654490814,
  279936: 1462227128,
  823543: -2014198330,
  2097152: 607668903,
  4782969: -1182699775,
  10000000: -1830336757,
  19487171: -1603849305,
  35831808: -857013643,
  62748517: -1167431028,
  105413504: -381294639,
  170859375: -1658323481,
  '100:48069': 1009543857,
}

const require = createRequire(import.meta.url)
// kafkajs 2.x's default partitioner hash (Java-compatible); an independent implementation.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number

describe('murmur2 partitioner', () => {
  it('matches Java murmur2 on the kafkajs vectors', () => {
    for (const [key, hash] of Object.entries(JAVA_MURMUR2)) {
      expect(murmur2(Buffer.from(key)), key).toBe(hash)
    }
  })

  it('agrees with kafkajs on keys of every tail length, binary and multi-byte UTF-8', () => {
    let state = 42
    for (let i = 0; i < 500; i++) {
      const length = i % 37
      const key = Buffer.alloc(length)
      for (let j = 0; j < length; j++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0
        key[j] = state >>> 24
      }
      expect(murmur2(key), key.toString('hex')).toBe(kafkajsMurmur2(key))
    }
    for (const key of ['', 'é', 'ключ', '🔑-key', 'a'.repeat(1000)]) {
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)))
    }
  })

  it('picks (hash & 0x7fffffff) % partitions, like Java, also for counts that are not powers of two', () => {
    for (const [key, hash] of Object.entries(JAVA_MURMUR2)) {
      for (const partitions of [1, 3, 7, 12, 100]) {
        expect(partitionForKey(key, partitions)).toBe((hash & 0x7fffffff) % partitions)
      }
    }
    // "1" hashes negative: masking keeps the sign bit out, unlike `>>> 0`.
    expect(partitionForKey('1', 3)).toBe(0)
    expect(((-1993445489 >>> 0) % 3)).not.toBe(partitionForKey('1', 3))
  })

  it('gives the same partition for a string key and its UTF-8 bytes', () => {
    expect(partitionForKey('ключ', 7)).toBe(partitionForKey(Buffer.from('ключ'), 7))
  })
})
