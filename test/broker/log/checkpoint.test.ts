import { describe, expect, it } from 'vitest'
import { encodeOffsetCheckpoint, parseOffsetCheckpoint } from '../../../broker/log/checkpoint.ts'
import { logConfig } from '../../../broker/log/config.ts'
import { InvalidLogConfigError } from '../../../broker/log/errors.ts'

describe('offset checkpoint format', () => {
  it('round-trips Kafka\'s text format', () => {
    const entries = [{ topic: 'orders', partition: 0, offset: 1200 }, { topic: 'a.b-c_d', partition: 17, offset: 0 }]
    const text = encodeOffsetCheckpoint(entries).toString('utf8')
    expect(text).toBe('0\n2\norders 0 1200\na.b-c_d 17 0\n')
    expect(parseOffsetCheckpoint(text)).toEqual(entries)
  })

  it('rejects malformed files', () => {
    for (const text of ['1\n0\n', '0\n2\norders 0 1\n', '0\n1\norders x 1\n', '0\n1\norders 0 -5\n', '0\n1\norders 0\n', '']) {
      expect(() => parseOffsetCheckpoint(text), text).toThrow(RangeError)
    }
  })
})

describe('log config', () => {
  it('has Kafka\'s defaults and rejects bad values', () => {
    const config = logConfig()
    expect(config.segmentBytes).toBe(1024 ** 3)
    expect(config.flushIntervalMessages).toBe(Infinity)
    expect(config.indexIntervalBytes).toBe(4096)
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => logConfig({ segmentBytes: 2 ** 31 })).toThrow(InvalidLogConfigError)
    expect(() => logConfig({ flushIntervalMessages: 0 })).toThrow(/flushIntervalMessages/)
    expect(() => logConfig({ retentionMs: -2 })).toThrow(InvalidLogConfigError)
  })
})
