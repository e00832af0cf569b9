// Checking scales: a seeded synthetic history (chaos/run/synthetic-history.ts) is checked
// valid at two sizes, each in a fresh process, and the heap the checker keeps per extra op
// must stay small. Checking used to keep every parsed op with its raw value, about 0.8 KB per
// op (5M ops took 4 GiB); what it keeps now is a compact digest of facts. The 10M-op figure is
// measured by bench/check-scale.ts and recorded in the README, not asserted here.

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureInChild, writeSynthetic } from '../../../bench/check-scale.ts'
import type { CheckMeasurement } from '../../../bench/check-scale.ts'

const SMALL_OPS = 100_000
const LARGE_OPS = 400_000
/** Retained heap allowed per additional op (the old checker kept about 800 bytes). */
const RETAINED_BYTES_PER_OP_MAX = 300

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

  it('keeps little heap per op: four times the ops does not take four times the memory of the old checker', () => {
    const bytesPerOp = (large.heapRetainedPeakBytes - small.heapRetainedPeakBytes) / (large.ops - small.ops)
    process.stdout.write(`check scale: retained heap ${(small.heapRetainedPeakBytes / 2 ** 20).toFixed(0)} MiB at ${small.ops} ops, ` +
      `${(large.heapRetainedPeakBytes / 2 ** 20).toFixed(0)} MiB at ${large.ops} ops: ${bytesPerOp.toFixed(0)} bytes per extra op\n`)
    expect(small.heapRetainedPeakBytes).toBeGreaterThan(0)
    expect(bytesPerOp).toBeLessThan(RETAINED_BYTES_PER_OP_MAX)
  })
})
