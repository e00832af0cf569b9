// Checking scales: a seeded synthetic history (chaos/run/synthetic-history.ts) is checked
// valid at two sizes, each in a fresh process, and the memory the checker keeps per extra op
// (JS heap plus typed-array buffers) must stay small enough that 10M ops fit in 1 GiB.
// Checking once kept every parsed op with its raw value, about 0.8 KB per op (5M ops took
// 4 GiB), then a digest of objects, about 200 bytes; now the digest is typed-array columns,
// about 40. The 10M-op time is measured by bench/check-scale.ts and recorded in the README.

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureInChild, writeSynthetic } from '../../../bench/check-scale.ts'
import type { CheckMeasurement } from '../../../bench/check-scale.ts'

const SMALL_OPS = 100_000
const LARGE_OPS = 400_000
/** Retained memory allowed per additional op (measured 36 to 54, by when columns last grew; the object digest kept 200). */
const RETAINED_BYTES_PER_OP_MAX = 100
const AIM_OPS = 10_000_000
const AIM_BYTES = 2 ** 30

let dir: string
let small: CheckMeasurement
let large: CheckMeasurement

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-check-scale-'))
  await writeSynthetic(join(dir, 'small.jsonl'), SMALL_OPS, 7)
  await writeSynthetic(join(dir, 'large.jsonl'), LARGE_OPS, 7)
  small = await measureInChild(join(dir, 'small.jsonl'), 20_000)
  large = await measureInChild(join(dir, 'large.jsonl'), 20_000)
}, 240_000)

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('checking a long generated history', () => {
  it('finds the clean synthetic history valid at both sizes', () => {
    expect(small.valid).toBe(true)
    expect(large.valid).toBe(true)
    expect(large.ops).toBeGreaterThanOrEqual(LARGE_OPS)
  })

  it('keeps little memory per op: at this rate 10M ops fit in 1 GiB', () => {
    const bytesPerOp = (large.heapRetainedPeakBytes - small.heapRetainedPeakBytes) / (large.ops - small.ops)
    process.stdout.write(`check scale: retained heap ${(small.heapRetainedPeakBytes / 2 ** 20).toFixed(0)} MiB at ${small.ops} ops, ` +
      `${(large.heapRetainedPeakBytes / 2 ** 20).toFixed(0)} MiB at ${large.ops} ops: ${bytesPerOp.toFixed(0)} bytes per extra op\n`)
    expect(small.heapRetainedPeakBytes).toBeGreaterThan(0)
    expect(bytesPerOp).toBeLessThan(RETAINED_BYTES_PER_OP_MAX)
    // Extrapolated to the aim: what the digest would hold after reading 10M ops.
    expect(small.heapRetainedPeakBytes + bytesPerOp * (AIM_OPS - small.ops)).toBeLessThan(AIM_BYTES)
  })
})
