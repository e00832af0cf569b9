import { describe, expect, it } from 'vitest'
import { OffsetIndex, TimeIndex } from '../../../broker/log/segment-index.ts'

describe('OffsetIndex', () => {
  it('finds the floor entry and grows up to its bound', () => {
    const index = new OffsetIndex(1000)
    for (let i = 0; i < 1000; i++) index.append(i * 10 + 5, i * 4096 + 100)
    expect(index.isFull).toBe(true)
    expect(() => index.append(100_000, 100_000_000)).toThrow(/full/)
    expect(index.floorPosition(0)).toBe(0)
    expect(index.floorPosition(5)).toBe(100)
    expect(index.floorPosition(14)).toBe(100)
    expect(index.floorPosition(15)).toBe(4196)
    expect(index.floorPosition(1_000_000)).toBe(999 * 4096 + 100)
  })

  it('refuses entries that do not increase', () => {
    const index = new OffsetIndex(10)
    index.append(5, 100)
    expect(() => index.append(5, 200)).toThrow()
    expect(() => index.append(6, 100)).toThrow()
  })

  it('loads only the valid prefix of a file', () => {
    const source = new OffsetIndex(10)
    source.append(1, 100)
    source.append(2, 200)
    source.append(3, 300)
    const file = Buffer.concat([source.encode(0, 3), Buffer.from([1, 2, 3])])
    const loaded = new OffsetIndex(10)
    expect(loaded.load(file, 250)).toBe(2)
    expect(loaded.floorPosition(100)).toBe(200)
  })
})

describe('TimeIndex', () => {
  it('finds the last entry strictly before a timestamp', () => {
    const index = new TimeIndex(10)
    index.append(1000, 0)
    index.append(2000, 7)
    index.append(3000, 9)
    expect(index.lastBefore(1000)).toBe(-1)
    expect(index.lastBefore(1001)).toBe(0)
    expect(index.lastBefore(3000)).toBe(1)
    expect(index.lastBefore(9999)).toBe(2)
    const loaded = new TimeIndex(10)
    expect(loaded.load(index.encode(0, 3), 8)).toBe(2)
    expect(loaded.lastTimestampMs).toBe(2000)
  })
})
