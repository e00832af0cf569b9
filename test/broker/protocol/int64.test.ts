// int64 fields through the Writer and Reader: the fast path (two 32-bit halves, no BigInt)
// must write the same bytes as Buffer.writeBigInt64BE for every safe integer, and read back
// what Number(readBigInt64BE) gives, including values past 2^53 that only round.

import { describe, expect, it } from 'vitest'
import { Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'

const SAFE = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1,
  1_733_000_000_000, -1_733_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]

function written (v: number | bigint): Buffer {
  return new Writer().writeInt64(v).toBuffer()
}

function expected (v: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(v)
  return b
}

describe('int64 fields', () => {
  it('writes every safe integer exactly as writeBigInt64BE does, and reads it back', () => {
    for (const v of SAFE) {
      expect(written(v), String(v)).toEqual(expected(BigInt(v)))
      expect(new Reader(written(v)).readInt64(), String(v)).toBe(v)
    }
  })

  it('keeps bigints and numbers past 2^53 on the exact path, and reads them as Number() rounds', () => {
    const big = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 3n, 9_007_199_254_740_993n]
    for (const v of big) {
      expect(written(v), String(v)).toEqual(expected(v))
      expect(new Reader(expected(v)).readInt64(), String(v)).toBe(Number(v))
    }
    expect(written(2 ** 60)).toEqual(expected(2n ** 60n))
  })

  it('reads random 64-bit patterns as Number(readBigInt64BE) does', () => {
    let seed = 0x9e3779b9
    const next = (): number => { seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return seed }
    const b = Buffer.alloc(8)
    for (let i = 0; i < 10_000; i++) {
      b.writeUInt32BE(next(), 0)
      b.writeUInt32BE(next(), 4)
      expect(new Reader(b).readInt64()).toBe(Number(b.readBigInt64BE(0)))
    }
  })

  it('refuses a fraction as before', () => {
    expect(() => written(1.5)).toThrow(RangeError)
  })
})
