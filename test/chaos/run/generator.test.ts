// The generator is a pure function of the seed: the same seed gives the same op sequence
// for every process slot, values per key are 1, 2, 3, ... and keys never collide between
// slots. These are what make a chaos run replayable and loss and duplication decidable.

import { describe, expect, it } from 'vitest'
import { crashProbabilityFor, generateOps, SlotGenerator } from '../../../chaos/run/generator.ts'
import type { GeneratedOp, GeneratorOptions } from '../../../chaos/run/generator.ts'
import { Prng } from '../../../chaos/run/prng.ts'

const OPTIONS: GeneratorOptions = {
  seed: 42,
  processes: 4,
  keysPerProcess: 2,
  maxWritesPerKey: 5,
  partitions: 6,
  subscribeVia: 'assign',
  crashProbability: 0.01,
  sendsOnly: false,
}

function sends (ops: readonly GeneratedOp[]): Array<{ key: string, value: number }> {
  return ops.flatMap(op => (op.f === 'send' ? [{ key: op.key, value: op.value }] : []))
}

describe('generator', () => {
  it('gives the same op sequence for the same seed, slot by slot', () => {
    for (let slot = 0; slot < OPTIONS.processes; slot++) {
      expect(generateOps(OPTIONS, slot, 500)).toEqual(generateOps(OPTIONS, slot, 500))
    }
  })

  it('gives different sequences for different seeds and for different slots', () => {
    expect(generateOps({ ...OPTIONS, seed: 43 }, 0, 200)).not.toEqual(generateOps(OPTIONS, 0, 200))
    expect(generateOps(OPTIONS, 1, 200)).not.toEqual(generateOps(OPTIONS, 0, 200))
  })

  it('writes unique increasing values per key, retiring a key after maxWritesPerKey', () => {
    const lastByKey = new Map<string, number>()
    for (let slot = 0; slot < OPTIONS.processes; slot++) {
      for (const { key, value } of sends(generateOps(OPTIONS, slot, 1000))) {
        const last = lastByKey.get(key) ?? 0
        expect(value).toBe(last + 1)
        expect(value).toBeLessThanOrEqual(OPTIONS.maxWritesPerKey)
        lastByKey.set(key, value)
      }
    }
    // 4 slots x 1000 ops, about half sends, 5 writes per key: many keys were retired.
    expect(lastByKey.size).toBeGreaterThan(OPTIONS.processes * OPTIONS.keysPerProcess * 10)
  })

  it('gives each slot its own keys', () => {
    const owner = new Map<string, number>()
    for (let slot = 0; slot < OPTIONS.processes; slot++) {
      for (const { key } of sends(generateOps(OPTIONS, slot, 400))) {
        expect(owner.get(key) ?? slot).toBe(slot)
        owner.set(key, slot)
        expect(Number(key) % OPTIONS.processes).toBe(slot)
      }
    }
  })

  it('marks the first send of each key as a new key', () => {
    for (const op of generateOps(OPTIONS, 2, 300)) {
      if (op.f === 'send') expect(op.newKey).toBe(op.value === 1)
    }
  })

  it('starts with assign (non-empty, valid partitions) or subscribe, then mixes ops', () => {
    const ops = generateOps(OPTIONS, 0, 2000)
    expect(ops[0]!.f).toBe('assign')
    for (const op of ops) {
      if (op.f !== 'assign') continue
      expect(op.partitions.length).toBeGreaterThan(0)
      expect(new Set(op.partitions).size).toBe(op.partitions.length)
      for (const p of op.partitions) expect(p >= 0 && p < OPTIONS.partitions).toBe(true)
    }
    const kinds = new Set(ops.map(op => op.f))
    for (const f of ['send', 'poll', 'commit', 'assign', 'crash']) expect(kinds.has(f as GeneratedOp['f'])).toBe(true)
    expect(generateOps({ ...OPTIONS, subscribeVia: 'subscribe' }, 0, 1)[0]!.f).toBe('subscribe')
    expect(generateOps({ ...OPTIONS, subscribeVia: 'subscribe' }, 0, 2000).some(op => op.f === 'assign')).toBe(false)
  })

  it('only sends (and never crashes unless asked) on the input side of a transform run', () => {
    const ops = generateOps({ ...OPTIONS, sendsOnly: true, crashProbability: 0 }, 1, 500)
    expect(ops.every(op => op.f === 'send')).toBe(true)
  })

  it('rejects a slot outside the process range', () => {
    expect(() => new SlotGenerator(OPTIONS, OPTIONS.processes)).toThrow(RangeError)
  })

  it('derives the crash probability from the interval and the op rate', () => {
    expect(crashProbabilityFor(0, 100)).toBe(0)
    expect(crashProbabilityFor(5, 100)).toBeCloseTo(1 / 500)
    const ops = generateOps({ ...OPTIONS, crashProbability: crashProbabilityFor(1, 100) }, 0, 20_000)
    const crashes = ops.filter(op => op.f === 'crash').length
    expect(crashes).toBeGreaterThan(100)
    expect(crashes).toBeLessThan(320)
  })
})

describe('prng', () => {
  it('is reproducible and spreads values evenly', () => {
    const a = new Prng(7)
    const b = new Prng(7)
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 10_000; i++) {
      const x = a.int(10)
      expect(b.int(10)).toBe(x)
      counts[x]!++
    }
    for (const count of counts) expect(count).toBeGreaterThan(800)
  })

  it('derives independent streams', () => {
    const first = Array.from({ length: 20 }, (_, i) => Prng.derive(1, i).uint32())
    expect(new Set(first).size).toBe(20)
    expect(Prng.derive(1, 0).uint32()).not.toBe(Prng.derive(2, 0).uint32())
  })

  it('samples distinct items and picks by weight', () => {
    const prng = new Prng(3)
    const sample = prng.sample([1, 2, 3, 4, 5], 3)
    expect(new Set(sample).size).toBe(3)
    for (let i = 0; i < 100; i++) expect(prng.weighted([0, 1, 0])).toBe(1)
    expect(() => prng.weighted([0, 0])).toThrow(RangeError)
    expect(() => new Prng(-1)).toThrow(RangeError)
  })
})
